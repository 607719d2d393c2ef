package cases

import . "github.com/roomconform/conform/caselang"

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

// recoverNamed is RecoverLogin under another step name, for a case that
// recovers more than once.
func recoverNamed(name string) Step {
	s := RecoverLogin()
	s.Name = name
	return s
}

// closeConn closes connection conn (a token must outlive its connection).
func closeConn(conn string) Step { return Step{Conn: conn, Do: Close{}} }

// getAuthInfo is the privileged command used to observe a connection's mode.
var getAuthInfo = Request{Method: "getAuthInfo"}

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
			Do: send(SecuredAuth(LeakedTokenOf(step), nil)), Expect: []Check{Fails("FAIL-1")}},
		{Name: step + "-http-token-reuse", Conn: "t", OnlyIf: LeakedHTTPTokenOf(step),
			Do: send(SecuredAuth(LeakedHTTPTokenOf(step), nil)), Expect: []Check{Fails("FAIL-1")}},
	}
}
