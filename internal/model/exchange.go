package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
)

// Exchange is one request on one connection, shown to the model before it
// is sent. Judge then says what the reading thinks of the answer, and Apply
// moves the model to the state that follows.
type Exchange struct {
	m    *Model
	c    *conn
	step string
	// Method is the request's method.
	Method string
	req    map[string]any
	sent   time.Time
}

// Expect shows the model a request (the decoded JSON object) about to be
// sent on connection conn by step step at time sent.
func (m *Model) Expect(conn, step string, req map[string]any, sent time.Time) *Exchange {
	method, _ := req["method"].(string)
	return &Exchange{m: m, c: m.connection(conn), step: step, Method: method, req: req, sent: sent}
}

// Verdict is the model's judgement of one answer.
type Verdict struct {
	// Outcome judges the answer itself: its code and mode (auth), refused
	// or accepted (other methods), the HTTP status. Nil where the reading
	// accepts anything.
	Outcome *caselang.Finding
	// Others are further findings of the same answer.
	Others []caselang.Finding
	// Lockout says the answer is a 6 the model cannot put down to wrong
	// credentials the case itself sent within the lockout window: a lockout
	// the suite does not know of may be in force (an earlier case's, the
	// operator's, one that covers only some logins), so the answer is not
	// evaluated (RC-6: correct credentials may be refused with 6, and with
	// nothing else). Outcome then carries the rule's finding, not evaluated.
	Lockout bool
}

// PossibleLockout is why a finding on an answer of Verdict.Lockout is not
// evaluated.
const PossibleLockout = caselang.PossibleLockout

// Broken returns the verdict's broken findings.
func (v Verdict) Broken() []caselang.Finding {
	var out []caselang.Finding
	if v.Outcome != nil && v.Outcome.Broken() {
		out = append(out, *v.Outcome)
	}
	for _, f := range v.Others {
		if f.Broken() {
			out = append(out, f)
		}
	}
	return out
}

// Rules returns the rules an auth answer given at answered must satisfy,
// and whether the reading says nothing of the request (open). For other
// methods it returns nothing.
func (x *Exchange) Rules(answered time.Time) (rules []Rule, open bool) {
	if x.Method != "auth" {
		return nil, true
	}
	p := x.m.authPlan(x.c, x.req, x.sent, answered)
	return p.rules, p.open
}

// Judge says what the reading thinks of the answer fields (nil: there was
// none to judge) given at answered. It does not change the model.
func (x *Exchange) Judge(fields map[string]any, answered time.Time) Verdict {
	if fields == nil {
		return Verdict{}
	}
	switch x.Method {
	case "auth":
		return x.judgeAuth(fields, answered)
	case "getAuthInfo":
		return x.judgeAuthInfo(fields)
	case "getTokenForHttpServer":
		return x.judgeTokenRequest(fields)
	case "clearTokens":
		return x.judgeRefusedWithoutMode(fields)
	}
	return Verdict{}
}

// judgeRefusedWithoutMode judges a privileged command of which the reading
// says only that a connection without a mode is refused it (SEC-1).
func (x *Exchange) judgeRefusedWithoutMode(fields map[string]any) Verdict {
	mode, known := x.m.modeAt(x.c, x.sent)
	if !known || mode != "" {
		return Verdict{}
	}
	refused, accepted := refusal(fields)
	f := finding(x.c.why, x.step, "refused without a mode", refused, "a refusal (result false and/or an error field)",
		commandActual(refused, accepted, nil), x.connNote(mode))
	return Verdict{Outcome: &f}
}

