package model

// Cited lists the requirements the model's judgements can cite, by where
// it judges: the answer to an auth request (its code and mode), the answer
// to a command (getAuthInfo, getTokenForHttpServer: the state probes judge
// the connection's mode through them), the HTTP server's answer to a token.
// docs/requirements.md is generated from it; cited_test.go holds it to
// the model's code both ways: to the IDs its source cites, and list by list
// to what its judgements cite on random walks in every profile.
var Cited = struct{ Auth, Commands, HTTP []string }{
	Auth: []string{
		"FAIL-1", "RC-2", "RC-3", "RC-4", "RC-4b", "RC-5", "RC-5b", "RC-6", "RC-7", "RC-8", "RC-8b",
		"RC-9", "RC-9b", "RC-10", "RC-10b", "RC-11", "RC-12", "RC-13", "RC-14",
		"ROLE-1", "ROLE-2", "ROLE-3", "ROLE-4", "ROLE-5", "SW-1", "SW-3",
		"TOK-1", "TOK-2", "TOK-3", "TOK-4", "LIFE-3", "LIFE-4", "LIFE-5", "SEC-1", "ENV-8",
	},
	// A command's answer cites the requirement that put the connection in
	// its mode (the state probe: a token's grant cites the token's
	// standing, LIFE-4 and LIFE-5 included), or SEC-2 for the PIN, LIFE-6
	// for a fresh HTTP token.
	Commands: []string{
		"SEC-1", "SEC-2", "SEC-4", "FAIL-4", "LIFE-6",
		"ROLE-1", "ROLE-2", "ROLE-3", "ROLE-4", "ROLE-5", "RC-5b", "SW-2", "SW-3", "TOK-1", "TOK-2", "TOK-3", "TOK-4",
		"LIFE-3", "LIFE-4", "LIFE-5",
	},
	HTTP: []string{"FAIL-1", "SEC-1", "LIFE-1", "LIFE-1b", "LIFE-2", "LIFE-6"},
}
