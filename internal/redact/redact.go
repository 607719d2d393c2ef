// Package redact keeps secrets out of everything conform writes: the
// operator's passwords and PINs, and every token a target issues.
//
// A Redactor matches every registered secret in the forms a target can echo
// it: as it is, in any letter case, behind any mix of JSON escapes (either
// hex case, \/, non-ASCII or control characters escaped), percent-encoded
// (also as a query value, where a space may be "+"), as HTML character
// references, and up to three such layers deep; the operator's own secrets
// also in hex and base64. It does so in one pass per decoding layer with
// Aho-Corasick automata, so its cost per byte does not grow with the number
// of secrets (see BenchmarkRedact).
//
// Redaction never stops: past MaxSecrets (or MaxPatternBytes) a Redactor withholds every text
// it is given rather than let an unregistered secret through, and says so
// (Overflowed), so that the run can end as an infrastructure error.
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
	"fmt"
	"sort"
	"strings"
	"sync"
)

// MaxSecrets bounds the distinct secrets one run registers. A run against a
// conformant target registers a few hundred (three tokens per successful
// login); beyond the bound a target is flooding tokens, and redaction
// withholds all text instead of growing without limit.
const MaxSecrets = 20000

// Withheld replaces every text once the Redactor has overflowed.
var Withheld = fmt.Sprintf("[withheld: more than %d secrets in one run; no text of this run can be shown safely]", MaxSecrets)

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
	mu       sync.Mutex
	known    map[string]bool // folded patterns already registered
	secrets  int
	bytes    int // of all registered forms
	overflow bool
	ls       levels
	// valueOnly are the labels whose short secrets are redacted only as
	// values (ValueOnly).
	valueOnly map[string]bool
}

// New returns an empty Redactor.
func New() *Redactor { return &Redactor{known: map[string]bool{}} }

// Add registers a secret under a label ("token", "user-pin"). Empty
// secrets are ignored; adding a known secret again keeps its first label.
func (r *Redactor) Add(label, secret string) { r.add(label, secret, false) }

// AddOperator registers one of the operator's own secrets: like Add, and
// also its hex and base64 forms, which a target could echo a password in.
func (r *Redactor) AddOperator(label, secret string) { r.add(label, secret, true) }

func (r *Redactor) add(label, secret string, encodings bool) {
	if r == nil || secret == "" {
		return
	}
	forms := []string{secret}
	if strings.Contains(secret, " ") {
		forms = append(forms, strings.ReplaceAll(secret, " ", "+")) // a query value
	}
	if encodings {
		forms = append(forms, encodedForms(secret)...)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.overflow {
		return
	}
	if !encodings && len(secret) < MinFreeText && r.valueOnly[label] {
		r.addValue(label, secret)
		return
	}
	if r.known[foldString(secret)] {
		return
	}
	size := 0
	for _, f := range forms {
		size += len(f)
	}
	if r.secrets >= MaxSecrets || r.bytes+size > MaxPatternBytes {
		r.overflow = true
		return
	}
	r.secrets++
	r.bytes += size
	for _, f := range forms {
		folded := foldString(f)
		if r.known[folded] {
			continue
		}
		r.known[folded] = true
		r.ls.add(pattern{text: []byte(folded), label: label})
	}
}

// encodedForms are the hex and base64 spellings of s that are long enough
// to be told from ordinary text. Base64 of a secret inside a longer blob
// depends on the secret's offset modulo 3: the characters that depend on
// the secret's bytes alone are those of whole 3-byte groups, so each offset
// gives one form.
func encodedForms(s string) []string {
	var out []string
	if h := hex.EncodeToString([]byte(s)); len(h) >= minHexLen {
		out = append(out, h)
	}
	for off := range 3 {
		if len(s) <= off {
			break
		}
		rest := []byte(s[off:])
		whole := rest[:len(rest)/3*3]
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			if e := enc.EncodeToString(whole); len(e) >= minBase64Len {
				out = append(out, e)
			}
		}
	}
	return out
}

// Overflowed reports whether more than MaxSecrets secrets were offered:
// from then on every text is withheld.
func (r *Redactor) Overflowed() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.overflow
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
	limit = min(max(limit, 0), len(s))
	if r == nil || s == "" {
		return s[:limit], limit
	}
	r.mu.Lock()
	if r.overflow {
		r.mu.Unlock()
		return Withheld, len(s)
	}
	r.ls.searching(len(s))
	lvls := r.ls.snapshot()
	r.mu.Unlock()
	if len(lvls) == 0 {
		return s[:limit], limit
	}
	var hits []hit
	for _, v := range views(s) {
		for _, l := range lvls {
			hits = l.find(v, hits)
		}
	}
	return replace(s, limit, hits)
}

// replace writes s[:limit] (extended over crossing hits) with the merged
// hits replaced by markers.
func replace(s string, limit int, hits []hit) (string, int) {
	if len(hits) == 0 {
		return s[:limit], limit
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].start != hits[j].start {
			return hits[i].start < hits[j].start
		}
		return hits[i].end > hits[j].end
	})
	merged := hits[:1]
	for _, h := range hits[1:] {
		last := &merged[len(merged)-1]
		if h.start < last.end {
			last.end = max(last.end, h.end)
			if h.size > last.size {
				last.label, last.size = h.label, h.size
			}
			continue
		}
		merged = append(merged, h)
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
