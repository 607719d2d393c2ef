package caselang

// Checks of the outcome: success, failure, a result code from an accepted set.

import (
	"fmt"
	"strings"

	"github.com/roomconform/conform/internal/jsonnum"
)

// Succeeds expects result true and resultCode 0.
func Succeeds(req string) Check {
	return Check{Req: req, Name: "success", Want: "success (result true, resultCode 0)", eval: func(o Observation) result {
		res, rok := o.Response["result"].(bool)
		code, cok := jsonnum.Int(o.Response["resultCode"])
		if rok && res && cok && code == 0 {
			return result{ok: true}
		}
		return result{expected: "success (result true, resultCode 0)", actual: outcome(o.Response)}
	}}
}

// Code expects resultCode to be one of codes (the accepted set).
func Code(req string, codes ...int) Check {
	return Check{Req: req, Name: "resultCode", Want: codeSet(codes), eval: func(o Observation) result {
		code, ok := jsonnum.Int(o.Response["resultCode"])
		want := codeSet(codes)
		if !ok {
			return result{expected: want, actual: "resultCode " + describeField(o.Response, "resultCode")}
		}
		for _, c := range codes {
			if code == c {
				return result{ok: true, note: fmt.Sprintf("saw %d", code)}
			}
		}
		return result{expected: want, actual: outcome(o.Response)}
	}}
}

// Fails expects result false (any non-zero code).
func Fails(req string) Check {
	return Check{Req: req, Name: "failure", Want: "a failure (result false)", eval: func(o Observation) result {
		if res, ok := o.Response["result"].(bool); ok && !res {
			return result{ok: true}
		}
		return result{expected: "a failure (result false)", actual: outcome(o.Response)}
	}}
}

// RecordOutcome records the answer for an INFO requirement; accepted lists
// the documented outcomes ("0/previleges 1", "5") to note whether it is among them.
func RecordOutcome(req string, accepted ...string) Check {
	return Check{Req: req, Name: "recorded outcome", eval: func(o Observation) result {
		seen := shortOutcome(o.Response)
		note := "saw " + seen
		if len(accepted) > 0 {
			in := false
			for _, a := range accepted {
				in = in || a == seen
			}
			if in {
				note += " (documented: " + strings.Join(accepted, " or ") + ")"
			} else {
				note += " (outside the documented " + strings.Join(accepted, " or ") + ")"
			}
		}
		return result{ok: true, note: note}
	}}
}

// --- success fields ----------------------------------------------------------
