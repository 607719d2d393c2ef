package cases_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/model"
)

// requirementsDoc is the project's rendering of the reading and of where
// each requirement is checked, generated from the code.
const requirementsDoc = "../docs/requirements.md"

// TestRequirementsDocIsFresh fails when docs/requirements.md is not what
// the registry and the code that checks it say; CONFORM_DOCS_WRITE=1
// rewrites it.
func TestRequirementsDocIsFresh(t *testing.T) {
	want := renderRequirements()
	if os.Getenv("CONFORM_DOCS_WRITE") != "" {
		if err := os.WriteFile(requirementsDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(requirementsDoc)
	if err != nil || string(got) != want {
		t.Fatalf("%s is stale (or missing): regenerate it with\n  CONFORM_DOCS_WRITE=1 go test ./cases -run TestRequirementsDocIsFresh", requirementsDoc)
	}
}

// where is everything that checks one requirement.
type where struct {
	cases                             []string
	everyAnswer, probe, http          bool
	exercise, exploration, notCovered bool
	nearMisses                        int
	reason                            string
}

func checkedWhere() map[string]*where {
	w := map[string]*where{}
	for _, r := range cases.Requirements() {
		w[r.ID] = &where{}
	}
	mark := func(ids []string, f func(*where)) {
		for _, id := range ids {
			if x, ok := w[id]; ok {
				f(x)
			}
		}
	}
	for _, c := range cases.All() {
		switch {
		case c.HasLabel("explore"):
			mark(c.Requirements, func(x *where) { x.exploration = true })
		case c.HasLabel("near-miss"):
			mark(c.Requirements[:1], func(x *where) { x.nearMisses++ })
		default:
			mark(c.Requirements, func(x *where) { x.cases = append(x.cases, c.ID) })
		}
	}
	// The invariants of every auth answer (success and failure), the
	// ordering barrier (ENV-1) and a close after a failure (ENV-9), and
	// what the model judges of every auth answer.
	var every []string
	for _, ok := range []bool{true, false} {
		o := cases.Observation{Request: map[string]any{"requestId": "1"}, Response: map[string]any{"result": ok}}
		for _, ch := range cases.EveryAuthAnswer(o) {
			every = append(every, ch.Req)
		}
	}
	o := cases.Observation{Request: map[string]any{}, Response: map[string]any{"result": true}}
	for _, ch := range cases.EveryAuthAnswer(o) {
		every = append(every, ch.Req)
	}
	every = append(every, "ENV-1", "ENV-9")
	mark(every, func(x *where) { x.everyAnswer = true })
	mark(model.Cited.Auth, func(x *where) { x.everyAnswer = true })
	mark(model.Cited.Commands, func(x *where) { x.probe = true })
	mark(model.Cited.HTTP, func(x *where) { x.http = true })
	var ex []string
	n := 0
	conn := func() string { n++; return fmt.Sprint(n) }
	for _, ref := range []cases.TokenRef{{Step: "s", Field: "token", Mode: cases.User}, {Step: "s", Field: "tokenForHttpServer", HTTP: true}, {Step: "s", Field: "token", Leaked: true}} {
		safe, risky := cases.APIExercises(ref, conn)
		for _, s := range slices.Concat(safe, risky, cases.HTTPExercises(ref)) {
			for _, ch := range s.Expect {
				ex = append(ex, ch.Req)
			}
		}
	}
	mark(ex, func(x *where) { x.exercise = true })
	for id, why := range cases.NotYetCovered {
		w[id].notCovered, w[id].reason = true, why
	}
	return w
}

func renderRequirements() string {
	var b strings.Builder
	b.WriteString(`# The requirements and where they are checked

Generated from the requirements registry (` + "`cases/requirements.go`" + `) and the code that checks
it, by ` + "`CONFORM_DOCS_WRITE=1 go test ./cases -run TestRequirementsDocIsFresh`" + `; that test fails
when this file is stale. The registry is the project's reading of the TrueConf Room / VideoSDK
documentation of the ` + "`auth`" + ` method: a MUST broken is a FAIL, a SHOULD broken a WARN (a FAIL with
` + "`--strict`" + `), an INFO row is only recorded.

## Where each requirement is checked

- **cases**: the hand-written cases that cite it (` + "`conform list`" + ` shows them).
- **every answer**: judged on every auth answer of every case, whichever case it is: the
  envelope, the requestId echo, the fields of a success or a failure, exactly one answer (an
  ordering barrier), and the answer the model of the reading (` + "`internal/model`" + `) accepts
  in the state the case has reached.
- **state**: judged through a command: after every auth exchange the engine asks ` + "`getAuthInfo`" + `
  on the connection (and on any the exchange displaced), and the model compares the answer
  with the mode the connection must have; ` + "`getTokenForHttpServer`" + ` answers are judged the same way.
- **HTTP**: the embedded HTTP server's answer to a token, judged by the token's kind and life.
- **exercises**: every class of token a run obtains is used again on further connections, for
  a higher mode and at the other kind's door, once per run (` + "`cases/exercise.go`" + `).
- **near misses**: how many generated near-miss cases stimulate it first (` + "`cases/nearmiss.go`" + `).
- **exploration**: judged in the random walks of ` + "`explore-random-walks`" + ` (label ` + "`explore`" + `).

| Requirement | Level | Cases | Every answer | State | HTTP | Exercises | Near misses | Exploration |
|---|---|---|---|---|---|---|---|---|
`)
	w := checkedWhere()
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return ""
	}
	for _, r := range cases.Requirements() {
		x := w[r.ID]
		shown := x.cases
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(x.cases)-5)
		}
		cs := "`" + strings.Join(shown, "`, `") + "`" + more
		switch {
		case x.notCovered:
			cs = "not yet: " + x.reason
		case len(x.cases) == 0:
			cs = ""
		}
		nm := ""
		if x.nearMisses > 0 {
			nm = fmt.Sprint(x.nearMisses)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.ID, r.Level, cs,
			yes(x.everyAnswer), yes(x.probe), yes(x.http), yes(x.exercise), nm, yes(x.exploration))
	}
	b.WriteString("\n## The requirements\n\n| ID | Level | Requirement |\n|---|---|---|\n")
	for _, r := range cases.Requirements() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.ID, r.Level, strings.ReplaceAll(r.Text, "|", `\|`))
	}
	return b.String()
}
