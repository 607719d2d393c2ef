package cases

import "strings"

// Building blocks shared by the case tables. They keep each table entry to
// the stimulus and its expected answer.

// send is the action of sending r (a Send with no options).
func send(r Request) Send { return Send{Request: r} }

// loginAs authorizes in mode m and expects it to work (the setup of most
// flows). A failure here is a ROLE-1 failure: valid credentials were refused.
func loginAs(name string, m Mode) Step {
	return Step{Name: name, Do: send(Login(m)), Expect: granted("ROLE-1", m)}
}

// loginKeepingTokens is loginAs for flows that use the tokens later: it
// also checks they are there (AUTH-2), so a missing token is the target's
// FAIL, not the suite's ERROR.
func loginKeepingTokens(name string, m Mode) Step {
	st := loginAs(name, m)
	st.Expect = append(st.Expect, Tokens("AUTH-2"))
	return st
}

// granted expects success in mode m, cited under req.
func granted(req string, m Mode) []Check {
	return []Check{Succeeds(req), Previleges(req, m)}
}

// recoverLogin is the successful authorization that follows every wrong
// credential (as admin where the suite can, else as user), so that a
// server counting wrong attempts is reset and the default run cannot lock
// the administrator out. Where no mode can be entered (a Free plan with
// both modes protected, which refuses secured logins before checking them)
// there is nothing to recover, and the step is left out.
func recoverLogin() Step {
	return Step{Name: "recover", Conn: "r", Do: Send{Request: LoginAny(), Recovery: true}, OnlyIf: CanLoginAny, Expect: []Check{Succeeds("ROLE-1")}}
}

// recoverNamed is recoverLogin under another step name, for a case that
// recovers more than once.
func recoverNamed(name string) Step {
	s := recoverLogin()
	s.Name = name
	return s
}

// closeConn closes connection conn (a token must outlive its connection).
func closeConn(conn string) Step { return Step{Conn: conn, Do: Close{}} }

// getAuthInfo is the privileged command used to observe a connection's mode.
var getAuthInfo = Request{Method: "getAuthInfo"}

// with returns r with role replaced (nil removes it).
func (r Request) with(role Value) Request {
	r.Role = role
	return r
}

// withType returns r with type replaced.
func (r Request) withType(t Value) Request {
	r.Type = t
	return r
}

// typeInOtherCase is the type mode m's login uses, in other letter case
// (RC-10b, the reading's examples): "Secured", "UNSECURED".
func typeInOtherCase(m Mode) Value {
	return transformed{v: login{m, "type"}, what: "in other letter case", f: func(s string) string {
		if s == "secured" {
			return "Secured"
		}
		return strings.ToUpper(s)
	}}
}

// withID returns r with the given requestId.
func (r Request) withID(id Value) Request {
	r.RequestID = id
	return r
}

// secured is a secured auth request with the given credentials and role
// (role nil: no role field).
func secured(credentials, role Value) Request {
	return Request{Type: Str("secured"), Credentials: credentials, Role: role}
}

// role values.
var (
	roleAdmin = Str("admin")
	roleUser  = Str("user")
)

// statusChange is {"method":"auth","role":"user"}: administrator to user.
var statusChange = Request{Role: roleUser}

// failureChecks are the checks every failed auth answer gets in the FAIL
// cases: no previleges, a recorded error text, no echo of the credentials
// sent, and a note of any token it carried.
func failureChecks() []Check {
	return []Check{RecordTokensInFailure("FAIL-1"), NoPrevileges("FAIL-2"), RecordError("FAIL-3"), NoCredentialEcho("FAIL-5")}
}

// tokensUnusable tries any token a failure named step carried: neither may
// authorize (FAIL-1). Both steps are skipped when the failure had no token.
func tokensUnusable(step string) []Step {
	return []Step{
		{Name: step + "-token-reuse", Conn: "t", OnlyIf: LeakedTokenOf(step),
			Do: send(secured(LeakedTokenOf(step), nil)), Expect: []Check{Fails("FAIL-1")}},
		{Name: step + "-http-token-reuse", Conn: "t", OnlyIf: LeakedHTTPTokenOf(step),
			Do: send(secured(LeakedHTTPTokenOf(step), nil)), Expect: []Check{Fails("FAIL-1")}},
	}
}
