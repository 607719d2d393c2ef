package generate

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/model"
)

// sim is a target made of the model of the reading, stepped in process: it
// answers every request with the first answer the model accepts (a
// success before a failure, the lowest code), issues tokens, and tells the
// generator the abstract state before each input and the input's class.
// It never touches a network.
type sim struct {
	p         caselang.Profile
	secrets   map[caselang.SecretKind]string
	m         *model.Model
	now       time.Time
	n         int // steps taken, for step names and token values
	responses map[string]map[string]any
	steps     []caselang.Step
	order     map[string]int // step name -> index, for the newest token of a class
}

// start is the simulated clock's origin: lifetimes are days, a tour takes
// milliseconds, so no token expires in a generated case.
var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newSim(p caselang.Profile, secrets map[caselang.SecretKind]string) *sim {
	// As the preflight finds them: on a Free plan every secured login is
	// refused (RC-2), so no secret is usable there.
	p.Secrets, p.RefusedOnFree = slices.Sorted(maps.Keys(secrets)), nil
	if p.Plan == caselang.Free {
		p.Secrets, p.RefusedOnFree = nil, p.Secrets
	}
	p.Lettered = nil
	for _, k := range p.Secrets {
		if caselang.HasLetter(secrets[k]) {
			p.Lettered = append(p.Lettered, k)
		}
	}
	return &sim{p: p, secrets: secrets, now: start,
		m:         model.New(model.Config{Profile: p, Secrets: secrets, Settings: caselang.DefaultSettings()}),
		responses: map[string]map[string]any{}, order: map[string]int{}}
}

// clone copies the simulation (the model and what the steps got).
func (s *sim) clone() *sim {
	c := *s
	c.m = s.m.Clone()
	c.responses = maps.Clone(s.responses)
	c.steps = slices.Clone(s.steps)
	c.order = maps.Clone(s.order)
	return &c
}

// The caselang.Scope the steps' values resolve in.

func (s *sim) Profile() caselang.Profile { return s.p }
func (s *sim) Secret(k caselang.SecretKind) (string, bool) {
	v, ok := s.secrets[k]
	return v, ok
}
func (s *sim) SuiteSecret(caselang.SecretKind) string { return "" }
func (s *sim) Response(step string) (map[string]any, bool) {
	r, ok := s.responses[step]
	return r, ok
}

// request resolves a step's request into the JSON object a target gets
// (without requestId unless the step sets one); ok is false when a field
// cannot be made in this profile (no such secret). A value that resolves
// to no field is left out (the login of an unsecured mode sends no
// credentials), unless strict: a row of the covering array whose
// credentials vanish (a miss that changes nothing) is not that row.
func (s *sim) request(r caselang.Request, strict bool) (map[string]any, bool) {
	out := map[string]any{"method": r.MethodName()}
	for _, f := range []struct {
		k string
		v caselang.Value
	}{{"requestId", r.RequestID}, {"type", r.Type}, {"role", r.Role}, {"credentials", r.Credentials}} {
		if f.v == nil {
			continue
		}
		v, err := f.v.Resolve(s)
		if err != nil {
			return nil, false
		}
		switch {
		case v.Present:
			out[f.k] = v.V
		case strict && f.v != caselang.NoRequestID:
			return nil, false
		}
	}
	return out, true
}

// moment is one simulated step's bookkeeping: the abstract state before it,
// its input class, and the answers the reading accepts for it there.
type moment struct {
	state, class, accepted string
}

// peek returns what step st would be (its state and class) without taking
// it; ok is false when it cannot be taken in this profile (strict: a row
// of the covering array, whose every field must be there).
func (s *sim) peek(st caselang.Step, strict bool) (moment, bool) {
	conn := st.ConnName()
	mo := moment{state: s.m.State(conn, s.now)}
	switch a := st.Do.(type) {
	case caselang.Close:
		mo.class = "close"
		if a.Abrupt {
			mo.class = "drop"
		}
	case caselang.HTTPGet:
		tok := ""
		if a.Token != nil {
			v, err := a.Token.Resolve(s)
			if err != nil {
				return mo, false
			}
			tok, _ = v.V.(string)
		}
		if !a.Shape.Presents() {
			tok = ""
		}
		mo.class = a.Shape.Class(s.m.HTTPClass(tok, s.now))
		mo.accepted = s.m.AcceptedHTTP(tok, s.now)
		mo.state = s.m.State("", s.now) // the HTTP server has no connection
	case caselang.Send:
		req, ok := s.request(a.Request, strict)
		if !ok {
			return mo, false
		}
		mo.class = s.m.InputClass(req, s.now)
		mo.accepted = s.m.Accepted(conn, req, s.now)
	default:
		return mo, false
	}
	return mo, true
}

