package redact

import (
	"encoding/binary"
	"hash/maphash"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A view is text transformed for matching (decoded escapes, folded letter
// case) in which every byte remembers the span of raw text it came from, so
// that a match in the view redacts exactly the raw bytes that spelled it.
//
// Matching on views rather than on registered variants is what makes
// redaction independent of how a target escapes a secret: JSON may escape
// any subset of characters (\u041f, \u003C or \u003c, \/), and no list of
// variants can enumerate the subsets.
type view struct {
	b []byte
	// start and end give the raw span of b[i]: [start[i], end[i]). Both
	// nil: the identity (b[i] is raw byte i), the common case of text
	// without escapes or non-ASCII letters, which costs no spans.
	start, end []int32
}

// rawView is the identity view of s.
func rawView(s string) view { return view{b: []byte(s)} }

func (v *view) rawStart(i int) int {
	if v.start == nil {
		return i
	}
	return int(v.start[i])
}

func (v *view) rawEnd(i int) int {
	if v.end == nil {
		return i + 1
	}
	return int(v.end[i])
}

// spanned returns v with explicit spans (for appending to).
func (v view) spanned() view {
	if v.start != nil {
		return v
	}
	out := view{b: v.b, start: make([]int32, len(v.b)), end: make([]int32, len(v.b))}
	for i := range v.b {
		out.start[i], out.end[i] = int32(i), int32(i+1)
	}
	return out
}

func (v *view) push(c byte, start, end int32) {
	v.b = append(v.b, c)
	v.start = append(v.start, start)
	v.end = append(v.end, end)
}

// pushRune appends r in UTF-8, every byte spanning [start, end).
func (v *view) pushRune(r rune, start, end int32) {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, c := range buf[:n] {
		v.push(c, start, end)
	}
}

// fold maps every letter of v to one representative of its case: the
// smallest rune that case folding and upper-casing relate it to (so "ı",
// "i" and "I" are one, as are "ς", "σ" and "Σ", and "ſ" and "s"), and
// every byte that is not UTF-8 to U+FFFD, as a JSON decoder does (a token
// registered from a decoded answer then still matches its raw echo). A
// secret echoed in other letter case (a PIN is case-insensitive, a target
// may upper-case anything) matches. Folding can only widen what is
// redacted.
func fold(v view) view {
	if ascii(v.b) {
		// Byte for byte: the spans stay as they are.
		out := view{b: make([]byte, len(v.b)), start: v.start, end: v.end}
		for i, c := range v.b {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out.b[i] = c
		}
		return out
	}
	v = v.spanned()
	out := view{b: make([]byte, 0, len(v.b)), start: make([]int32, 0, len(v.b)), end: make([]int32, 0, len(v.b))}
	for i := 0; i < len(v.b); {
		r, n := utf8.DecodeRune(v.b[i:])
		out.pushRune(foldRune(r), v.start[i], v.end[i+n-1])
		i += n
	}
	return out
}

// foldRune is the representative of r's letter case (see fold).
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	least := r
	// Upper-casing relates what folding does not (ı to I); lower-casing
	// first relates İ to i.
	for _, start := range []rune{unicode.ToUpper(r), unicode.ToUpper(unicode.ToLower(r))} {
		least = min(least, start)
		for f := unicode.SimpleFold(start); f != start; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
	}
	return least
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldString is fold for a pattern.
func foldString(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return string(fold(rawView(s)).b)
		}
	}
	return strings.ToUpper(s) // what fold does to ASCII, in one copy at most
}

// Escape families: decode undoes those in a mask.
const (
	famJSON = 1 << iota // \uXXXX (either hex case, surrogate pairs), \/ \" \\ \b \f \n \r \t, the \xHH of Python and JavaScript, Go's \a \v \UXXXXXXXX
	famURL              // %HH
	famHTML             // &lt; &#60; &#x3c;
	famAll  = famJSON | famURL | famHTML
)

// decode undoes one layer of the escapes of the families in mask. It
// reports whether anything was decoded; "+" for a space is left to the
// patterns (a "+" is also itself).
func decode(v view, mask int) (view, bool) {
	v = v.spanned()
	out := view{b: make([]byte, 0, len(v.b)), start: make([]int32, 0, len(v.b)), end: make([]int32, 0, len(v.b))}
	changed := false
	b := v.b
	for i := 0; i < len(b); {
		r, n := unescape(b[i:], mask)
		if n == 0 {
			out.push(b[i], v.start[i], v.end[i])
			i++
			continue
		}
		changed = true
		if r < 0 { // a single raw byte (%HH, \xHH): it may be part of a UTF-8 sequence
			out.push(byte(-r-1), v.start[i], v.end[i+n-1])
		} else {
			out.pushRune(r, v.start[i], v.end[i+n-1])
		}
		i += n
	}
	return out, changed
}

