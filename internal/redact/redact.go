// Package redact keeps secrets out of everything conform writes: the
// operator's passwords and PINs, and every token a target issues.
//
// A Redactor matches every registered secret in the forms a target can echo
// it: as it is, in any letter case, behind any mix of JSON escapes (either
// hex case, \/, non-ASCII or control characters escaped), percent-encoded
// (also as a query value, where a space may be "+"), as HTML character
// references, and up to three such layers deep; and in hex and base64
// (standard and URL alphabets, padded or not, at any offset in a longer
// encoded blob). Every registration gets every form, whoever registers it:
// the operator's secrets, a PIN read from the target, a derived password,
// a token. It does so in one pass per decoding layer with Aho-Corasick
// automata, so its cost per byte does not grow with the number of secrets
// (see BenchmarkRedact).
//
// Not covered (README.md, "Secrets"): a secret split across two texts
// (two frames, two JSON fields) or cut by the target, reversed or
// otherwise transformed, four or more escape layers, base64 or hex of an
// escaped secret, a case-changed base64 beyond what folding gives.
//
// Redaction never stops and never grows without bound: past MaxSecrets,
// MaxPatternBytes or MaxNodes (the automaton's own size), or when a text
// would cost matching more than a bounded amount of work per byte (secrets
// built to overlap at every byte), a Redactor withholds every text it is
// given rather than let an unregistered secret through, and says so
// (Overflowed, Overflow), so that the run can end as an infrastructure
// error.
//
// One ambiguity is left: decoding reads an escape wherever one starts, so a
// secret ending in an unfinished escape (a lone backslash) glued directly
// to the escaped form of another secret reads as one escape; the first
// secret is still redacted, the second may not be. A target can only do
// that knowingly, with the operator's secret in hand.
package redact

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// MaxSecrets bounds the distinct secrets one run registers. A run against a
// conformant target registers a few hundred (three tokens per successful
// login); beyond the bound a target is flooding tokens, and redaction
// withholds all text instead of growing without limit.
const MaxSecrets = 20000

// Withheld replaces every text once the Redactor has overflowed.
const Withheld = "[withheld: the target's secrets outgrew what redaction can hold; no text of this run can be shown safely]"

// MaxPatternBytes bounds the bytes of all registered forms together: a
// target issuing huge tokens overflows like one issuing many.
const MaxPatternBytes = 64 << 20

// The shortest hex and base64 forms registered: shorter ones would match
// ordinary text (hex is digits, and numbers are everywhere).
const (
	minHexLen    = 8
	minBase64Len = 4
)

// Redactor replaces registered secrets in text by "[REDACTED:label]". It is
// safe for concurrent use; a nil *Redactor redacts nothing. One Redactor
// serves a whole run, so a token learnt in one case is redacted in all.
type Redactor struct {
	mu    sync.Mutex
	known map[string]bool // folded patterns already registered
	// added are the secrets registered, as they were given (at most
	// MaxSecrets, their bytes counted in bytes): a run adds the same token
	// again with every answer that carries it, and this spares folding it
	// each time.
	added    map[string]bool
	secrets  int
	bytes    int    // of all registered forms
	overflow string // why every text is withheld; "" while redaction holds
	ls       levels
	// valueOnly are the labels whose short secrets are redacted only as
	// values (ValueOnly).
	valueOnly map[string]bool
}

// New returns an empty Redactor.
func New() *Redactor { return &Redactor{known: map[string]bool{}, added: map[string]bool{}} }

