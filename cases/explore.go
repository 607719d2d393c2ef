package cases

import (
	"fmt"
	"strconv"
	"strings"
)

// Exploration: seeded random walks of requests over a few connections,
// each answer judged by the model of the reading, a failing walk shrunk to
// the shortest that still fails and reported as a case to paste into the
// catalogue. Opt-in on a live target (label explore); always in CI against
// the embedded server.

// Explore runs Walks random walks of about Steps steps each (the engine
// draws them with pgregory.net/rapid, from the run's seed).
type Explore struct{ Walks, Steps int }

func (Explore) action() {}

// JudgedEverywhere are the requirements the invariants of every answer and
// the model of the reading judge wherever they apply, in any case, a near
// miss or an exploration step (INFO requirements, only recorded, aside).
// The model imports this package, so the list cannot be computed here:
// TestJudgedEverywhereIsDerived (internal/explain) holds it to the code.
var JudgedEverywhere = []string{
	"ENV-1", "ENV-2", "ENV-3", "ENV-4", "ENV-6", "ENV-7", "ENV-8", "ENV-9",
	"AUTH-1", "AUTH-2", "AUTH-5",
	"FAIL-1", "FAIL-2", "FAIL-4", "FAIL-5",
	"RC-2", "RC-3", "RC-4", "RC-4b", "RC-5", "RC-6", "RC-7", "RC-8", "RC-8b", "RC-9", "RC-9b",
	"RC-10", "RC-10b", "RC-11", "RC-12", "RC-13", "RC-14",
	"ROLE-1", "ROLE-2", "ROLE-4", "ROLE-5",
	"SW-1", "SW-2", "TOK-1", "TOK-2", "TOK-3",
	"LIFE-1", "LIFE-1b", "LIFE-2", "LIFE-3", "LIFE-4", "LIFE-5", "LIFE-6",
	"SEC-1", "SEC-2", "SEC-4",
}

var exploreCases = []Case{
	{
		ID: "explore-random-walks", Title: "seeded random walks of requests over three connections, every answer judged by the model of the reading; a failing walk is shrunk to the shortest that still fails",
		Requirements: JudgedEverywhere, Labels: []string{"explore"},
		Steps: []Step{{Name: "walks", Do: Explore{Walks: 30, Steps: 15}}},
	},
}

// Near is value v with one of the near misses of the generated cases
// ("trailing-space", "prefix", ...; stringMisses names them all), a wrong
// credential for a secret or a token.
func Near(v Value, name string) Value {
	for _, m := range stringMisses {
		if m.name == name {
			return nearValue{v: v, m: m, wrong: true}
		}
	}
	panic("cases.Near: no near miss named " + strconv.Quote(name)) // a programming error in a case table
}

// NearMissNames lists the near misses Near knows.
func NearMissNames() []string {
	out := make([]string, len(stringMisses))
	for i, m := range stringMisses {
		out[i] = m.name
	}
	return out
}

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
	if t, ok := r.Type.(login); ok && t.mode != "" && r.Credentials == (login{t.mode, "credentials"}) && r.RequestID == nil && r.Method == "" {
		base := "Login(" + modeGo(t.mode) + ")"
		switch {
		case r.Role == nil:
			return base + ".with(nil)"
		case r.Role == Str(string(t.mode)):
			return base
		}
		return base + ".with(" + valueGo(r.Role) + ")"
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
	case nearValue:
		return "Near(" + valueGo(t.v) + ", " + strconv.Quote(t.m.name) + ")"
	case transformed:
		if t.what == "altered" {
			return "Altered(" + valueGo(t.v) + ")"
		}
	case login:
		if t.field == "credentials" && t.mode != "" {
			return "Credential(" + modeGo(t.mode) + ")"
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
