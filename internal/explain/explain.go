// Package explain renders the reading and the catalogue for people: one
// requirement or one case with everything that belongs to it (its text,
// the requests, the accepted answers, the cases, the reference server's
// faults that break it and the case that catches each), for `conform
// explain` in the terminal and for docs/requirements.md and
// docs/catalogue.md, which are generated from the same code; and, in
// docs/requirements.md, what checks each requirement, by symbol (trail.go).
package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/model"
	"github.com/roomconform/conform/internal/mutation"
	"github.com/roomconform/conform/internal/suggest"
	"github.com/roomconform/conform/refserver"
)

// Where is everything that checks one requirement besides its own cases.
type Where struct {
	// Cases are the hand-written cases that cite it.
	Cases []string
	// EveryAnswer: judged on every auth answer of every case (envelope,
	// echo, success and failure fields, exactly one answer, the model).
	EveryAnswer bool
	// State: judged through getAuthInfo / getTokenForHttpServer after
	// every exchange, by the model.
	State bool
	// HTTP: the embedded HTTP server's answer to a token.
	HTTP bool
	// Exercises: every class of token obtained is used again, once a run.
	Exercises bool
	// NearMisses counts the generated near-miss cases that stimulate it first.
	NearMisses int
	// Exploration: judged in the random walks.
	Exploration bool
	// NotYet is why no case checks it ("" when some does).
	NotYet string
}

// Reading is the registry with where each requirement is checked and what
// breaks it, computed once.
type Reading struct {
	where    map[string]*Where
	faults   map[string][]refserver.Fault
	variants map[string][]refserver.Variant
	matrix   map[string]mutation.Row
	// catches maps a case to the faults it catches ("fail" or "warn").
	catches map[string][]string
	// trail says what checks each requirement, by symbol (the model's and
	// the engine's symbols once LoadSource added them).
	trail map[string]*Trail
}

// Load computes the reading from the registry, the catalogue, the model,
// the reference server's faults and the mutation matrix.
func Load() (*Reading, error) {
	rows, err := mutation.Rows()
	if err != nil {
		return nil, err
	}
	r := &Reading{where: checkedWhere(), faults: map[string][]refserver.Fault{}, variants: map[string][]refserver.Variant{},
		matrix: rows, catches: map[string][]string{}, trail: trailOf()}
	for _, f := range refserver.Faults() {
		r.faults[f.Requirement] = append(r.faults[f.Requirement], f)
		m := rows[f.Name]
		for _, id := range m.Fail {
			r.catches[id] = append(r.catches[id], f.Name+" (FAIL)")
		}
		for _, id := range m.Warn {
			r.catches[id] = append(r.catches[id], f.Name+" (WARN)")
		}
	}
	for _, v := range refserver.Variants() {
		r.variants[v.Requirement] = append(r.variants[v.Requirement], v)
	}
	return r, nil
}

// Where returns where requirement id is checked.
func (r *Reading) Where(id string) Where {
	if w := r.where[id]; w != nil {
		return *w
	}
	return Where{}
}

// Lookup explains id: a requirement ID (any letter case) or a case ID.
// Unknown IDs are an error that suggests the nearest known one.
func (r *Reading) Lookup(id string) (string, error) {
	for _, q := range caselang.Requirements() {
		if strings.EqualFold(q.ID, id) {
			return r.Requirement(q), nil
		}
	}
	if c, ok := cases.Lookup(id); ok {
		return r.Case(c), nil
	}
	msg := fmt.Sprintf("%q is neither a requirement ID (conform explain RC-8) nor a case ID (conform list)", id)
	if s := suggest.Nearest(id, knownIDs()); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	return "", fmt.Errorf("%s", msg)
}

func knownIDs() []string { return slices.Concat(caselang.RequirementIDs(), cases.IDs()) }

// Requirement explains one requirement in plain text.
func (r *Reading) Requirement(q caselang.Requirement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n", q.ID, q.Level, q.Text)
	fmt.Fprintf(&b, "\n%s\n", levelMeaning(q.Level))
	w := r.Where(q.ID)
	if w.NotYet != "" {
		fmt.Fprintf(&b, "\nNo case checks it yet: %s.\n", w.NotYet)
	}
	if len(w.Cases) > 0 {
		fmt.Fprintf(&b, "\nCases that cite it (%d):\n", len(w.Cases))
		for _, id := range w.Cases {
			c, _ := cases.Lookup(id)
			fmt.Fprintf(&b, "  %s: %s\n", id, c.Title)
		}
	}
	if also := w.also(); len(also) > 0 {
		fmt.Fprintf(&b, "\nAlso judged: %s.\n", strings.Join(also, "; "))
	}
	if vs := r.variants[q.ID]; len(vs) > 0 {
		b.WriteString("\nOther accepted answers (variants the reference server can play, conform run --variant NAME):\n")
		for _, v := range vs {
			fmt.Fprintf(&b, "  %s: %s\n", v.Name, v.Does)
		}
	}
	if fs := r.faults[q.ID]; len(fs) > 0 {
		b.WriteString("\nReference-server faults that break it (conform run --fault NAME), and the cases that catch each:\n")
		for _, f := range fs {
			fmt.Fprintf(&b, "  %s: %s\n    caught by: %s\n", f.Name, f.Breaks, catchers(r.matrix[f.Name]))
		}
	}
	return b.String()
}