// branches takes step st from copies of s, one per distinct accepted
// answer (a success in each mode the reading allows, a failure: the code
// changes nothing the model keeps), the model's first answer first. It
// returns the requirements the answer is judged under, and open when the
// reading says nothing of the request (any answer; a tour ends there).
func (s *sim) branches(st caselang.Step) (next []*sim, reqs []string, open bool) {
	a, ok := st.Do.(caselang.Send)
	if !ok || a.Request.MethodName() != "auth" {
		c := s.clone()
		c.take(st, 0)
		return []*sim{c}, nil, false
	}
	req, _ := s.request(a.Request, false)
	x := s.m.Expect(st.ConnName(), "peek", req, s.now)
	rules, open := x.Rules(s.now)
	for _, r := range rules {
		reqs = append(reqs, r.Req)
	}
	cands, err := x.Candidates(s.now)
	if err != nil {
		return nil, reqs, true
	}
	seen := map[string]bool{}
	for i, o := range cands {
		k := "failure"
		if o.Success {
			k = string(o.Mode)
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		c := s.clone()
		c.take(st, i)
		next = append(next, c)
	}
	return next, reqs, open
}

// key is the abstract state of every connection and the lockout counter:
// what must be the same after every accepted answer for a tour to go on.
func (s *sim) key() string {
	var parts []string
	for _, name := range []string{"a", "b"} {
		parts = append(parts, name+"="+s.m.ConnClass(name, s.now))
	}
	parts = append(parts, "streak="+strconv.Itoa(min(s.m.Streak(), 2)))
	return strings.Join(parts, " ")
}

// take takes step st, answering with the choice-th accepted answer.
func (s *sim) take(st caselang.Step, choice int) {
	s.n++
	if st.Name == "" {
		st.Name = "s" + strconv.Itoa(s.n)
	}
	s.order[st.Name] = len(s.steps)
	s.steps = append(s.steps, st)
	conn := st.ConnName()
	switch a := st.Do.(type) {
	case caselang.Close:
		s.m.Closed(conn)
	case caselang.HTTPGet:
		// The HTTP server changes nothing the model keeps.
	case caselang.Send:
		req, _ := s.request(a.Request, false)
		x := s.m.Expect(conn, st.Name, req, s.now)
		out := map[string]any{}
		if x.Method == "auth" {
			cands, err := x.Candidates(s.now)
			if err != nil || choice >= len(cands) {
				out["result"], out["resultCode"] = false, 1
			} else if o := cands[choice]; o.Success {
				out["result"], out["resultCode"], out["previleges"] = true, 0, o.Mode.Previleges()
				out["token"], out["tokenForHttpServer"] = s.token("t"), s.token("h")
			} else {
				out["result"], out["resultCode"] = false, o.Codes[0]
			}
		} else {
			maps.Copy(out, x.Answer(s.now, func(int) int { return choice }))
			if tok, ok := out["token"].(string); ok && tok == "" {
				out["token"] = s.token("g")
			}
		}
		x.Apply(out, s.now)
		s.responses[st.Name] = out
	}
	s.now = s.now.Add(time.Millisecond)
}

func (s *sim) token(kind string) string {
	return fmt.Sprintf("sim-%s-%d", kind, s.n)
}

// latest returns the newest API token and the newest HTTP token that
// steps on connection conn got (from a login, a token re-authorization, a
// status change, getTokenForHttpServer), whatever became of them since, as
// the values that refer to them. The tour sends a connection's own tokens
// and the other connection's: that, not every token ever issued, is what
// a client holds.
func (s *sim) latest(conn string) []heldToken {
	var out []heldToken
	for _, http := range []bool{false, true} {
		for i := len(s.steps) - 1; i >= 0; i-- {
			st := s.steps[i]
			resp := s.responses[st.Name]
			if st.ConnName() != conn || resp == nil || st.Do == nil {
				continue
			}
			if _, ok := st.Do.(caselang.Send); !ok {
				continue
			}
			field := "token"
			if http && resp["tokenForHttpServer"] != nil {
				field = "tokenForHttpServer"
			}
			tok, _ := resp[field].(string)
			t := s.m.Token(tok)
			if t == nil || (t.Kind == model.HTTPToken) != http {
				continue
			}
			h := heldToken{class: s.m.TokenClass(t, s.now), http: http, v: caselang.TokenOf(st.Name)}
			if field == "tokenForHttpServer" {
				h.v = caselang.HTTPTokenOf(st.Name)
			}
			out = append(out, h)
			break
		}
	}
	return out
}

// heldToken is a token a connection holds: its class, whether it is an
// HTTP token, the value that refers to it, and whose it is ("own" or
// "other's", from the acting connection).
type heldToken struct {
	class, whose string
	http         bool
	v            caselang.Value
}