// Add registers a secret under a label ("token", "user-pin") with every
// form it may be echoed in: as it is, as a query value (a space as "+"),
// in hex and in base64 (see encodedForms). Empty secrets are ignored;
// adding a known secret again keeps its first label.
func (r *Redactor) Add(label, secret string) {
	if r == nil || secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.overflow != "" {
		return
	}
	if len(secret) < MinFreeText && r.valueOnly[label] {
		// Only as a value, and in no encoded form: the base64 of "FAIL"
		// would match free text again.
		r.addValue(label, secret)
		return
	}
	if r.added[secret] {
		return
	}
	if r.known[foldString(secret)] {
		// Before the forms are spelt: a run adds the same token again with
		// every answer that carries it. Another spelling of it is not
		// remembered: added holds what was registered, no more.
		return
	}
	forms := []form{{text: secret}}
	if strings.Contains(secret, " ") {
		forms = append(forms, form{text: strings.ReplaceAll(secret, " ", "+")}) // a query value
	}
	forms = append(forms, encodedForms(secret)...)
	size := 0
	for _, f := range forms {
		size += len(f.text)
	}
	switch {
	case r.secrets >= MaxSecrets:
		r.overflow = fmt.Sprintf("the target issued more than %d secrets (tokens)", MaxSecrets)
		return
	case r.bytes+size > MaxPatternBytes:
		r.overflow = fmt.Sprintf("the secrets (tokens) the target issued, in all their forms, exceed %d MiB", MaxPatternBytes>>20)
		return
	}
	r.secrets++
	r.bytes += size
	for _, f := range forms {
		folded := foldString(f.text)
		if r.known[folded] {
			continue
		}
		r.known[folded] = true
		r.ls.add(pattern{text: folded, label: label, head: foldString(f.head), tail: foldString(f.tail)})
	}
	r.added[secret] = true // at most MaxSecrets: r.secrets counts them
}

// form is one spelling of a secret, with what may stand around it (see
// pattern).
type form struct{ text, head, tail string }

// encodedForms are the hex and base64 spellings of s that are long enough
// to be told from ordinary text. Base64 of a secret inside a longer blob
// depends on the secret's offset modulo 3: the characters that depend on
// the secret's bytes alone are those of whole 3-byte groups, so each offset
// gives one form; the characters of the groups it shares with bytes before
// and after it (which encode some of its bits) are its head and tail,
// redacted with it.
func encodedForms(s string) []form {
	var out []form
	if h := hex.EncodeToString([]byte(s)); len(h) >= minHexLen {
		out = append(out, form{text: h})
	}
	for off := range 3 {
		if len(s) < off+3 {
			break
		}
		rest := []byte(s[off:])
		whole := rest[:len(rest)/3*3]
		left := rest[len(whole):]
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			f := form{text: enc.EncodeToString(whole)}
			if len(f.text) < minBase64Len {
				continue
			}
			// The secret's first bytes end a group that begins before it,
			// its last ones begin a group that ends after it: the character
			// where the bits of a neighbour mix in is any ('?').
			switch off {
			case 1:
				f.head = "?" + enc.EncodeToString([]byte{0, 0, s[0]})[3:]
			case 2:
				f.head = "?" + enc.EncodeToString([]byte{0, s[0], s[1]})[2:]
			}
			switch len(left) {
			case 1:
				f.tail = enc.EncodeToString([]byte{left[0], 0, 0})[:1] + "?"
			case 2:
				f.tail = enc.EncodeToString([]byte{left[0], left[1], 0})[:2] + "?"
			}
			out = append(out, f)
		}
	}
	return out
}

// Overflowed reports whether redaction gave up (see Overflow): from then
// on every text is withheld.
func (r *Redactor) Overflowed() bool { return r.Overflow() != "" }

// Overflow says why redaction gave up ("the target issued more than 20000
// secrets (tokens)"), "" while it holds. It names no secret.
func (r *Redactor) Overflow() string {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.overflow
}

// giveUp records why redaction gave up on err, a bound of the matcher's.
func (r *Redactor) giveUp(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.overflow != "" {
		return
	}
	switch {
	case errors.Is(err, errTooLarge):
		r.overflow = fmt.Sprintf("the secrets (tokens) the target issued would grow the redaction automaton past %d nodes (they share long prefixes)", MaxNodes)
	default:
		r.overflow = "the secrets (tokens) the target issued overlap so that matching a text would cost more than a bounded amount of work per byte"
	}
}

