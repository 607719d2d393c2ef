package caselang

// The check model: what a step observed, and a check that judges it.

import (
	"path"
	"reflect"
	"runtime"
	"strings"
	"time"
)

// Observation is what one step sent and got: the input of every check.
type Observation struct {
	// Step names the step ("login", or "#2" for an unnamed one).
	Step string
	// Request is the request as sent, decoded (nil for raw payloads).
	Request map[string]any
	// Response is the decoded answer; nil when there was none or it was not
	// a JSON object (ResponseErr says which).
	Response    map[string]any
	ResponseErr string
	// Malformed is set when an answer came that was not one JSON object
	// in a text frame (invalid JSON, more than one value, not an object,
	// a binary frame): ResponseErr says how.
	Malformed bool
	// Matched is false when the answer's requestId did not match the request.
	Matched bool
	// Sent lists the secret and credential values the request carried (FAIL-5).
	Sent []string
	// Profile is the target's profile (some checks depend on it).
	Profile Profile
	// Earlier holds the answers of earlier named steps of the same case.
	Earlier map[string]map[string]any
	// Closed is set when the connection ended instead of answering.
	Closed bool
	// HTTPStatus is the embedded HTTP server's status code (HTTP steps).
	HTTPStatus int
	// Waited and Attempts describe a polling step (RC-6 lockout).
	Waited   time.Duration
	Attempts int
}

// answered reports whether the step got anything to judge.
func (o Observation) answered() bool { return o.Response != nil || o.HTTPStatus != 0 }

// Check is one expectation on a step's answer, attributed to one requirement.
// Cases build checks with the constructors below; the logic is plain Go.
type Check struct {
	Req  string
	Name string
	// Want says the accepted answer in words ("resultCode 4 or 8"), where
	// the check has one (conform explain shows it); Expects falls back to
	// Name.
	Want string
	eval func(o Observation) result
	// all is set for checks over every observation of a case (Case.After).
	all func(obs []Observation) result
	// closedOK accepts a closed connection instead of an answer.
	closedOK bool
	// noAnswerOK makes eval judge a missing answer itself (recording checks).
	noAnswerOK bool
	// byModel: the engine takes the result from the model (AsTheReadingSays).
	byModel bool
}

// Expects says what the check accepts: Want, or else its name.
func (c Check) Expects() string {
	if c.Want != "" {
		return c.Want
	}
	return c.Name
}

// OrClosed returns the check accepting a connection the server closed
// instead of answering. FAIL-4 uses it after a failed auth: a server that
// closes there breaks only the SHOULD of ENV-9, and a closed connection
// certainly grants nothing.
func (c Check) OrClosed() Check {
	c.closedOK = true
	return c
}

// result is a check's raw outcome before it becomes a Finding.
type result struct {
	ok               bool
	expected, actual string
	note             string
}

// Evaluate applies the check to one observation.
func (c Check) Evaluate(o Observation) Finding {
	f := Finding{Requirement: c.Req, Level: LevelOf(c.Req), Check: c.Name, Step: o.Step}
	var r result
	switch {
	case c.eval == nil:
		r = result{note: "check has no evaluation for a single step"}
	case !o.answered() && o.Closed && c.closedOK:
		r = result{ok: true, note: "the connection was closed instead: nothing granted"}
	case !o.answered() && c.noAnswerOK:
		r = c.eval(o)
	case !o.answered() && LevelOf(c.Req) != Info:
		r = result{expected: "a JSON object response", actual: nonEmpty(o.ResponseErr, "no response")}
	case !o.answered():
		r = result{ok: true, note: "not recorded: " + nonEmpty(o.ResponseErr, "no response")}
	default:
		r = c.eval(o)
	}
	f.OK, f.Expected, f.Actual, f.Note = r.ok, r.expected, r.actual, r.note
	return f
}

// EvaluateAll applies a whole-case check to every observation.
func (c Check) EvaluateAll(obs []Observation) Finding {
	f := Finding{Requirement: c.Req, Level: LevelOf(c.Req), Check: c.Name}
	r := result{note: "check has no whole-case evaluation"}
	if c.all != nil {
		r = c.all(obs)
	}
	f.OK, f.Expected, f.Actual, f.Note = r.ok, r.expected, r.actual, r.note
	return f
}

// Constructor names the function that built the check, as package.Symbol
// ("caselang.Code"): docs/requirements.md says by these names what checks
// each requirement. It is read from the check's own code, so that no
// constructor has to spell its name: the closure a constructor returns is
// named after the function it is written in, also where the compiler
// inlined the constructor into a caller ("....cases.granted.Succeeds.func1"),
// and the package is Check's, the only one that can give a check its code.
// "" for a check without code (Send.ExactlyOne's stand-in in Validate).
// TestEveryCheckNamesItsConstructor holds the names to the source.
func (c Check) Constructor() string {
	var fn any
	switch {
	case c.eval != nil:
		fn = c.eval
	case c.all != nil:
		fn = c.all
	default:
		return ""
	}
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return ""
	}
	return checkPackage + "." + enclosingFunc(f.Name())
}

// checkPackage is the name of Check's package ("caselang").
var checkPackage = path.Base(reflect.TypeFor[Check]().PkgPath())

// enclosingFunc returns the function a closure's symbol says it is written
// in: the last element before the closure's own ("func1", "func1.2").
func enclosingFunc(symbol string) string {
	symbol = symbol[strings.LastIndex(symbol, "/")+1:]
	for { // type arguments of a generic function may hold dots
		i := strings.Index(symbol, "[")
		j := strings.Index(symbol, "]")
		if i < 0 || j < i {
			break
		}
		symbol = symbol[:i] + symbol[j+1:]
	}
	parts := strings.Split(symbol, ".")[1:] // the package's name first
	for len(parts) > 1 && isClosureName(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}

// isClosureName reports whether an element of a symbol names a closure
// ("func3") or a closure within one ("2").
func isClosureName(s string) bool {
	s = strings.TrimPrefix(s, "func")
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// --- result codes -----------------------------------------------------------
