package caselang

// How a check describes what the target sent, for "expected X, actual Y".

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/roomconform/conform/internal/jsonnum"
)

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
	case json.Number:
		fn(path, t.String()) // a PIN may come back as a number
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

// Describe renders the request as the JSON it becomes, with every value
// described rather than resolved (secrets as <admin-password>), so it can
// be shown without a run: {"method":"auth","type":"secured",...}.
func (r Request) Describe() string {
	var parts []string
	add := func(name string, v Value) {
		if v == nil {
			return
		}
		if _, gone := v.(absent); gone {
			return
		}
		parts = append(parts, strconv.Quote(name)+":"+v.Describe())
	}
	parts = append(parts, `"method":`+strconv.Quote(r.MethodName()))
	if r.RequestID == nil {
		parts = append(parts, `"requestId":<fresh id>`)
	} else {
		add("requestId", r.RequestID)
	}
	add("type", r.Type)
	add("role", r.Role)
	add("credentials", r.Credentials)
	for _, f := range r.Extra {
		add(f.Name, f.Value)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Describe says what the step does, in one line, without a run.
func (s Step) Describe() string {
	var do string
	switch a := s.Do.(type) {
	case Send:
		do = "send " + a.Request.Describe()
		switch {
		case a.RepeatFor != "":
			do += fmt.Sprintf(" (repeated: %s)", a.RepeatFor)
		case a.Repeat > 1:
			do += fmt.Sprintf(" (%d times, each on a fresh connection)", a.Repeat)
		}
	case Abort:
		do = "send " + a.Request.Describe() + " and drop the connection"
	case Close:
		do = "close the connection"
		if a.Abrupt {
			do = "drop the connection (no close handshake)"
		}
	case HTTPGet:
		with := "no token"
		if a.Token != nil {
			with = a.Token.Describe()
		}
		do = "GET the HTTP server's probe path with " + with
		if a.Shape != HTTPQuery {
			do += " (request shape " + string(a.Shape) + ")"
		}
	case Await:
		do = "wait for the notification " + strconv.Quote(a.Event)
	case Raw:
		kind := "text"
		if a.Binary {
			kind = "binary"
		}
		do = fmt.Sprintf("send a raw %s frame (%d bytes)", kind, len(a.Payload))
	case Discover:
		do = "GET /public/default/config.json from the web manager"
	case Poll:
		do = "poll " + a.Request.Describe() + " on fresh connections until it succeeds"
	case Explore:
		do = fmt.Sprintf("random walks (%d walks of up to %d moves), judged by the model of the reading", a.Walks, a.Steps)
	default:
		do = fmt.Sprintf("%T", a)
	}
	conn := s.Conn
	if conn == "" {
		conn = "a"
	}
	name := s.Name
	if name != "" {
		name += ": "
	}
	return fmt.Sprintf("%son connection %s, %s", name, conn, do)
}