// Len returns the number of distinct secrets registered.
func (r *Redactor) Len() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.secrets
}

// Redact returns s with every occurrence of every registered secret
// replaced by "[REDACTED:label]". Overlapping occurrences merge into one
// marker named after the longest secret, so no byte of any secret survives.
func (r *Redactor) Redact(s string) string {
	out, _ := r.RedactPrefix(s, len(s))
	return out
}

// RedactPrefix redacts s but returns only the text of s[:limit], extended
// to the end of any secret that starts before limit and ends after it;
// consumed (>= limit) is how much of s the result covers. It lets callers
// cut text (a transcript's long payload, a console line that never ends)
// without ever leaving part of a secret that redacting the whole text
// would have removed.
func (r *Redactor) RedactPrefix(s string, limit int) (out string, consumed int) {
	return r.redact(s, limit, false)
}

// RedactCut is RedactPrefix for s that is the beginning of a longer text
// that is gone (a payload stored cut): a secret that starts in s and
// matches up to its end (an escape cut open at the very end aside) is taken
// to run past it, and is redacted from where it starts to the end of s.
// Only the secret's key (its shortest prefix no other secret shares) need
// be in s.
func (r *Redactor) RedactCut(s string, limit int) (out string, consumed int) {
	return r.redact(s, limit, true)
}

func (r *Redactor) redact(s string, limit int, cut bool) (string, int) {
	out := r.prefixes(s, cut, limit)
	return out[0].Text, out[0].Consumed
}

// Prefix is one result of RedactPrefixes.
type Prefix struct {
	Text     string
	Consumed int
}

// RedactPrefixes is RedactPrefix for each of limits, at the cost of one:
// the text is searched once.
func (r *Redactor) RedactPrefixes(s string, limits ...int) []Prefix {
	return r.prefixes(s, false, limits...)
}

func (r *Redactor) prefixes(s string, cut bool, limits ...int) []Prefix {
	out := make([]Prefix, len(limits))
	for i, limit := range limits {
		limit = min(max(limit, 0), len(s))
		out[i] = Prefix{s[:limit], limit}
	}
	if r == nil || s == "" {
		return out
	}
	withheld := func() []Prefix {
		for i := range out {
			out[i] = Prefix{Withheld, len(s)}
		}
		return out
	}
	r.mu.Lock()
	if r.overflow != "" {
		r.mu.Unlock()
		return withheld()
	}
	err := r.ls.searching(len(s))
	var lvls []*level
	if err == nil {
		lvls, err = r.ls.snapshot()
	}
	r.mu.Unlock()
	if err != nil {
		r.giveUp(err)
		return withheld()
	}
	if len(lvls) == 0 {
		return out
	}
	sr := search{compact: 1024, cut: cut, rawLen: len(s), work: workBase}
	err = eachView(s, func(v view) error {
		sr.newView(v)
		for _, l := range lvls {
			if err := l.find(v, &sr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.giveUp(err)
		return withheld()
	}
	merged := merge(sr.hits)
	for i := range out {
		out[i].Text, out[i].Consumed = replace(s, out[i].Consumed, merged)
	}
	return out
}

// replace writes s[:limit] (extended over crossing hits) with the merged
// hits replaced by markers.
func replace(s string, limit int, merged []hit) (string, int) {
	if len(merged) == 0 {
		return s[:limit], limit
	}
	consumed := limit
	var b strings.Builder
	b.Grow(limit)
	pos := 0
	for _, h := range merged {
		if h.start >= consumed {
			break
		}
		b.WriteString(s[pos:h.start])
		b.WriteString("[REDACTED:")
		b.WriteString(h.label)
		b.WriteString("]")
		pos = h.end
		consumed = max(consumed, h.end)
	}
	if pos < consumed {
		b.WriteString(s[pos:consumed])
	}
	return b.String(), consumed
}
