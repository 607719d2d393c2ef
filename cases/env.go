package cases

import (
	"fmt"
	"strings"

	. "github.com/roomconform/conform/caselang"
)

// ENV: the envelope of every auth response.

// longRequestID is a 256-character requestId: the echo must be exact.
var longRequestID = "conform-ENV3-" + strings.Repeat("0123456789abcdef", 15) + "end"

var envCases = []Case{
	{
		ID: "env-1-exactly-one-response", Title: "a successful and a failed auth on one connection each get exactly one response",
		Requirements: []string{"ENV-1"}, Labels: []string{"smoke"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{
			{Name: "success", Do: Send{Request: Login(Admin), ExactlyOne: "ENV-1"}, Expect: []Check{Answered("ENV-1")}},
			{Name: "failure", Do: Send{Request: Login(Admin).With(Str("root")), ExactlyOne: "ENV-1"}, Expect: []Check{Answered("ENV-1")}},
		},
	},
	{
		ID: "env-2-success-envelope", Title: "a successful auth answers with method \"auth\", a boolean result and an integer resultCode that agree",
		Requirements: []string{"ENV-2", "ENV-6", "ENV-7"}, Labels: []string{"smoke"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin)), Expect: Envelope()}},
	},
	{
		ID: "env-2-failure-envelope", Title: "a failed auth (role \"root\") answers with method \"auth\", result false and a resultCode that agree",
		Requirements: []string{"ENV-2", "ENV-6", "ENV-7"},
		Needs:        []Need{CanLogin(Admin)},
		Steps:        []Step{{Do: send(Login(Admin).With(Str("root"))), Expect: Envelope()}},
	},
	{
		ID: "env-2-status-change-envelope", Title: "a refused status change on a fresh connection answers with a well-formed auth envelope",
		Requirements: []string{"ENV-2", "ENV-6", "ENV-7"},
		Steps:        []Step{{Do: send(statusChange), Expect: Envelope()}},
	},
	{
		ID: "env-3-request-id-ascii", Title: "an ASCII requestId is echoed on success",
		Requirements: []string{"ENV-3"}, Labels: []string{"smoke"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin).WithID(Str("conform-ENV-3-ascii:42"))), Expect: []Check{EchoesRequestID("ENV-3")}}},
	},
	{
		ID: "env-3-request-id-non-ascii", Title: "a non-ASCII requestId is echoed byte for byte",
		Requirements: []string{"ENV-3"},
		Needs:        []Need{CanLogin(Admin)},
		Steps:        []Step{{Do: send(Login(Admin).WithID(Str("запрос-✓-𝄞-\"q\"-\\"))), Expect: []Check{EchoesRequestID("ENV-3")}}},
	},
	{
		ID: "env-3-request-id-256", Title: "a 256-character requestId is echoed byte for byte",
		Requirements: []string{"ENV-3"},
		Needs:        []Need{CanLogin(Admin)},
		Steps:        []Step{{Do: send(Login(Admin).WithID(Str(longRequestID))), Expect: []Check{EchoesRequestID("ENV-3")}}},
	},
	{
		ID: "env-3-request-id-all-digits", Title: "an all-digit string requestId (\"1\", the docs' own example) is echoed as a string, on success and on failure",
		Requirements: []string{"ENV-3"}, Labels: []string{"smoke"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{
			{Do: send(Login(Admin).WithID(Str("1"))), Expect: []Check{EchoesRequestID("ENV-3")}},
			{Do: send(Request{Type: Str("open"), RequestID: Str("2")}), Expect: []Check{EchoesRequestID("ENV-3")}},
		},
	},
	{
		ID: "env-3-request-id-on-failure", Title: "the requestId is echoed on a failed auth too",
		Requirements: []string{"ENV-3"},
		Steps:        []Step{{Do: send(Request{Type: Str("open"), Role: roleAdmin, RequestID: Str("conform-ENV-3-failure")}), Expect: []Check{EchoesRequestID("ENV-3")}}},
	},
	// Each after a request with an id on the same connection: an answer
	// without an id must not borrow one.
	{
		ID: "env-4-no-request-id-success", Title: "a successful auth without requestId (after one with an id) answers with requestId \"\" or none",
		Requirements: []string{"ENV-4", "ENV-3"},
		Needs:        []Need{CanLogin(Admin)},
		Steps: []Step{
			{Do: send(Request{Type: Str("open"), RequestID: Str("conform-ENV-4-before")}), Expect: []Check{EchoesRequestID("ENV-3")}},
			{Do: send(Login(Admin).WithID(NoRequestID)), Expect: []Check{EmptyOrNoRequestID("ENV-4")}},
		},
	},
	{
		ID: "env-4-no-request-id-failure", Title: "a failed auth without requestId (after one with an id) answers with requestId \"\" or none",
		Requirements: []string{"ENV-4", "ENV-3"},
		Steps: []Step{
			{Do: send(Request{Type: Str("open"), RequestID: Str("conform-ENV-4-before")}), Expect: []Check{EchoesRequestID("ENV-3")}},
			{Do: send(Request{Type: Str("open"), RequestID: NoRequestID}), Expect: []Check{EmptyOrNoRequestID("ENV-4")}},
		},
	},
	{
		ID: "env-5-numeric-request-id", Title: "a numeric requestId: recorded how it comes back",
		Requirements: []string{"ENV-5"},
		Needs:        []Need{CanLogin(Admin)},
		Steps:        []Step{{Do: send(Login(Admin).WithID(JSON(42))), Expect: []Check{RecordRequestIDEcho("ENV-5")}}},
	},
	{
		ID: "env-8-unknown-field-ignored", Title: "a valid login with an extra field \"x-extra\":1 still succeeds",
		Requirements: []string{"ENV-8"},
		Needs:        []Need{CanLogin(Admin)},
		Steps:        []Step{{Do: send(withExtra(Login(Admin), "x-extra", JSON(1))), Expect: granted("ENV-8", Admin)}},
	},
	repeatedFailures(),
	{
		ID: "env-9-open-after-failure", Title: "after a failed auth the same connection answers another auth",
		Requirements: []string{"ENV-9"},
		Needs:        []Need{CanLogin(Admin)},
		Steps: []Step{
			{Name: "failure", Do: send(Login(Admin).With(Str("root"))), Expect: []Check{Fails("ENV-9")}},
			{Name: "again", Do: send(Login(Admin)), Expect: []Check{Answered("ENV-9")}},
		},
	},
}