func (x *Exchange) judgeAuth(fields map[string]any, answered time.Time) Verdict {
	p := x.m.authPlan(x.c, x.req, x.sent, answered)
	if p.open {
		return Verdict{}
	}
	a := ReadAnswer(fields)
	var v Verdict
	if lockable(x.req) && !a.Success && a.HasCode && a.Code == 6 {
		for _, r := range p.rules {
			if r.Accepts(a) {
				continue
			}
			// 6 is what a lockout answers to any secured login; that this
			// rule does not accept it means the case sent no wrong
			// credentials within the window the model knows.
			f := finding(r.Req, x.step, "the reading's accepted answers", false, r.Expected(), a.String(), "")
			f.NotEvaluated = PossibleLockout
			if v.Outcome == nil {
				v.Outcome = &f
			} else {
				v.Others = append(v.Others, f)
			}
		}
		if v.Outcome != nil {
			v.Lockout = true
			return v
		}
	}
	extra := unknownFields(x.req)
	for _, r := range p.rules {
		f := finding(r.Req, x.step, "the reading's accepted answers", r.Accepts(a), r.Expected(), a.String(), "")
		if !f.OK && !a.Success && extra != "" && r.wantsSuccess() {
			// The request is one the rule grants but for its unknown field:
			// the refusal is that field's doing, ENV-8's (a SHOULD), not a
			// MUST of the request it would be without it.
			f.Requirement, f.Level = "ENV-8", caselang.LevelOf("ENV-8")
			f.Note = "refused, with the unknown field " + extra + "; without it the reading accepts " + r.Expected() + " (" + r.Req + ")"
		}
		if len(r.Outcomes) == 0 {
			f.Note = "recorded: " + a.String()
		}
		if v.Outcome == nil || (!f.OK && v.Outcome.OK) {
			if v.Outcome != nil {
				v.Others = append(v.Others, *v.Outcome)
			}
			v.Outcome = &f
		} else {
			v.Others = append(v.Others, f)
		}
	}
	return v
}

// InheritTokens gives a fresh model (the target's protection was changed)
// the tokens the old one knew, each of unknown standing: the reading is
// silent on whether tokens issued before a change survive it (TOK-1:
// accepted either way, recorded), so a use of one is judged only where it
// would be either way (its lifetime's end, a token from a failure). Their
// issuers are not carried over: no connection of the new model issued them.
func (m *Model) InheritTokens(old *Model) {
	if old == nil {
		return
	}
	for _, t := range old.Tokens() {
		c := *t
		c.issuer, c.unsure = nil, true
		m.register(&c)
	}
}

// SharedToken says whether value was issued as an API token and as an HTTP
// token alike (AUTH-5 broken), and by which step: what the HTTP server
// does with such a value says nothing of the HTTP token's own life (it is
// also a live API token), so a check of that life cannot be evaluated.
func (m *Model) SharedToken(value string) (step string, ok bool) {
	var api, http string
	for _, t := range m.tokens[value] {
		switch t.Kind {
		case APIToken:
			api = t.Step
		case HTTPToken:
			http = t.Step
		}
	}
	if api == "" || http == "" {
		return "", false
	}
	return api, true
}

// knownFields are the fields of an auth request the reading names.
var knownFields = map[string]bool{"method": true, "requestId": true, "type": true, "role": true, "credentials": true}