// Case explains one case in plain text: its requirements, labels, steps
// (the requests, described without secrets) with what each expects, and
// the faults it catches.
func (r *Reading) Case(c caselang.Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", c.ID, c.Title)
	b.WriteString("\nRequirements:\n")
	for _, id := range c.Requirements {
		q, _ := caselang.LookupRequirement(id)
		fmt.Fprintf(&b, "  %s (%s): %s\n", q.ID, q.Level, q.Text)
	}
	labels := "none"
	if len(c.Labels) > 0 {
		labels = strings.Join(c.Labels, ", ")
	}
	fmt.Fprintf(&b, "\nLabels: %s\n", labels)
	if n := c.WrongCredentials(); n > 0 {
		fmt.Fprintf(&b, "Wrong credentials it sends: %d (against the live budget, --wrong-credential-budget)\n", n)
	}
	b.WriteString("\nSteps:\n")
	for i, s := range c.Steps {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, s.Describe())
		if s.When != nil {
			fmt.Fprintf(&b, "     when: %s\n", *s.When)
		}
		for _, ch := range s.Expect {
			fmt.Fprintf(&b, "     expects (%s): %s\n", ch.Req, ch.Expects())
		}
	}
	for _, ch := range c.After {
		fmt.Fprintf(&b, "  afterwards (%s): %s\n", ch.Req, ch.Expects())
	}
	b.WriteString("  and on every auth answer: the envelope, the requestId echo, the fields of a success or a failure, exactly one answer, and the answer the model of the reading accepts in the state reached\n")
	if fs := r.catches[c.ID]; len(fs) > 0 {
		fmt.Fprintf(&b, "\nReference-server faults it catches (%d): %s\n", len(fs), strings.Join(fs, ", "))
	}
	return b.String()
}

func levelMeaning(l caselang.Level) string {
	switch l {
	case caselang.Must:
		return "MUST: a broken check fails the case (FAIL, exit 1)."
	case caselang.Should:
		return "SHOULD: a broken check warns (WARN); --strict makes it a FAIL."
	}
	return "INFO: what the target does is recorded, never judged."
}

// also lists the ways besides its cases that a requirement is judged.
func (w Where) also() []string {
	var out []string
	if w.EveryAnswer {
		out = append(out, "on every auth answer of every case")
	}
	if w.State {
		out = append(out, "through getAuthInfo after every exchange (the connection's state)")
	}
	if w.HTTP {
		out = append(out, "by the embedded HTTP server's answer to a token")
	}
	if w.Exercises {
		out = append(out, "by the token exercises (each class of token used again, once a run)")
	}
	if w.NearMisses > 0 {
		out = append(out, fmt.Sprintf("by %d generated near-miss cases", w.NearMisses))
	}
	if w.Exploration {
		out = append(out, "in the random walks of explore-random-walks")
	}
	return out
}

// catchers says which cases catch a fault: those that fail (a MUST
// broken), else those that warn.
func catchers(m mutation.Row) string {
	list := func(ids []string) string {
		const shown = 4
		if len(ids) > shown {
			return strings.Join(ids[:shown], ", ") + fmt.Sprintf(" and %d more", len(ids)-shown)
		}
		return strings.Join(ids, ", ")
	}
	switch {
	case len(m.Fail) > 0:
		return "FAIL " + list(m.Fail)
	case len(m.Warn) > 0:
		return "WARN " + list(m.Warn)
	}
	return "no case (a hole: see the mutation matrix)"
}

// engineEverywhere are the requirements the engine judges itself on every
// auth exchange, with no check of a case: exactly one answer, by the
// ordering barrier (ENV-1), and the connection open after a failure
// (ENV-9). TestEngineCitesWhatCheckedWhereSays holds them to its code.
var engineEverywhere = []string{"ENV-1", "ENV-9"}

// checkedWhere computes where each requirement is checked: by the cases
// citing it, and by the checks the engine applies everywhere.
func checkedWhere() map[string]*Where {
	w := map[string]*Where{}
	for _, r := range caselang.Requirements() {
		w[r.ID] = &Where{}
	}
	mark := func(ids []string, f func(*Where)) {
		for _, id := range ids {
			if x, ok := w[id]; ok {
				f(x)
			}
		}
	}
	for _, c := range cases.All() {
		switch {
		case c.HasLabel("explore"):
			mark(c.Requirements, func(x *Where) { x.Exploration = true })
		case c.HasLabel("near-miss"):
			mark(c.Requirements[:1], func(x *Where) { x.NearMisses++ })
		default:
			mark(c.Requirements, func(x *Where) { x.Cases = append(x.Cases, c.ID) })
		}
	}
	// The invariants of every auth answer (success and failure), the
	// ordering barrier (ENV-1) and a close after a failure (ENV-9), and
	// what the model judges of every auth answer.
	var every []string
	for _, o := range invariantObservations() {
		for _, ch := range caselang.EveryAuthAnswer(o) {
			every = append(every, ch.Req)
		}
	}
	every = append(every, engineEverywhere...)
	mark(every, func(x *Where) { x.EveryAnswer = true })
	mark(model.Cited.Auth, func(x *Where) { x.EveryAnswer = true })
	mark(model.Cited.Commands, func(x *Where) { x.State = true })
	mark(model.Cited.HTTP, func(x *Where) { x.HTTP = true })
	var ex []string
	for _, ch := range exerciseChecks() {
		ex = append(ex, ch.Req)
	}
	mark(ex, func(x *Where) { x.Exercises = true })
	for id, why := range cases.NotYetCovered {
		w[id].NotYet = why
	}
	return w
}
