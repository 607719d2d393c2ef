package cases

import (
	"fmt"
	"strconv"
	"strings"

	. "github.com/roomconform/conform/caselang"
)

// Near misses: for every request field, a systematic family of values
// around each valid one (letter case, surrounding whitespace, prefix and
// extension, another JSON type, non-ASCII, NUL, very long), each a
// generated case whose expected answer is the model's (AsTheReadingSays).
// The hand-written cases hold the reading's own examples; these catch the
// comparison that is almost right. IDs are stable: field, base value and
// miss, so a --case list or a baseline keeps naming the same stimulus.

// NearMisses returns the generated cases, in a stable order.
func NearMisses() []Case {
	var out []Case
	out = append(out, requestIDMisses()...)
	out = append(out, typeMisses()...)
	out = append(out, roleMisses()...)
	out = append(out, credentialMisses()...)
	out = append(out, contextMisses()...)
	return append(out, presenceMisses()...)
}

// presenceMisses: valid credentials beside fields that make the request
// something else, each judged by the row its type and role make it: no
// type and no role (RC-11), type "unsecured" for a protected mode (RC-4),
// no type and role "user" on a fresh connection (RC-3). A server that
// looks at the credentials first gets them wrong.
func presenceMisses() []Case {
	var out []Case
	for _, mode := range []Mode{Admin, User} {
		creds := LoginField{Mode: mode, Field: "credentials"}
		needs := []Need{CanLogin(mode), IsProtected(mode)}
		for _, st := range []struct {
			req, name, what string
			r               Request
		}{
			{"RC-11", "no-type-no-role", "without type and role", Request{Credentials: creds}},
			{"RC-4", "type-unsecured", `with type "unsecured" and role "` + string(mode) + `"`, Request{Type: Str("unsecured"), Role: Str(string(mode)), Credentials: creds}},
			{"RC-3", "no-type-role-user", `without type, with role "user", on a fresh connection`, Request{Role: roleUser, Credentials: creds}},
		} {
			out = append(out, Case{ID: fmt.Sprintf("%s-near-%s-credentials-%s", strings.ToLower(st.req), mode, st.name),
				Title:        fmt.Sprintf("valid %s credentials %s", mode, st.what),
				Requirements: []string{st.req}, Labels: []string{"near-miss"}, Needs: needs,
				Steps: []Step{{Do: send(st.r), Expect: []Check{AsTheReadingSays(st.req)}}}})
		}
	}
	return out
}

// contextMisses: the requests of the validation rows again, on a
// connection already authorized in each mode: the code a row gives does
// not depend on the connection's history, and a failure there keeps the
// connection's mode (FAIL-4, which the state probe judges).
func contextMisses() []Case {
	stimuli := []struct {
		req, name, what string
		r               Request
	}{
		{"RC-7", "empty-credentials", `type "secured" with credentials ""`, SecuredAuth(Str(""), roleAdmin)},
		{"RC-9", "role-root", `type "unsecured" with role "root"`, Request{Type: Str("unsecured"), Role: Str("root")}},
		{"RC-10", "type-open", `type "open"`, Request{Type: Str("open"), Role: roleAdmin}},
		{"RC-11", "no-type-no-role", "neither type nor role", Request{}},
		{"RC-12", "no-credentials", `type "secured" without credentials`, Request{Type: Str("secured"), Role: roleAdmin}},
		{"RC-14", "numeric-credentials", `"credentials":42`, SecuredAuth(JSON(42), roleAdmin)},
		{"RC-4", "unsecured-admin", `type "unsecured" with role "admin"`, Request{Type: Str("unsecured"), Role: roleAdmin}},
	}
	var out []Case
	for _, mode := range []Mode{Admin, User} {
		for _, st := range stimuli {
			needs := []Need{CanLogin(mode)}
			if st.req == "RC-4" {
				needs = append(needs, IsProtected(Admin))
			}
			step := Step{Name: "again", Do: send(st.r), Expect: []Check{AsTheReadingSays(st.req)}}
			steps := []Step{loginAs("login", mode), step}
			reqs := []string{st.req, "ROLE-1"}
			if step.SendsWrongCredential() {
				steps = append(steps, RecoverLogin())
			}
			out = append(out, Case{ID: fmt.Sprintf("%s-on-%s-connection-%s", strings.ToLower(st.req), mode, st.name),
				Title:        fmt.Sprintf("%s on a connection already in %s mode: the same code, and the mode kept", st.what, mode),
				Requirements: reqs, Labels: []string{"near-miss"}, Needs: needs, Steps: steps})
		}
	}
	return out
}

