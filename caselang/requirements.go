package caselang

import "strings"

// Level is how strongly the reading states a requirement. It decides the
// verdict when a check fails: MUST fails the case, SHOULD warns, INFO records.
type Level string

// The three levels of the reading.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
	Info   Level = "INFO"
)

// Requirement is one row of the reading (docs/requirements.md renders
// them). IDs are stable: never renumbered, never reused.
type Requirement struct {
	ID    string `json:"id"`
	Level Level  `json:"level"`
	Text  string `json:"text"`
}

// GroupOf returns the family prefix of a requirement ID.
func GroupOf(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// requirements is the registry, in the order of the reading; it is the
// source of docs/requirements.md (TestRequirementsDocIsFresh). The text is
// the requirement, shortened only where the table cell repeats the stimulus.
var requirements = []Requirement{
	{"ENV-1", Must, "Every auth request gets exactly one response: one text frame, one JSON object, within the response timeout. Notifications may arrive in between and are not the response."},
	{"ENV-2", Must, `method is the string "auth".`},
	{"ENV-3", Must, `A string requestId is echoed byte for byte, as a string (including non-ASCII, 256-character and all-digit ids such as "1", the docs' own example), on every auth answer: success, failure, token re-authorization and status change alike.`},
	{"ENV-4", Must, `Without requestId in the request, the response's requestId is "" or absent (accepted set: "", absent).`},
	{"ENV-5", Info, "A numeric requestId: record whether it is echoed as a number, as a string, or refused."},
	{"ENV-6", Must, "result is a JSON boolean; resultCode is a JSON integer in 0..12."},
	{"ENV-7", Must, "result is true exactly when resultCode is 0."},
	{"ENV-8", Should, `Unknown extra request fields are ignored (an otherwise valid request with "x-extra":1 succeeds).`},
	{"ENV-9", Should, "The connection stays open after a failed auth; another auth on it is answered. A target that closes it breaks ENV-9 alone: the later steps that needed that connection are not judged under any other requirement (not evaluated: the target closed the connection, ENV-9), so a SHOULD defect never becomes a MUST failure downstream."},

	{"AUTH-1", Must, "Success carries previleges (this spelling; a field named privileges instead is a FAIL), a JSON integer: 1 user, 2 administrator."},
	{"AUTH-2", Must, "Success carries token and tokenForHttpServer, each a non-empty string."},
	{"AUTH-3", Info, "overlayHttpToken, when present, is a non-empty string. Record presence."},
	{"AUTH-4", Info, `Token shape: record whether tokens match ^\d+\*[A-Za-z0-9]{16}\*\d+\*[0-9A-F]{64}$ (the doc examples do). Tokens are opaque; never fail on shape.`},
	{"AUTH-5", Should, "token and tokenForHttpServer differ, and 32 successful logins (password, PIN, unsecured, status change) return 32 distinct tokens. Token re-authorization may return the very token it was given (accepted set: the same token, a new one)."},

	{"FAIL-1", Must, "A failure carries no usable credential: token/tokenForHttpServer absent or empty; if any non-empty token is present, using it (API re-auth or HTTP) must not succeed."},
	{"FAIL-2", Should, "A failure carries no previleges."},
	{"FAIL-3", Info, "Record the error text if present (TrueConf's own Python client logs error from any message but does not need one on a failed auth)."},
	{"FAIL-4", Must, "A failed auth grants nothing: the connection's mode is unchanged (an unauthorized connection is still refused by getAuthInfo, see SEC-1)."},
	{"FAIL-5", Should, "No auth response contains the credentials sent in that request (password, PIN) in any field."},

	{"RC-1", Info, "Internal failure cannot be provoked; never expected."},
	{"RC-2", Must, `Plan is not Pro: type "secured" with a non-empty password/PIN gets 2. Only on a free profile.`},
	{"RC-3", Must, `Status change (no type, role "user") on a connection that is not administrator (fresh, or user) gets 3.`},
	{"RC-4", Must, `type "unsecured" for a mode that is protected (explicit role, or no role when no mode is unsecured) gets 4.`},
	{"RC-4b", Should, `type "secured" with a password/PIN aimed at a mode that is unprotected (e.g. role "user" with wrong credentials when user is unsecured), or when no mode is protected at all, gets 4 or 8. Tokens are exempt: a live token re-authorizes whatever the mode's protection (TOK-1).`},
	{"RC-5", Must, `Valid credentials for one mode with role naming the other, where the result would raise privileges (user PIN/password/token with role "admin"), get 5.`},
	{"RC-5b", Info, `Admin credentials with role "user" where user mode is protected: 0 with previleges 1, or 5 (where it is unprotected, RC-4b applies instead).`},
	{"RC-6", Should, "After repeated wrong credentials the server refuses even correct ones for a while (6), counted across connections. Disruptive: opt-in only (it can lock real administrators out). Threshold and wait are unknown: configurable, default 10 attempts. Correct credentials may be refused with 6 and with nothing else: any other code for them (8 during a lockout, say) breaks ROLE-1/RC-8, a MUST."},
	{"RC-6b", Info, `Whether wrong user PINs/passwords count towards the lockout too (the docs say "password entries"): record (6 or not).`},
	{"RC-7", Must, `type "secured" with credentials "" gets 7.`},
	{"RC-8", Must, `type "secured" with wrong credentials gets 8: a wrong password, a wrong PIN, a malformed or altered token, and near misses: a password in other letter case (only the PIN is case-insensitive, ROLE-4), a proper prefix or extension of a secret, a token in other letter case.`},
	{"RC-8b", Should, "A secret with added leading/trailing whitespace is wrong credentials (8)."},
	{"RC-9", Must, `role not admin/user (e.g. "root", "") gets 9.`},
	{"RC-9b", Should, `role in other letter case ("Admin", "USER") is not a documented value (9).`},
	{"RC-10", Must, `type not secured/unsecured (e.g. "open") gets 10.`},
	{"RC-10b", Should, `type in other letter case ("Secured", "UNSECURED") is not a documented value (10).`},
	{"RC-11", Must, "No type and no role gets 11."},
	{"RC-12", Must, `type "secured" without a credentials field gets 12.`},
	{"RC-13", Should, `Several faults at once (e.g. bad type and bad role): the code is one of the applicable codes.`},
	{"RC-14", Should, `Wrong JSON types ("type":1, "role":true, "credentials":42) get a failure with a code from the matching validation row (10 / 9 / 7, 8).`},

	{"ROLE-1", Must, `Valid admin credentials with role "admin" give previleges 2; valid user credentials with role "user" give 1; type "unsecured" with a role whose mode is unsecured gives that mode.`},
	{"ROLE-2", Must, "Without role, the mode follows the credentials: admin password (or command-line PIN) gives 2, user PIN/password gives 1."},
	{"ROLE-3", Info, `type "unsecured" without role when both modes are unsecured: accepted 2 (reference) or 1.`},
	{"ROLE-5", Must, `type "unsecured" without role when exactly one mode is unsecured grants that mode and never the protected one (admin protected, user unsecured: previleges 1).`},
	{"ROLE-4", Must, "User PIN is case-insensitive: the PIN in other letter case authorizes the same as the PIN (only when the PIN has letters)."},

	{"SW-1", Must, `On an administrator connection, {"method":"auth","role":"user"} succeeds with previleges 1 and fresh token/tokenForHttpServer.`},
	{"SW-2", Must, "After SW-1 the connection acts as user: getAuthInfo no longer shows the PIN."},
	{"SW-3", Info, `{"method":"auth","role":"admin"} without type on an admin connection (the text says role "must be equal to admin", the example sends "user"): record.`},

	{"TOK-1", Must, `type "secured" with credentials = a token from an earlier success authorizes on a new connection with the same previleges, after the issuing connection has closed, and again on further connections (a token is not single-use within its lifetime); for every token a success returns (login, token re-authorization, status change). Tokens of a connection that was displaced (SEC-3) or whose protection was changed (CFG): the docs are silent, so both outcomes are accepted and recorded (INFO).`},
	{"TOK-2", Must, `A token never raises privileges: a user-mode token with role "admin" gets 5; without role it gets previleges 1.`},
	{"TOK-3", Must, `The token returned by a status change (SW-1) re-authorizes as user (1), and as nothing more: with role "admin" it gets 5, and the connection it authorizes does not see the PIN (SEC-2).`},
	{"TOK-4", Info, "Using a tokenForHttpServer as API credentials: record."},

	{"LIFE-1", Must, "tokenForHttpServer is accepted by the HTTP server right after issue (2xx on the probe path) and a wrong token is refused (4xx)."},
	{"LIFE-1b", Should, "The HTTP server refuses the API token (it is not an HTTP token)."},
	{"LIFE-2", Must, "Where the mode the token was issued for is protected by password or unsecured, tokenForHttpServer is refused after 5 min (+ tolerance) and accepted until 5 min (- tolerance); where that mode is PIN-protected the docs also say it never expires: there, expiry is INFO. Slow on a live target (label slow)."},
	{"LIFE-3", Must, "The API token outlives the HTTP token: it still authorizes after the HTTP token has expired."},
	{"LIFE-4", Must, "The API token expires: unsecured and password 30 days; PIN 24 hours (setAuthParams page) or 30 days (auth page): accepted window [24 h, 30 d]; command-line PIN only at restart (never during a run). Checked only where lifetimes can be scaled (reference server) or opted in."},
	{"LIFE-5", Must, "A token obtained by token authorization or by a status change expires with the token of the original authorization (its lifetime is not extended)."},
	{"LIFE-6", Should, "getTokenForHttpServer returns a fresh HTTP token (token field) valid on the HTTP server, also after the login's own tokenForHttpServer has expired (it is a new token with a new lifetime)."},

	{"SEC-1", Must, "Before a successful auth, a privileged command is refused (result false and/or an error field) and reveals nothing: getAuthInfo shows no adminAuth/userAuth, getTokenForHttpServer gives no token that the HTTP server accepts."},
	{"SEC-2", Must, "A user-mode connection's getAuthInfo never shows pin; an admin connection's shows it when user security is pin."},
	{"SEC-3", Should, "A second connection authorizing in the same mode makes the first receive authorizationNeeded with cause 1. Disruptive on a live target (it kicks the operator's session): opt-in. The notification's order relative to later answers on that connection is not required (a server may send it from another thread); it must arrive within the response timeout. Whether the displaced connection's tokenForHttpServer keeps working: INFO."},
	{"SEC-4", Must, `The displaced connection of SEC-3 no longer holds the mode ("authorization needed" means it is unauthorized): a privileged command on it is refused until it authorizes again. Disruptive, like SEC-3.`},

	{"ROB-1", Must, "After invalid JSON, a binary frame, a 1 MiB text frame, a text frame that is not valid UTF-8, or an abrupt close mid-request, the server still accepts a new connection and a valid auth succeeds."},
	{"ROB-2", Info, "Record what the same connection got: an error response, a close code, or nothing."},

	{"DISC-1", Must, "When the operator gives the web manager's URL, GET /public/default/config.json returns JSON with integer config.websocket.port (and config.http.port), and the suite reaches the WebSocket there."},

	{"CFG-1", Must, "setAuthParams admin password: afterwards unsecured admin auth gets 4 and the new password gets 2."},
	{"CFG-2", Must, `setAuthParams user pin: the PIN given in the request (newPin), or else (newPin absent, null or "": none given, as TrueConf's Python and Qt clients send it) the one the response carries in newPin (string), authorizes as user; getAuthInfo shows security "pin".`},
	{"CFG-3", Must, "setAuthParams admin unsecured also makes user unsecured."},
	{"CFG-4", Must, "Securing user while admin is unsecured is refused."},
	{"CFG-5", Should, "An open connection whose own mode's protection was changed gets authorizationNeeded with the documented cause (2 when admin became unsecured, 4 when user credentials were changed by admin). Cause 3 cannot be observed by a second admin connection (one connection per mode)."},
	{"CFG-6", Must, "(Of the suite itself) the original protection is restored at the end, also after a failure or an interrupt; where a PIN had to be regenerated, the report says the new PIN's owner must be told."},
}

var requirementIndex = func() map[string]Requirement {
	m := make(map[string]Requirement, len(requirements))
	for _, r := range requirements {
		m[r.ID] = r
	}
	return m
}()

// Requirements returns every requirement in the order of the reading.
func Requirements() []Requirement { return append([]Requirement(nil), requirements...) }

// RequirementIDs returns the IDs of the registry, in its order.
func RequirementIDs() []string {
	ids := make([]string, len(requirements))
	for i, r := range requirements {
		ids[i] = r.ID
	}
	return ids
}

// LookupRequirement returns the requirement with the given ID.
func LookupRequirement(id string) (Requirement, bool) {
	r, ok := requirementIndex[id]
	return r, ok
}

// LevelOf returns the level of a requirement; unknown IDs are MUST so that a
// typo can never soften a verdict (the catalogue validation rejects them anyway).
func LevelOf(id string) Level {
	if r, ok := requirementIndex[id]; ok {
		return r.Level
	}
	return Must
}
