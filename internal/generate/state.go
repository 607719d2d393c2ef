package generate

import (
	"strings"

	"github.com/roomconform/conform/caselang"
)

// segment is a run of steps from the initial state.
type segment struct {
	steps []caselang.Step
	// inputs name each step's input ("login-admin", "row type=...").
	inputs []string
	// covers is how many pairs the segment covered first (for titles);
	// disruptive says a step displaced a connection or cleared tokens.
	covers     int
	disruptive bool
	kind       string // "tour" or "pairs"
}

// input returns the tour input named name.
func input(name string) (caselang.Input, bool) {
	for _, in := range caselang.Tour {
		if in.Name == name {
			return in, true
		}
	}
	return caselang.Input{}, false
}

// try takes tour input name on conn if it can be sent here and succeeds;
// recovery marks it as the success that follows wrong credentials.
func (st *state) try(name, conn string, recovery bool) bool {
	in, ok := input(name)
	if !ok || in.Tokens != "" || in.Close || in.HTTP {
		return false
	}
	step := caselang.Step{Conn: conn, Do: caselang.Send{Request: in.Request, Recovery: recovery}}
	if _, ok := st.s.peek(step, false); !ok {
		return false
	}
	nexts, reqs, open := st.s.branches(step)
	if open || len(nexts) != 1 {
		return false
	}
	step.Expect = []caselang.Check{caselang.AsTheReadingSays(citationOf(step, reqs))}
	st.take(step, name)
	granted, _ := st.s.responses[st.s.steps[len(st.s.steps)-1].Name]["result"].(bool)
	return granted
}

// take takes a step (the model's first accepted answer). A success that
// follows wrong credentials is marked as the recovery from them (what
// cases.Validate asks of every case).
func (st *state) take(step caselang.Step, name string) {
	st.inputs = append(st.inputs, name)
	before := map[string]string{}
	for _, c := range conns {
		before[c] = st.s.m.ConnClass(c, st.s.now)
	}
	defer func() {
		for _, c := range conns {
			if c != step.ConnName() && before[c] != "displaced" && st.s.m.ConnClass(c, st.s.now) == "displaced" {
				st.disrupted = true
			}
		}
	}()
	if in, ok := input(name); ok && in.Disruptive {
		st.disrupted = true
	}
	wrong := step.SendsWrongCredential()
	if wrong {
		st.wrong++
	}
	if a, ok := step.Do.(caselang.Send); ok && st.recover && !wrong {
		a.Recovery = true
		step.Do = a
	}
	st.s.take(step, 0)
	last := &st.s.steps[len(st.s.steps)-1]
	switch a := step.Do.(type) {
	case caselang.Close:
		delete(st.open, step.ConnName())
	case caselang.Send:
		st.open[step.ConnName()] = true
		granted, _ := st.s.responses[last.Name]["result"].(bool)
		success := granted && a.Request.MethodName() == "auth"
		if a.Recovery && !success {
			a.Recovery = false // not a success: not the recovery
			last.Do = a
		}
		switch {
		case wrong || st.s.m.Streak() > 0:
			st.recover = true
		case success:
			st.recover = false
		}
	}
}

// establish puts connection a in pair class class with login ("" for no
// mode), with no wrong credential outstanding, on a alone: no other
// connection is displaced (the covering array runs on a live target by
// default); it reports whether it could.
func (st *state) establish(class, login string) bool {
	if st.recover || st.s.m.Streak() > 0 {
		switch {
		case login != "":
			if !st.try(login, "a", true) {
				return false
			}
		case !st.try("login-admin", "a", true) && !st.try("login-user", "a", true):
			return false
		}
	}
	switch {
	case class == "none" && st.s.m.PairClass("a", st.s.now) != "none":
		st.take(caselang.Step{Conn: "a", Do: caselang.Close{}}, "close")
	case class != "none" && st.s.m.ConnClass("a", st.s.now) != class:
		if !st.try(login, "a", false) {
			return false
		}
	}
	return st.s.m.PairClass("a", st.s.now) == class
}

// finish ends a segment: a success after wrong credentials, so that the
// next case starts with none outstanding, as every case must.
func (st *state) finish() {
	if !st.recover && st.s.m.Streak() == 0 {
		return
	}
	for _, conn := range []string{"a", "b"} {
		if st.open[conn] {
			st.take(caselang.Step{Conn: conn, Do: caselang.Close{}}, "close")
		}
	}
	if !st.try("login-admin", "a", true) {
		st.try("login-user", "a", true)
	}
}

// row makes the step that sends a row of the covering array on a, its
// token placeholders filled with the newest tokens the model is sure of;
// ok is false when the row cannot be made here.
func (st *state) row(row []int) (caselang.Step, bool) {
	r, _ := caselang.Row(row)
	if http, ok := caselang.IsPlaceholder(r.Credentials); ok {
		v, found := st.sureToken(http)
		if !found {
			return caselang.Step{}, false
		}
		r.Credentials = v
	}
	step := caselang.Step{Conn: "a", Do: caselang.Send{Request: r}}
	if _, ok := st.s.peek(step, true); !ok {
		return caselang.Step{}, false
	}
	return step, true
}

// sureToken is the newest token (HTTP or API) of either connection that
// the model is sure of.
func (st *state) sureToken(http bool) (caselang.Value, bool) {
	for _, conn := range []string{"b", "a"} {
		for _, h := range st.s.latest(conn) {
			if h.http == http && strings.HasSuffix(h.class, " sure)") {
				return h.v, true
			}
		}
	}
	return nil, false
}

// tokens gets the tokens a row's credentials may be: from a login on
// connection b, which then closes (its tokens live on, TOK-1, and it holds
// no mode a row could displace it from).
func (st *state) tokens() bool {
	if !st.try("login-admin", "b", false) && !st.try("login-user", "b", false) {
		return false
	}
	st.take(caselang.Step{Conn: "b", Do: caselang.Close{}}, "close")
	return true
}
