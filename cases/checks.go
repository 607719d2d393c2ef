package cases

import (
	"encoding/json"
	"fmt"

	"github.com/roomconform/conform/internal/jsonnum"
	"regexp"
	"sort"
	"strconv"
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
	eval func(o Observation) result
	// all is set for checks over every observation of a case (Case.After).
	all func(obs []Observation) result
	// closedOK accepts a closed connection instead of an answer.
	closedOK bool
	// noAnswerOK makes eval judge a missing answer itself (recording checks).
	noAnswerOK bool
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

// --- result codes -----------------------------------------------------------

// Succeeds expects result true and resultCode 0.
func Succeeds(req string) Check {
	return Check{Req: req, Name: "success", eval: func(o Observation) result {
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
	return Check{Req: req, Name: "resultCode", eval: func(o Observation) result {
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
	return Check{Req: req, Name: "failure", eval: func(o Observation) result {
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

// Previleges expects the granted mode.
func Previleges(req string, m Mode) Check {
	return Check{Req: req, Name: "previleges", eval: func(o Observation) result {
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

// Method expects the response's method to be name (ENV-2).
func Method(req, name string) Check {
	return Check{Req: req, Name: "method", eval: func(o Observation) result {
		if s, ok := o.Response["method"].(string); ok && s == name {
			return result{ok: true}
		}
		return result{expected: fmt.Sprintf("method %q", name), actual: "method " + describeField(o.Response, "method")}
	}}
}

// ResultTypes expects result to be a boolean and resultCode an integer in 0..12 (ENV-6).
func ResultTypes(req string) Check {
	return Check{Req: req, Name: "result and resultCode types", eval: func(o Observation) result {
		var bad []string
		if _, ok := o.Response["result"].(bool); !ok {
			bad = append(bad, "result "+describeField(o.Response, "result"))
		}
		if c, ok := jsonnum.Int(o.Response["resultCode"]); !ok || c < 0 || c > 12 {
			bad = append(bad, "resultCode "+describeField(o.Response, "resultCode"))
		}
		if len(bad) == 0 {
			return result{ok: true}
		}
		return result{expected: "result: boolean; resultCode: integer 0..12", actual: strings.Join(bad, "; ")}
	}}
}

// Consistent expects result true exactly when resultCode is 0 (ENV-7).
func Consistent(req string) Check {
	return Check{Req: req, Name: "result agrees with resultCode", eval: func(o Observation) result {
		res, rok := o.Response["result"].(bool)
		code, cok := jsonnum.Int(o.Response["resultCode"])
		if rok && cok && res == (code == 0) {
			return result{ok: true}
		}
		return result{expected: "result true exactly when resultCode is 0", actual: outcome(o.Response)}
	}}
}

// Envelope is the envelope checks every auth response must pass.
func Envelope() []Check {
	return []Check{Method("ENV-2", "auth"), ResultTypes("ENV-6"), Consistent("ENV-7")}
}

// EchoesRequestID expects the response's requestId to equal the request's
// string requestId byte for byte (ENV-3).
func EchoesRequestID(req string) Check {
	return Check{Req: req, Name: "requestId echoed", eval: func(o Observation) result {
		sent, _ := o.Request["requestId"].(string)
		got, ok := o.Response["requestId"].(string)
		if ok && got == sent {
			return result{ok: true}
		}
		return result{expected: "requestId " + quoteShort(sent), actual: "requestId " + describeField(o.Response, "requestId")}
	}}
}

// EmptyOrNoRequestID expects requestId "" or absent (ENV-4; accepted set).
func EmptyOrNoRequestID(req string) Check {
	return Check{Req: req, Name: "requestId empty or absent", eval: func(o Observation) result {
		v, present := o.Response["requestId"]
		if !present {
			return result{ok: true, note: "absent"}
		}
		if s, ok := v.(string); ok && s == "" {
			return result{ok: true, note: `""`}
		}
		return result{expected: `requestId "" or absent`, actual: "requestId " + describeField(o.Response, "requestId")}
	}}
}

// RecordRequestIDEcho records how a numeric requestId came back (ENV-5).
func RecordRequestIDEcho(req string) Check {
	return Check{Req: req, Name: "numeric requestId", eval: func(o Observation) result {
		v, present := o.Response["requestId"]
		switch t := v.(type) {
		case json.Number:
			return result{ok: true, note: "echoed as a number " + t.String()}
		case string:
			return result{ok: true, note: fmt.Sprintf("echoed as a string %q", t)}
		}
		if !present {
			return result{ok: true, note: "not echoed (absent); " + shortOutcome(o.Response)}
		}
		return result{ok: true, note: "echoed as " + describeField(o.Response, "requestId")}
	}}
}

// Answered expects an answer at all (ENV-9: the connection survived a failure).
func Answered(req string) Check {
	return Check{Req: req, Name: "answered", eval: func(o Observation) result { return result{ok: true} }}
}

// --- other methods -------------------------------------------------------------

// Refused expects a privileged command to be refused and to reveal nothing (SEC-1).
func Refused(req string) Check {
	return Check{Req: req, Name: "refused before auth", eval: func(o Observation) result {
		res, isBool := o.Response["result"].(bool)
		_, hasErr := o.Response["error"]
		var leaks []string
		for _, k := range []string{"adminAuth", "userAuth"} {
			if _, ok := o.Response[k]; ok {
				leaks = append(leaks, k)
			}
		}
		refused := (isBool && !res) || (hasErr && !(isBool && res))
		switch {
		case !refused:
			return result{expected: "refusal (result false and/or an error field)", actual: shortOutcome(o.Response)}
		case len(leaks) > 0:
			return result{expected: "no adminAuth/userAuth before auth", actual: "revealed " + strings.Join(leaks, ", ")}
		}
		return result{ok: true}
	}}
}

// Accepted expects a non-auth command to succeed (result true).
func Accepted(req string) Check {
	return Check{Req: req, Name: "command accepted", eval: func(o Observation) result {
		if res, ok := o.Response["result"].(bool); ok && res {
			return result{ok: true}
		}
		return result{expected: "result true", actual: shortOutcome(o.Response)}
	}}
}

// TokenField expects a non-empty string token (getTokenForHttpServer, LIFE-6).
func TokenField(req string) Check {
	return Check{Req: req, Name: "token field", eval: func(o Observation) result {
		if s, ok := o.Response["token"].(string); ok && s != "" {
			return result{ok: true}
		}
		return result{expected: "token: a non-empty string", actual: "token " + describeField(o.Response, "token")}
	}}
}

// ShowsPIN expects getAuthInfo's userAuth.pin to be a non-empty string (SEC-2, admin).
func ShowsPIN(req string) Check {
	return Check{Req: req, Name: "userAuth.pin shown", eval: func(o Observation) result {
		ua, _ := o.Response["userAuth"].(map[string]any)
		if s, ok := ua["pin"].(string); ok && s != "" {
			return result{ok: true}
		}
		return result{expected: "userAuth.pin: the PIN (admin connection, user security pin)", actual: "userAuth " + describeField(o.Response, "userAuth")}
	}}
}

// HidesPIN expects getAuthInfo without userAuth.pin (SEC-2 user, SW-2).
func HidesPIN(req string) Check {
	return Check{Req: req, Name: "userAuth.pin hidden", eval: func(o Observation) result {
		if res, ok := o.Response["result"].(bool); !ok || !res {
			return result{expected: "getAuthInfo answered (result true) without userAuth.pin", actual: shortOutcome(o.Response)}
		}
		ua, _ := o.Response["userAuth"].(map[string]any)
		if _, ok := ua["pin"]; ok {
			return result{expected: "no userAuth.pin on a user connection", actual: "userAuth.pin present"}
		}
		return result{ok: true}
	}}
}

// --- HTTP server, notifications, robustness, discovery, lockout ----------------

// HTTPAccepted expects the embedded HTTP server to accept the token (2xx).
func HTTPAccepted(req string) Check {
	return Check{Req: req, Name: "HTTP server accepts the token", eval: func(o Observation) result {
		if o.HTTPStatus >= 200 && o.HTTPStatus < 300 {
			return result{ok: true, note: fmt.Sprintf("HTTP %d", o.HTTPStatus)}
		}
		return result{expected: "HTTP 2xx", actual: httpActual(o)}
	}}
}

// HTTPRefused expects the embedded HTTP server to refuse the token (any 4xx:
// requirements.md leaves the exact status open).
func HTTPRefused(req string) Check {
	return Check{Req: req, Name: "HTTP server refuses the token", eval: func(o Observation) result {
		if o.HTTPStatus >= 400 && o.HTTPStatus < 500 {
			return result{ok: true, note: fmt.Sprintf("HTTP %d", o.HTTPStatus)}
		}
		return result{expected: "HTTP 4xx", actual: httpActual(o)}
	}}
}

func httpActual(o Observation) string {
	if o.HTTPStatus == 0 {
		return nonEmpty(o.ResponseErr, "no HTTP answer")
	}
	return fmt.Sprintf("HTTP %d", o.HTTPStatus)
}

// EventCause expects the notification awaited to carry this cause (SEC-3).
func EventCause(req string, cause int) Check {
	return Check{Req: req, Name: "notification cause", eval: func(o Observation) result {
		if c, ok := jsonnum.Int(o.Response["cause"]); ok && c == cause {
			return result{ok: true}
		}
		return result{expected: fmt.Sprintf("cause %d", cause), actual: "cause " + describeField(o.Response, "cause")}
	}}
}

// RecordReaction records what a connection did after a bad frame: an
// answer, a close, or nothing (ROB-2).
func RecordReaction(req string) Check {
	return Check{Req: req, Name: "reaction", noAnswerOK: true, eval: func(o Observation) result {
		switch {
		case o.Response != nil:
			return result{ok: true, note: "answered: " + shortOutcome(o.Response) + errorNote(o.Response)}
		case o.Closed:
			return result{ok: true, note: "closed the connection: " + o.ResponseErr}
		case o.ResponseErr != "":
			return result{ok: true, note: o.ResponseErr}
		}
		return result{ok: true, note: "no answer and no close within the window"}
	}}
}

func errorNote(m map[string]any) string {
	if e, ok := m["error"].(string); ok {
		return fmt.Sprintf(" (error %q)", e)
	}
	return ""
}

// ConfigPorts expects config.json's websocket and http ports as JSON
// integers in 1..65535 (DISC-1).
func ConfigPorts(req string) Check {
	return Check{Req: req, Name: "config.json ports", eval: func(o Observation) result {
		cfg, _ := o.Response["config"].(map[string]any)
		var bad []string
		for _, k := range []string{"websocket", "http"} {
			sec, _ := cfg[k].(map[string]any)
			if p, ok := jsonnum.Int(sec["port"]); !ok || p < 1 || p > 65535 {
				bad = append(bad, "config."+k+".port "+describeField(sec, "port"))
			}
		}
		if len(bad) == 0 {
			return result{ok: true}
		}
		return result{expected: "config.websocket.port and config.http.port: integers 1..65535", actual: strings.Join(bad, "; ")}
	}}
}

// RecordLockout records how long the lockout lasted (RC-6): the report
// says it, whatever it was.
func RecordLockout(req string) Check {
	return Check{Req: req, Name: "lockout duration", noAnswerOK: true, eval: func(o Observation) result {
		if res, ok := o.Response["result"].(bool); ok && res {
			return result{ok: true, note: fmt.Sprintf("correct credentials accepted again after %s (%d attempts)", o.Waited.Round(time.Millisecond), o.Attempts)}
		}
		return result{ok: true, note: fmt.Sprintf("still refused after %s (%d attempts): later cases may be refused too", o.Waited.Round(time.Millisecond), o.Attempts)}
	}}
}

// --- helpers -------------------------------------------------------------------

// describeField shows a field's JSON value and type for a failure message.
func describeField(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok {
		return "absent"
	}
	switch t := v.(type) {
	case string:
		return quoteShort(t) + " (string)"
	case json.Number:
		return t.String() + " (number)"
	case bool:
		return strconv.FormatBool(t) + " (boolean)"
	case nil:
		return "null"
	case map[string]any:
		b, _ := json.Marshal(t)
		return string(b) + " (object)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// outcome summarises result, resultCode and error for messages.
func outcome(m map[string]any) string {
	parts := []string{"result " + describeField(m, "result"), "resultCode " + describeField(m, "resultCode")}
	if e, ok := m["error"].(string); ok {
		parts = append(parts, "error "+quoteShort(e))
	}
	return strings.Join(parts, ", ")
}

// shortOutcome is "0/previleges 1", "5", "result true" etc.: the compact
// forms RecordOutcome compares with the documented set.
func shortOutcome(m map[string]any) string {
	code, ok := jsonnum.Int(m["resultCode"])
	if !ok {
		if r, isBool := m["result"].(bool); isBool {
			return "result " + strconv.FormatBool(r)
		}
		return "no resultCode"
	}
	if p, ok := jsonnum.Int(m["previleges"]); ok && code == 0 {
		return fmt.Sprintf("%d/previleges %d", code, p)
	}
	return strconv.Itoa(code)
}

func codeSet(codes []int) string {
	if len(codes) == 1 {
		return fmt.Sprintf("resultCode %d", codes[0])
	}
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	return "resultCode one of " + strings.Join(s, ", ")
}

// quoteShort quotes a value of the target's for a message. It does not cut
// it: a cut before redaction could leave part of a secret that redaction
// would no longer recognise; the reports cut long texts after redacting them.
func quoteShort(s string) string { return strconv.Quote(s) }

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// walkStrings calls fn for every string value in v, with its JSON path.
func walkStrings(v any, path string, fn func(path, s string)) {
	switch t := v.(type) {
	case string:
		fn(path, t)
	case map[string]any:
		for k, x := range t {
			walkStrings(x, path+"."+k, fn)
		}
	case []any:
		for i, x := range t {
			walkStrings(x, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}