// repeatedFailures is ENV-9 again after five failures in a row: a server
// that tolerates one failure but closes after a few breaks it just the same.
func repeatedFailures() Case {
	steps := make([]Step, 0, 6)
	for i := range 5 {
		steps = append(steps, Step{Name: fmt.Sprintf("failure-%d", i+1), Do: send(Request{Type: Str("open"), Role: roleAdmin}), Expect: []Check{Fails("ENV-9")}})
	}
	return Case{
		ID: "env-9-open-after-repeated-failures", Title: "after five failed auths in a row the same connection answers another auth",
		Requirements: []string{"ENV-9"},
		Steps:        append(steps, Step{Name: "again", Do: send(Request{Type: Str("open"), Role: roleAdmin}), Expect: []Check{Answered("ENV-9")}}),
	}
}

func withExtra(r Request, name string, v Value) Request {
	r.Extra = append(append([]Field(nil), r.Extra...), Field{Name: name, Value: v})
	return r
}

// longConnection: one connection that lives through many authorizations
// (a login, a status change, a token re-authorization, over and over): a
// firmware that counts its requests or answers per connection is seen
// where the other cases, each a few requests long, never reach. The model
// judges every answer; the engine's barrier after each one catches a
// second answer or a missing one (ENV-1).
func longConnection() Case {
	const rounds = 14
	steps := []Step{loginKeepingTokens("first", Admin)}
	for i := range rounds {
		steps = append(steps,
			Step{Name: fmt.Sprintf("login-%d", i+1), Do: send(Login(Admin)), Expect: []Check{AsTheReadingSays("ENV-1")}},
			Step{Name: fmt.Sprintf("switch-%d", i+1), Do: send(statusChange), Expect: []Check{AsTheReadingSays("ENV-1")}},
			Step{Name: fmt.Sprintf("token-%d", i+1), Do: send(SecuredAuth(TokenOf("first"), roleAdmin)), Expect: []Check{AsTheReadingSays("ENV-1")}})
	}
	return Case{
		ID:           "env-1-long-connection",
		Title:        fmt.Sprintf("one connection through %d authorizations (login, status change, token re-authorization, in turn): each answered once, as the reading says", 1+3*rounds),
		Requirements: []string{"ENV-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin), IsProtected(Admin), OnPlan(Pro)},
		Steps: steps,
	}
}
