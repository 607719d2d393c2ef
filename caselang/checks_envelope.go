package caselang

// Checks of the envelope every auth answer has (ENV).

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/roomconform/conform/internal/jsonnum"
)

// Method expects the response's method to be name (ENV-2).
func Method(req, name string) Check {
	return Check{Req: req, Name: "method", Want: fmt.Sprintf("method %q", name), eval: func(o Observation) result {
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

// OneJSONObject expects an answer that came to be one JSON object in one
// text frame (ENV-1): invalid JSON, two values in a frame, an array or a
// binary frame break it. No answer at all is another matter (a timeout is
// not a verdict; an answer that never came is judged by its own rule).
func OneJSONObject(req string) Check {
	return Check{Req: req, Name: "one JSON object", noAnswerOK: true, eval: func(o Observation) result {
		if o.Malformed {
			return result{expected: "one text frame holding one JSON object", actual: o.ResponseErr}
		}
		return result{ok: true}
	}}
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
