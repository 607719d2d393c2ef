package reports

import (
	"strconv"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// FindingKey names a finding across runs: the case (its key, with
// "@profile" when the walk ran it in another profile), the requirement,
// the check and what was expected, in the form a baseline line starts
// with:
//
//	rc-8-wrong-user-pin RC-8 check="resultCode" expected="resultCode 8"
//
// What the target did (actual) is left out: a different wrong answer to
// the same check is the same finding. A different check, or the same
// check expecting something else, is another finding. The key is made
// from the report's text (redacted, one line), so that a key read from
// results.json or a baseline file matches the run that wrote it.
func FindingKey(caseKey string, f caselang.Finding) string {
	var b strings.Builder
	b.WriteString(caseKey)
	b.WriteByte(' ')
	b.WriteString(f.Requirement)
	b.WriteString(" check=")
	b.WriteString(strconv.Quote(f.Check))
	b.WriteString(" expected=")
	b.WriteString(strconv.Quote(f.Expected))
	return b.String()
}

// parseKey reads a finding key at the start of fields (a baseline line
// split at spaces, quotes kept together: splitQuoted), returning the key
// and the fields after it; ok is false when the fields do not start with
// one (a case-only line).
func parseKey(fields []string) (key string, rest []string, ok bool) {
	if len(fields) < 4 || !strings.HasPrefix(fields[2], "check=") || !strings.HasPrefix(fields[3], "expected=") {
		return "", fields, false
	}
	check, err1 := strconv.Unquote(strings.TrimPrefix(fields[2], "check="))
	expected, err2 := strconv.Unquote(strings.TrimPrefix(fields[3], "expected="))
	if err1 != nil || err2 != nil {
		return "", fields, false
	}
	key = FindingKey(fields[0], caselang.Finding{Requirement: fields[1], Check: check, Expected: expected})
	return key, fields[4:], true
}

// splitQuoted splits a line at runs of spaces, except inside a Go-quoted
// string (as FindingKey writes check= and expected=).
func splitQuoted(line string) []string {
	var out []string
	var cur strings.Builder
	inQuote, escaped := false, false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
		case inQuote && r == '\\':
			escaped = true
		case r == '"':
			inQuote = !inQuote
		case !inQuote && (r == ' ' || r == '\t'):
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}