// requestIDMisses: string ids near the suite's own all-digit ones, on a
// success and on a failure (ENV-3: echoed byte for byte, as a string).
func requestIDMisses() []Case {
	ids := []struct{ name, id string }{
		{"zero", "0"}, {"leading-zeros", "007"}, {"beyond-int64", "18446744073709551616"}, {"negative", "-1"},
		{"decimal", "1.5"}, {"exponent", "1e3"}, {"spaces", " 1 "}, {"empty", ""}, {"nul", "1\x002"},
		{"escapes", "1\"\\/\b"}, {"non-ascii", "1-идент-💡"}, {"long", strings.Repeat("1", 4096)},
	}
	var out []Case
	for _, id := range ids {
		out = append(out,
			Case{ID: "env-3-near-request-id-" + id.name + "-success", Title: fmt.Sprintf("requestId %s on a successful auth: echoed as sent", quoteTitle(id.id)),
				Requirements: []string{"ENV-3"}, Labels: []string{"near-miss"}, Needs: []Need{CanLoginSome},
				Steps: []Step{{Do: send(LoginAny().WithID(Str(id.id))), Expect: []Check{EchoesRequestID("ENV-3")}}}},
			Case{ID: "env-3-near-request-id-" + id.name + "-failure", Title: fmt.Sprintf("requestId %s on a failed auth: echoed as sent", quoteTitle(id.id)),
				Requirements: []string{"ENV-3"}, Labels: []string{"near-miss"},
				Steps: []Step{{Do: send(Request{Type: Str("open"), RequestID: Str(id.id)}), Expect: []Check{EchoesRequestID("ENV-3")}}}})
	}
	return out
}

// typeMisses: type near "secured" (with the credentials of a login) and
// near "unsecured" (role admin): RC-10, RC-10b for letter case, RC-14 for
// another JSON type.
func typeMisses() []Case {
	var out []Case
	for _, base := range []string{"secured", "unsecured"} {
		for _, m := range StringMisses {
			req := valueReq(m, "RC-10", "RC-10b")
			near := NearValue{Base: Str(base), Miss: m}
			c := Case{ID: fmt.Sprintf("%s-near-type-%s-%s", strings.ToLower(req), base, m.Name),
				Title:        fmt.Sprintf("type %q %s: not a documented type", base, m.What),
				Requirements: []string{req}, Labels: []string{"near-miss"}}
			r := Request{Type: near, Role: roleAdmin}
			if base == "secured" {
				r = Request{Type: near, Role: LoginField{Mode: "", Field: "role"}, Credentials: LoginField{Mode: "", Field: "credentials"}}
				c.Needs = []Need{CanLoginSome}
			}
			c.Steps = []Step{{OnlyIf: near, Do: send(r), Expect: []Check{AsTheReadingSays(req)}}}
			out = append(out, c)
		}
	}
	return out
}

// roleMisses: role near "admin" and "user", with that mode's valid login:
// RC-9, RC-9b for letter case, RC-14 for another JSON type.
func roleMisses() []Case {
	var out []Case
	for _, mode := range []Mode{Admin, User} {
		for _, m := range StringMisses {
			req := valueReq(m, "RC-9", "RC-9b")
			near := NearValue{Base: Str(string(mode)), Miss: m}
			out = append(out, Case{ID: fmt.Sprintf("%s-near-role-%s-%s", strings.ToLower(req), mode, m.Name),
				Title:        fmt.Sprintf("role %q %s, with valid %s credentials: not a documented role", mode, m.What, mode),
				Requirements: []string{req}, Labels: []string{"near-miss", "role"}, Needs: []Need{CanLogin(mode)},
				Steps: []Step{{OnlyIf: near, Do: send(Login(mode).With(near)), Expect: []Check{AsTheReadingSays(req)}}}})
		}
	}
	return out
}

