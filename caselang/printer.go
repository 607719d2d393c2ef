package caselang

import (
	"fmt"
	"strconv"
	"strings"
)

// GoSyntax renders steps as the Go of a case table entry citing req, so
// that a walk exploration shrank can be pasted into the catalogue and
// replayed; the model judges every step, as it did in the walk.
func GoSyntax(req, title string, steps []Step) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n\tID: %q, Title: %q,\n\tRequirements: []string{%q},\n\tSteps: []Step{\n",
		strings.ToLower(req)+"-found-by-exploration", title, req)
	for _, s := range steps {
		b.WriteString("\t\t" + stepGo(s, req) + ",\n")
	}
	b.WriteString("\t},\n},")
	return b.String()
}

func stepGo(s Step, req string) string {
	if s.Do == nil {
		return "/* " + s.Name + ": this needs a step timed with When */"
	}
	var parts []string
	if s.Name != "" {
		parts = append(parts, "Name: "+strconv.Quote(s.Name))
	}
	if s.Conn != "" {
		parts = append(parts, "Conn: "+strconv.Quote(s.Conn))
	}
	switch a := s.Do.(type) {
	case Send:
		parts = append(parts, "Do: send("+requestGo(a.Request)+")")
	case HTTPGet:
		shape := ""
		if a.Shape != HTTPQuery {
			shape = fmt.Sprintf(", Shape: %q", a.Shape)
		}
		parts = append(parts, "Do: HTTPGet{Token: "+valueGo(a.Token)+shape+"}")
	case Close:
		parts = append(parts, fmt.Sprintf("Do: Close{Abrupt: %t}", a.Abrupt))
	default:
		parts = append(parts, fmt.Sprintf("Do: %#v", a))
	}
	if _, isClose := s.Do.(Close); !isClose {
		parts = append(parts, "Expect: []Check{AsTheReadingSays("+strconv.Quote(req)+")}")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func requestGo(r Request) string {
	if t, ok := r.Type.(LoginField); ok && t.Mode != "" && r.Credentials == (LoginField{t.Mode, "credentials"}) && r.RequestID == nil && r.Method == "" {
		base := "Login(" + modeGo(t.Mode) + ")"
		switch {
		case r.Role == nil:
			return base + ".With(nil)"
		case r.Role == Str(string(t.Mode)):
			return base
		}
		return base + ".With(" + valueGo(r.Role) + ")"
	}
	var f []string
	if r.Method != "" {
		f = append(f, "Method: "+strconv.Quote(r.Method))
	}
	for _, kv := range []struct {
		k string
		v Value
	}{{"RequestID", r.RequestID}, {"Type", r.Type}, {"Role", r.Role}, {"Credentials", r.Credentials}} {
		if kv.v != nil {
			f = append(f, kv.k+": "+valueGo(kv.v))
		}
	}
	return "Request{" + strings.Join(f, ", ") + "}"
}

// valueGo is the Go expression that makes v.
func valueGo(v Value) string {
	switch t := v.(type) {
	case literal:
		if s, ok := t.v.(string); ok {
			return "Str(" + strconv.Quote(s) + ")"
		}
		return fmt.Sprintf("JSON(%#v)", t.v)
	case absent:
		return "NoRequestID"
	case secret:
		return "Secret(" + secretKindGo(t.kind) + ")"
	case fromStep:
		switch {
		case t.field == "token" && t.wrongish:
			return "LeakedTokenOf(" + strconv.Quote(t.step) + ")"
		case t.field == "token":
			return "TokenOf(" + strconv.Quote(t.step) + ")"
		}
		return "HTTPTokenOf(" + strconv.Quote(t.step) + ")"
	case NearValue:
		return "Near(" + valueGo(t.Base) + ", " + strconv.Quote(t.Miss.Name) + ")"
	case transformed:
		if t.what == "altered" {
			return "Altered(" + valueGo(t.v) + ")"
		}
	case LoginField:
		if t.Field == "credentials" && t.Mode != "" {
			return "Credential(" + modeGo(t.Mode) + ")"
		}
	case wrongFor:
		return "WrongFor(" + modeGo(t.mode) + ")"
	}
	return fmt.Sprintf("/* %s */ nil", v.Describe())
}

func modeGo(m Mode) string {
	if m == Admin {
		return "Admin"
	}
	return "User"
}

func secretKindGo(k SecretKind) string {
	switch k {
	case AdminPassword:
		return "AdminPassword"
	case AdminPIN:
		return "AdminPIN"
	case UserPassword:
		return "UserPassword"
	}
	return "UserPIN"
}
