package caselang

// Checks of what a failed authorization must not carry (FAIL).

import (
	"fmt"
	"sort"
	"strings"
)

// NoPrevileges expects a failure without previleges (FAIL-2).
func NoPrevileges(req string) Check {
	return Check{Req: req, Name: "no previleges on failure", eval: func(o Observation) result {
		for _, k := range []string{"previleges", "privileges"} {
			if _, ok := o.Response[k]; ok {
				return result{expected: "no " + k + " in a failure", actual: k + " " + describeField(o.Response, k)}
			}
		}
		return result{ok: true}
	}}
}

// RecordTokensInFailure records whether a failure carried tokens (FAIL-1: a
// token there is only a defect if it works; a later step tries it).
func RecordTokensInFailure(req string) Check {
	return Check{Req: req, Name: "tokens in failure", eval: func(o Observation) result {
		var present []string
		for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
			if s, _ := o.Response[k].(string); s != "" {
				present = append(present, k)
			}
		}
		if len(present) == 0 {
			return result{ok: true, note: "no token"}
		}
		return result{ok: true, note: "carries " + strings.Join(present, ", ") + "; the next step checks it is not usable"}
	}}
}

// RecordError records the error text of a failure (FAIL-3).
func RecordError(req string) Check {
	return Check{Req: req, Name: "error text", eval: func(o Observation) result {
		if s, ok := o.Response["error"].(string); ok {
			return result{ok: true, note: fmt.Sprintf("error %q", s)}
		}
		return result{ok: true, note: "no error field"}
	}}
}

// NoCredentialEcho expects no response field to contain a password or PIN
// the request sent (FAIL-5), however short, in any letter case (a PIN is
// case-insensitive). A short credential counts where it stands as a word of
// its own ("wrong PIN 396"), so that a PIN like "396" inside a longer
// number is no false alarm; the token fields and the requestId (the
// suite's own echo) are not searched.
func NoCredentialEcho(req string) Check {
	return Check{Req: req, Name: "credentials not echoed", eval: func(o Observation) result {
		var hits []string
		walkStrings(o.Response, "", func(path, s string) {
			switch path {
			case ".token", ".tokenForHttpServer", ".overlayHttpToken", ".requestId":
				return
			}
			for _, c := range o.Sent {
				if c != "" && containsCredential(s, c) {
					hits = append(hits, path)
				}
			}
		})
		if len(hits) == 0 {
			return result{ok: true}
		}
		sort.Strings(hits)
		return result{expected: "no field containing the credentials sent", actual: "credentials found in " + strings.Join(hits, ", ")}
	}}
}

// containsCredential reports whether s contains credential c: anywhere for
// a credential of 8 characters or more, as a word of its own for a shorter
// one; in any letter case.
func containsCredential(s, c string) bool {
	ls, lc := strings.ToLower(s), strings.ToLower(c)
	if len(c) >= 8 {
		return strings.Contains(ls, lc)
	}
	for i := 0; ; {
		j := strings.Index(ls[i:], lc)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(lc)
		if (start == 0 || !isWordByte(ls[start-1])) && (end == len(ls) || !isWordByte(ls[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// --- envelope ------------------------------------------------------------------