// unknownFields names an auth request's first field the reading does not
// know ("" when there is none).
func unknownFields(req map[string]any) string {
	var names []string
	for k := range req {
		if !knownFields[k] {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	return fmt.Sprintf("%q", names[0])
}

// lockable says a lockout may refuse the request: a login, secured with
// credentials or unsecured (an empty or missing credential, or a bad type
// or role, has its own code first).
func lockable(req map[string]any) bool {
	typ, creds := fieldOf(req, "type"), fieldOf(req, "credentials")
	// An unsecured login too: after repeated wrong credentials the reading
	// lets a server refuse anything with 6 for a while, and the model
	// accepts it there (authPlan's with6).
	return typ.isString && (typ.s == "unsecured" || typ.s == "secured" && creds.isString && creds.s != "")
}

// connNote says what the model knows of a connection's mode, for a finding.
func (x *Exchange) connNote(mode caselang.Mode) string {
	c := x.c
	what := "no mode"
	if mode != "" {
		what = string(mode) + " mode"
	}
	switch {
	case c.step == "":
		return fmt.Sprintf("connection %s has had no successful auth (%s)", c.name, c.why)
	case c.why == "SEC-4":
		return fmt.Sprintf("connection %s was displaced by step %s (%s)", c.name, c.step, c.why)
	case c.why == "FAIL-4":
		return fmt.Sprintf("connection %s is in %s: step %s failed and a failure changes nothing (%s)", c.name, what, c.step, c.why)
	}
	return fmt.Sprintf("connection %s is in %s since step %s (%s)", c.name, what, c.step, c.why)
}

// refusal reads the answer to a command: refused (result false and/or an
// error field, SEC-1), accepted (result true).
func refusal(fields map[string]any) (refused, accepted bool) {
	res, isBool := fields["result"].(bool)
	_, hasErr := fields["error"]
	accepted = isBool && res
	return (isBool && !res) || (hasErr && !accepted), accepted
}

func (x *Exchange) judgeAuthInfo(fields map[string]any) Verdict {
	mode, known := x.m.modeAt(x.c, x.sent)
	if !known {
		return Verdict{}
	}
	refused, accepted := refusal(fields)
	var leaks []string
	for _, k := range []string{"adminAuth", "userAuth"} {
		if _, ok := fields[k]; ok {
			leaks = append(leaks, k)
		}
	}
	ua, _ := fields["userAuth"].(map[string]any)
	pin, _ := ua["pin"].(string)
	note := x.connNote(mode)
	switch mode {
	case "":
		f := finding(x.c.why, x.step, "refused without a mode", refused && len(leaks) == 0,
			"a refusal (result false and/or an error field) revealing no adminAuth/userAuth", commandActual(refused, accepted, leaks), note)
		return Verdict{Outcome: &f}
	case caselang.User:
		// getAuthInfo is answered on an admin or user connection (the
		// docs); a user's answer never shows the PIN (SEC-2).
		f := finding(x.c.why, x.step, "answered in user mode", accepted, "result true", commandActual(refused, accepted, leaks), note)
		v := Verdict{Outcome: &f}
		if accepted {
			g := finding("SEC-2", x.step, "no PIN for a user connection", pin == "", "no userAuth.pin", "userAuth.pin shown", note)
			v.Others = append(v.Others, g)
		}
		return v
	}
	f := finding(x.c.why, x.step, "answered in administrator mode", accepted, "result true", commandActual(refused, accepted, leaks), note)
	v := Verdict{Outcome: &f}
	if accepted && x.m.cfg.Profile.User == caselang.PIN {
		g := finding("SEC-2", x.step, "the PIN for an administrator", pin != "", "userAuth.pin (user security is pin)", "no userAuth.pin", note)
		v.Others = append(v.Others, g)
	}
	return v
}

// commandActual describes the answer to a command.
func commandActual(refused, accepted bool, leaks []string) string {
	switch {
	case accepted:
		return "result true"
	case refused && len(leaks) > 0:
		return "refused, but revealed " + strings.Join(leaks, ", ")
	case refused:
		return "refused"
	}
	return "neither result true nor a refusal"
}

func (x *Exchange) judgeTokenRequest(fields map[string]any) Verdict {
	mode, known := x.m.modeAt(x.c, x.sent)
	if !known {
		return Verdict{}
	}
	refused, accepted := refusal(fields)
	tok, _ := fields["token"].(string)
	if mode == "" {
		f := finding(x.c.why, x.step, "refused without a mode", refused, "a refusal (result false and/or an error field)",
			commandActual(refused, accepted, nil), x.connNote(mode))
		return Verdict{Outcome: &f}
	}
	f := finding("LIFE-6", x.step, "a fresh HTTP token", accepted && tok != "", "result true with a non-empty token",
		commandActual(refused, accepted, nil)+tokenNote(tok), x.connNote(mode))
	return Verdict{Outcome: &f}
}

func tokenNote(tok string) string {
	if tok == "" {
		return ", no token"
	}
	return ", a token"
}

// Apply moves the model to the state that follows the answer fields (nil:
// none came; the connection's state is then unknown) given at answered.
func (x *Exchange) Apply(fields map[string]any, answered time.Time) {
	m, c := x.m, x.c
	if fields == nil {
		if x.Method == "auth" {
			m.Lost(c.name)
		}
		return
	}
	switch x.Method {
	case "auth":
		x.applyAuth(fields, answered)
	case "getAuthInfo":
		// An answer that contradicts the model's mode was reported; from
		// then on the model does not know the connection.
		if v := x.judgeAuthInfo(fields); len(v.Broken()) > 0 {
			c.unknown = true
		}
	case "clearTokens":
		if _, accepted := refusal(fields); accepted {
			// "clearTokens clears tokens": which, the reading does not say.
			for _, t := range m.Tokens() {
				t.unsure = true
			}
		}
	case "getTokenForHttpServer":
		mode, known := m.modeAt(c, x.sent)
		tok, _ := fields["token"].(string)
		t := &Token{Value: tok, Kind: HTTPToken, Mode: mode, Step: x.step, Field: "token",
			issuer: c, epoch: c.epoch, sent: x.sent, answered: answered, root: c.root}
		_, accepted := refusal(fields)
		switch {
		case !known:
			t.Origin = FromUnjudged
		case mode == "":
			t.Origin = FromRefusal
		case accepted:
			t.Origin = FromRequest
		default:
			t.Origin = FromUnjudged
		}
		m.register(t)
	}
}

func (x *Exchange) applyAuth(fields map[string]any, answered time.Time) {
	m, c := x.m, x.c
	p := m.authPlan(c, x.req, x.sent, answered)
	a := ReadAnswer(fields)
	register := func(origin Origin, mode caselang.Mode, r *root) {
		for _, k := range []TokenKind{APIToken, HTTPToken, OverlayToken} {
			if s, _ := fields[string(k)].(string); s != "" {
				m.register(&Token{Value: s, Kind: k, Mode: mode, Origin: origin, Step: x.step, Field: string(k),
					issuer: c, epoch: c.epoch, sent: x.sent, answered: answered, root: r})
			}
		}
	}
	if !a.Success {
		if _, known := m.modeAt(c, x.sent); known && !p.open {
			c.why, c.step = "FAIL-4", x.step // a failure changes nothing
		}
		register(FromFailure, "", nil)
		if p.wrong {
			m.streak++
			m.lastWrong = answered
			if p.wrongAdmin {
				m.adminStreak++
				if m.adminStreak >= m.set.LockoutAttempts && !m.lockDue {
					m.lockDue, m.lockSince = true, answered
				}
			}
		}
		if p.lockCheck {
			m.lockDue = false
		}
		return
	}
	m.streak, m.adminStreak, m.lockDue = 0, 0, false
	accepted := !p.open
	for _, r := range p.rules {
		accepted = accepted && r.Accepts(a)
	}
	mode := a.Mode()
	if !accepted || mode == "" {
		// An answer the model could not accept (or one it cannot judge):
		// from here on it does not know this connection, nor who holds the
		// mode the answer claims.
		if h := m.holder[mode]; h != nil {
			h.unknown = true
		}
		m.Lost(c.name)
		register(FromUnjudged, mode, nil)
		return
	}
	r := p.grant.from
	if r == nil || (p.grant.origin == FromLogin) {
		r = &root{sent: x.sent, answered: answered, cred: p.grant.cred, step: x.step}
	}
	m.setMode(c, mode, p.grant.req, x.step, r)
	register(p.grant.origin, mode, r)
}
