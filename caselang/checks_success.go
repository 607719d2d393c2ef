package caselang

// Checks of what a successful authorization carries (AUTH, SW-1).

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/roomconform/conform/internal/jsonnum"
)

// Previleges expects the granted mode.
func Previleges(req string, m Mode) Check {
	return Check{Req: req, Name: "previleges", Want: fmt.Sprintf("previleges %d (%s)", m.Previleges(), m), eval: func(o Observation) result {
		want := m.Previleges()
		got, ok := jsonnum.Int(o.Response["previleges"])
		if ok && got == want {
			return result{ok: true}
		}
		actual := "previleges " + describeField(o.Response, "previleges")
		if !ok {
			actual += "; " + outcome(o.Response)
		}
		return result{expected: fmt.Sprintf("previleges %d (%s)", want, m), actual: actual}
	}}
}

// PrevilegesField expects the documented spelling and a value 1 or 2 (AUTH-1).
func PrevilegesField(req string) Check {
	return Check{Req: req, Name: "previleges field", eval: func(o Observation) result {
		if _, misspelt := o.Response["privileges"]; misspelt {
			if _, both := o.Response["previleges"]; !both {
				return result{expected: `field "previleges" (the documented spelling)`, actual: `field "privileges" instead`}
			}
		}
		v, ok := jsonnum.Int(o.Response["previleges"])
		if ok && (v == 1 || v == 2) {
			return result{ok: true}
		}
		return result{expected: "previleges: JSON integer 1 or 2", actual: "previleges " + describeField(o.Response, "previleges")}
	}}
}

// Tokens expects token and tokenForHttpServer as non-empty strings (AUTH-2).
func Tokens(req string) Check {
	return Check{Req: req, Name: "tokens", eval: func(o Observation) result {
		var bad []string
		for _, k := range []string{"token", "tokenForHttpServer"} {
			if s, ok := o.Response[k].(string); !ok || s == "" {
				bad = append(bad, k+" "+describeField(o.Response, k))
			}
		}
		if len(bad) == 0 {
			return result{ok: true}
		}
		return result{expected: "token and tokenForHttpServer: non-empty strings", actual: strings.Join(bad, "; ")}
	}}
}

// TokensDiffer expects token and tokenForHttpServer to differ (AUTH-5).
func TokensDiffer(req string) Check {
	return Check{Req: req, Name: "token differs from tokenForHttpServer", eval: func(o Observation) result {
		a, _ := o.Response["token"].(string)
		b, _ := o.Response["tokenForHttpServer"].(string)
		if a != "" && a != b {
			return result{ok: true}
		}
		return result{expected: "token != tokenForHttpServer", actual: "equal (or missing)"}
	}}
}

// FreshTokensVersus expects token and tokenForHttpServer to differ from
// those of the earlier step (SW-1: a status change issues fresh tokens).
func FreshTokensVersus(req, step string) Check {
	return Check{Req: req, Name: "fresh tokens", eval: func(o Observation) result {
		before := o.Earlier[step]
		var same []string
		for _, k := range []string{"token", "tokenForHttpServer"} {
			now, _ := o.Response[k].(string)
			old, _ := before[k].(string)
			if now == "" || now == old {
				same = append(same, k)
			}
		}
		if len(same) == 0 {
			return result{ok: true}
		}
		return result{expected: "tokens different from those of step " + step, actual: strings.Join(same, " and ") + " missing or unchanged"}
	}}
}

// RecordOverlay records overlayHttpToken's presence and shape (AUTH-3).
func RecordOverlay(req string) Check {
	return Check{Req: req, Name: "overlayHttpToken", eval: func(o Observation) result {
		v, present := o.Response["overlayHttpToken"]
		switch s, isStr := v.(string); {
		case !present:
			return result{ok: true, note: "absent"}
		case isStr && s != "":
			return result{ok: true, note: "present, a non-empty string"}
		default:
			return result{ok: true, note: "present but not a non-empty string: " + describeField(o.Response, "overlayHttpToken")}
		}
	}}
}

// TokenShapeRE is the shape of the documentation's example tokens (AUTH-4).
var TokenShapeRE = regexp.MustCompile(`^\d+\*[A-Za-z0-9]{16}\*\d+\*[0-9A-F]{64}$`)

// RecordTokenShape records whether the tokens look like the doc examples.
func RecordTokenShape(req string) Check {
	return Check{Req: req, Name: "token shape", eval: func(o Observation) result {
		var notes []string
		for _, k := range []string{"token", "tokenForHttpServer"} {
			s, _ := o.Response[k].(string)
			if TokenShapeRE.MatchString(s) {
				notes = append(notes, k+" matches the documented shape")
			} else {
				notes = append(notes, fmt.Sprintf("%s has another shape (%d characters)", k, len(s)))
			}
		}
		return result{ok: true, note: strings.Join(notes, "; ")}
	}}
}

// DistinctTokens expects every successful answer of the case to carry a
// different token (AUTH-5, over a repeated step).
func DistinctTokens(req string) Check {
	return Check{Req: req, Name: "distinct tokens", all: func(obs []Observation) result {
		seen := map[string]int{}
		n := 0
		for _, o := range obs {
			if s, ok := o.Response["token"].(string); ok && s != "" {
				seen[s]++
				n++
			}
		}
		if n == 0 {
			return result{expected: "tokens from the repeated authorizations", actual: "no token received"}
		}
		if len(seen) == n {
			return result{ok: true, note: fmt.Sprintf("%d tokens, all distinct", n)}
		}
		return result{expected: fmt.Sprintf("%d distinct tokens", n), actual: fmt.Sprintf("%d distinct", len(seen))}
	}}
}

// --- failure fields ----------------------------------------------------------