// valueReq is the requirement a miss of a type or role value breaks.
func valueReq(m Miss, must, caseRow string) string {
	switch m.Name {
	case "title-case", "other-case":
		return caseRow
	case "number", "boolean", "array":
		return "RC-14"
	}
	return must
}

// credentialMisses: each secret and each kind of API token, near but not
// equal, with the role of its mode: wrong credentials (RC-8; RC-8b for
// whitespace; RC-14 for another JSON type), except the user PIN in other
// letter case, which is the PIN (ROLE-4). Each is followed by a success.
func credentialMisses() []Case {
	type base struct {
		name  string
		v     Value
		mode  Mode
		needs []Need
		label string
		token bool
	}
	bases := []base{
		{"admin-password", Secret(AdminPassword), Admin, []Need{Secured(Admin, Password), OnPlan(Pro)}, "password", false},
		{"admin-pin", Secret(AdminPIN), Admin, []Need{HasSecret(AdminPIN), IsProtected(Admin), OnPlan(Pro)}, "pin", false},
		{"user-password", Secret(UserPassword), User, []Need{Secured(User, Password), OnPlan(Pro)}, "password", false},
		{"user-pin", Secret(UserPIN), User, []Need{Secured(User, PIN), OnPlan(Pro)}, "pin", false},
		{"admin-token", TokenOf("login"), Admin, []Need{CanLogin(Admin), IsProtected(Admin), OnPlan(Pro)}, "token", true},
		{"user-token", TokenOf("login"), User, []Need{CanLogin(User), IsProtected(User), OnPlan(Pro)}, "token", true},
	}
	var out []Case
	for _, b := range bases {
		for _, m := range StringMisses {
			req := credentialReq(m)
			wrong := true
			switch {
			case m.Name == "array":
				continue // another JSON type is tried as a number and a boolean
			case b.name == "admin-pin" && (m.Name == "title-case" || m.Name == "other-case"):
				continue // the reading does not say whether the admin PIN is case-insensitive
			case b.name == "user-pin" && (m.Name == "title-case" || m.Name == "other-case"):
				req, wrong = "ROLE-4", false
			}
			near := NearValue{Base: b.v, Miss: m, Wrong: wrong}
			var steps []Step
			reqs := []string{req}
			if b.token {
				steps = append(steps, loginKeepingTokens("login", b.mode))
				reqs = append(reqs, "ROLE-1", "AUTH-2")
			}
			steps = append(steps, Step{Name: "near", Conn: "b", OnlyIf: near, Do: send(SecuredAuth(near, Str(string(b.mode)))), Expect: []Check{AsTheReadingSays(req)}})
			if wrong {
				steps = append(steps, RecoverLogin())
				if !b.token {
					reqs = append(reqs, "ROLE-1")
				}
			}
			out = append(out, Case{ID: fmt.Sprintf("%s-near-%s-%s", strings.ToLower(req), b.name, m.Name),
				Title:        fmt.Sprintf("the %s %s, with role %q", strings.ReplaceAll(b.name, "-", " "), m.What, b.mode),
				Requirements: reqs, Labels: []string{"near-miss", b.label}, Needs: b.needs, Steps: steps})
		}
	}
	return out
}

// credentialReq is the requirement a miss of a credential breaks.
func credentialReq(m Miss) string {
	switch m.Name {
	case "leading-space", "trailing-space", "tab", "newline":
		return "RC-8b"
	case "number", "boolean":
		return "RC-14"
	}
	return "RC-8"
}

// quoteTitle quotes a value for a title, short and printable.
func quoteTitle(s string) string {
	if len(s) > 24 {
		return fmt.Sprintf("%q... (%d bytes)", s[:12], len(s))
	}
	return strconv.Quote(s)
}
