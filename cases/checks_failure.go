package cases

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

// NoCredentialEcho expects no response field to contain a credential the
// request sent (FAIL-5). Short credentials must match a whole field value,
// so that a PIN like "396" inside a long token is not a false alarm.
func NoCredentialEcho(req string) Check {
	return Check{Req: req, Name: "credentials not echoed", eval: func(o Observation) result {
		var hits []string
		walkStrings(o.Response, "", func(path, s string) {
			for _, c := range o.Sent {
				if c == "" {
					continue
				}
				if strings.EqualFold(s, c) || (len(c) >= 8 && strings.Contains(s, c)) {
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

// --- envelope ------------------------------------------------------------------