// unescape decodes the escape at the start of b: the rune and the number of
// bytes it took, or a negative value -(byte+1) for an escape that stands
// for one byte rather than a character. n is 0 when b does not start with
// an escape.
func unescape(b []byte, mask int) (r rune, n int) {
	if len(b) < 2 {
		return 0, 0
	}
	switch {
	case b[0] == '\\' && mask&famJSON != 0:
		switch b[1] {
		case 'u':
			cu, ok := hexVal(b[2:], 4)
			if !ok {
				return 0, 0
			}
			if cu >= 0xD800 && cu < 0xDC00 && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
				if lo, ok := hexVal(b[8:], 4); ok && lo >= 0xDC00 && lo < 0xE000 {
					return (cu-0xD800)<<10 + (lo - 0xDC00) + 0x10000, 12
				}
			}
			return cu, 6
		case 'U': // Go's strconv.Quote
			if h, ok := hexVal(b[2:], 8); ok && h <= unicode.MaxRune {
				return h, 10
			}
			return 0, 0
		case 'x':
			if h, ok := hexVal(b[2:], 2); ok {
				return -h - 1, 4
			}
			return 0, 0
		}
		if c, ok := simpleEscapes[b[1]]; ok {
			return rune(c), 2
		}
	case b[0] == '%' && mask&famURL != 0:
		if h, ok := hexVal(b[1:], 2); ok {
			return -h - 1, 3
		}
	case b[0] == '&' && mask&famHTML != 0:
		return entity(b)
	}
	return 0, 0
}

var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', '\'': '\'', 'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

var namedEntities = map[string]rune{"lt": '<', "gt": '>', "amp": '&', "quot": '"', "apos": '\''}

// entity decodes an HTML character reference (&lt; &#60; &#x3c;).
func entity(b []byte) (rune, int) {
	end := -1
	for i := 1; i < len(b) && i <= 10; i++ {
		if b[i] == ';' {
			end = i
			break
		}
	}
	if end < 2 {
		return 0, 0
	}
	name := b[1:end]
	if r, ok := namedEntities[strings.ToLower(string(name))]; ok {
		return r, end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0
	}
	var v rune
	if name[1] == 'x' || name[1] == 'X' {
		h, ok := hexVal(name[2:], len(name)-2)
		if !ok || len(name) == 2 {
			return 0, 0
		}
		v = h
	} else {
		for _, c := range name[1:] {
			if c < '0' || c > '9' {
				return 0, 0
			}
			v = v*10 + rune(c-'0')
		}
	}
	if v > unicode.MaxRune {
		return 0, 0
	}
	return v, end + 1
}

// hexVal parses exactly n hex digits (either case) at the start of b.
func hexVal(b []byte, n int) (rune, bool) {
	if len(b) < n || n == 0 {
		return 0, false
	}
	var v rune
	for _, c := range b[:n] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// chains are the decodings matched besides the raw text: every family at
// once, up to three layers deep (a query value inside JSON inside a JSON
// string), and each family alone, so that a secret that itself looks like
// an escape of another family ("<\\f" sent as "&lt;\\f") is still seen. Each
// layer is one more view to match, so the cost stays a small constant per
// byte.
var chains = []struct{ mask, depth int }{
	{famAll, 3}, {famJSON, 2}, {famURL, 1}, {famHTML, 1},
}

// eachView calls fn with each folded view of s: the raw text, then the
// decoded layers of every chain, as long as decoding changes something,
// each distinct view once. Views are made one at a time, so that a long
// text costs a few views' memory (9 bytes a byte each), not all of them.
func eachView(s string, fn func(view) error) error {
	raw := rawView(s)
	if err := fn(fold(raw)); err != nil {
		return err
	}
	if !mayBeEscaped(s) {
		return nil
	}
	// What a view of a chain repeats is usually a view of an earlier chain
	// (JSON alone gives what all families give when there is no %HH):
	// remembered by hash, with a seed a target cannot know.
	seed := maphash.MakeSeed()
	seen := map[uint64]bool{viewHash(seed, raw): true}
	for _, c := range chains {
		cur := raw
		for range c.depth {
			next, changed := decode(cur, c.mask)
			if !changed {
				break
			}
			if h := viewHash(seed, next); !seen[h] {
				seen[h] = true
				if err := fn(fold(next)); err != nil {
					return err
				}
			}
			cur = next
		}
	}
	return nil
}

// viewHash hashes v's bytes and spans.
func viewHash(seed maphash.Seed, v view) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.Write(v.b)
	buf := make([]byte, 0, 4096)
	for i := range v.start {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(v.start[i]))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(v.end[i]))
		if len(buf) >= 4088 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return h.Sum64()
}

// mayBeEscaped is the cheap test that spares decoding text without escapes.
func mayBeEscaped(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '%', '&':
			return true
		}
	}
	return false
}
