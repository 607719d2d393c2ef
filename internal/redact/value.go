package redact

import (
	"fmt"
	"strings"
)

// MinFreeText is the length from which a secret of the target's is
// redacted wherever it occurs. A shorter one of a ValueOnly label is
// redacted only where it stands as a value: a target choosing a token equal
// to a word of the console's ("FAIL", "PASS") must not erase that word
// everywhere. Such a token gives little away anyway.
const MinFreeText = 8

// ValueOnly names labels (the token fields a target fills in) whose
// secrets shorter than MinFreeText, added with Add, are redacted only where
// they stand as a value: a JSON string ("tok", its quotes kept) or a query
// or form value (=tok). The operator's secrets (other labels) and longer
// secrets are redacted everywhere, whatever their label.
func (r *Redactor) ValueOnly(labels ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.valueOnly == nil {
		r.valueOnly = map[string]bool{}
	}
	for _, l := range labels {
		r.valueOnly[l] = true
	}
}

// valueForms are the forms of a short secret standing as a value, each
// with how many bytes of context before and after it the match needs but
// leaves in place.
func valueForms(s string) []pattern {
	out := []pattern{{text: `"` + s + `"`, lead: 1, trail: 1}, {text: "=" + s, lead: 1}}
	if strings.Contains(s, " ") {
		out = append(out, pattern{text: "=" + strings.ReplaceAll(s, " ", "+"), lead: 1})
	}
	return out
}

// addValue registers the value forms of a short secret (r.mu held). They
// are known apart from the secret itself, so that the same text registered
// later as a secret of another label is still redacted everywhere.
func (r *Redactor) addValue(label, secret string) {
	forms := valueForms(secret)
	size := 0
	for _, f := range forms {
		size += len(f.text)
	}
	if r.known[foldString(forms[0].text)] {
		return
	}
	if r.secrets >= MaxSecrets || r.bytes+size > MaxPatternBytes {
		r.overflow = fmt.Sprintf("the target issued more than %d secrets (tokens), or their forms exceed %d MiB", MaxSecrets, MaxPatternBytes>>20)
		return
	}
	r.secrets++
	r.bytes += size
	for _, f := range forms {
		f.text = foldString(f.text)
		if r.known[f.text] {
			continue
		}
		r.known[f.text] = true
		f.label = label
		r.ls.add(f)
	}
}
