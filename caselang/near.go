package caselang

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Near is value v with one of the near misses of the generated cases
// ("trailing-space", "prefix", ...; StringMisses names them all), a wrong
// credential for a secret or a token.
func Near(v Value, name string) Value {
	for _, m := range StringMisses {
		if m.Name == name {
			return NearValue{Base: v, Miss: m, Wrong: true}
		}
	}
	panic("caselang.Near: no near miss named " + strconv.Quote(name)) // a programming error in a case table
}

// NearMissNames lists the near misses Near knows.
func NearMissNames() []string {
	out := make([]string, len(StringMisses))
	for i, m := range StringMisses {
		out[i] = m.Name
	}
	return out
}

// Miss is one way to be near a valid string.
type Miss struct {
	Name, What string
	f          func(string) any
}

// StringMisses are the misses of a string value, in the order the
// generated cases run.
var StringMisses = []Miss{
	{"title-case", "with its first letter in other case", func(s string) any { return swapFirst(s) }},
	{"other-case", "in other letter case", func(s string) any { return SwapCase(s) }},
	{"leading-space", "with a leading space", func(s string) any { return " " + s }},
	{"trailing-space", "with a trailing space", func(s string) any { return s + " " }},
	{"tab", "with a tab before it", func(s string) any { return "\t" + s }},
	{"prefix", "without its last character", func(s string) any { _, n := utf8.DecodeLastRuneInString(s); return s[:len(s)-n] }},
	{"extension", "with a character added", func(s string) any { return s + "0" }},
	{"look-alike", "with an early letter replaced by a Cyrillic look-alike", func(s string) any { return lookAlike(s) }},
	{"nul", "with a NUL character added", func(s string) any { return s + "\x00" }},
	{"nul-extra", "with a NUL character and more bytes after it", func(s string) any { return s + "\x00x" }},
	{"control-tail", "with a control character (U+0001) added", func(s string) any { return s + "\x01" }},
	{"newline", "with a line feed added", func(s string) any { return s + "\n" }},
	{"non-ascii-tail", "with a non-ASCII letter added", func(s string) any { return s + "é" }},
	{"long", "repeated to over 4 KiB", func(s string) any { return strings.Repeat(s, 4096/max(1, len(s))+1) }},
	{"number", "as a JSON number", func(s string) any { return asNumber(s) }},
	{"boolean", "as the JSON boolean true", func(string) any { return true }},
	{"array", "inside a JSON array", func(s string) any { return []any{s} }},
}

// swapFirst swaps the case of the first letter ("Secured").
func swapFirst(s string) string {
	for i, r := range s {
		if o := SwapCase(string(r)); o != string(r) {
			return s[:i] + o + s[i+len(string(r)):]
		}
	}
	return s
}

// lookAlike replaces the first Latin letter within the first
// lookAlikeReach bytes that has a Cyrillic twin, or else the first ASCII
// letter or digit by Cyrillic "а" (or appends "е" to a value without one).
// The change stays near the start whatever a random token holds, so that
// which server the miss catches never depends on the draw (a server that
// compares only a token's first 40 characters, say).
func lookAlike(s string) string {
	twins := map[rune]rune{'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о', 'p': 'р', 's': 'ѕ', 'x': 'х', 'y': 'у', 'A': 'А', 'E': 'Е', 'O': 'О', 'S': 'Ѕ'}
	for i, r := range s {
		if i >= lookAlikeReach {
			break
		}
		if t, ok := twins[r]; ok {
			return s[:i] + string(t) + s[i+len(string(r)):]
		}
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return s[:i] + "а" + s[i+1:]
		}
	}
	return s + "е"
}

// lookAlikeReach is how far into a value lookAlike looks for a twin.
const lookAlikeReach = 16

// asNumber is an all-digit value as the JSON number it spells (a PIN
// "396" sent as 396), anything else as 1.
func asNumber(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && strings.TrimLeft(s, "0123456789") == "" {
		return n
	}
	return 1
}

// NearValue is a value made from a resolved one by a miss.
type NearValue struct {
	Base  Value
	Miss  Miss
	Wrong bool
}

func (n NearValue) Resolve(sc Scope) (Resolved, error) {
	r, err := n.Base.Resolve(sc)
	if err != nil || !r.Present {
		return r, err
	}
	s, _ := r.V.(string)
	near := n.Miss.f(s)
	if near == s {
		return Resolved{}, nil // this miss leaves the value as it is (no letters to swap)
	}
	r.V = near
	if r.Secret != "" {
		r.Secret = "near-" + r.Secret
	}
	return r, nil
}

func (n NearValue) Describe() string {
	return "<" + strings.Trim(n.Base.Describe(), "<>") + " " + n.Miss.What + ">"
}

func (n NearValue) mayBeWrong() bool { return n.Wrong }
