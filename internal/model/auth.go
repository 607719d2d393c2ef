package model

import (
	"slices"
	"time"

	"github.com/roomconform/conform/caselang"
)

// authPlan is what the reading says of one auth request: the rules its
// answer must satisfy, and what a success would mean.
type authPlan struct {
	rules []Rule
	// open: the reading says nothing of this request (credentials with
	// type "unsecured", a status change with credentials...): any answer,
	// and after a success the connection's mode is unknown.
	open bool
	// grant says what an accepted success does.
	grant grant
	// wrong: a failure counts towards the lockout (credentials that may be
	// wrong); wrongAdmin: and it was aimed at admin (role "admin").
	// lockCheck: this is the correct admin credential the lockout must
	// refuse (RC-6).
	wrong, wrongAdmin, lockCheck bool
}

// grant is what an accepted success does to the state.
type grant struct {
	req    string // the requirement the success satisfies: the connection's why
	origin Origin
	// claimed: the mode is whatever the answer claims (INFO rows, where
	// either mode is accepted).
	claimed bool
	// cred is what a fresh authorization presented; from is the token or
	// connection root a derived one keeps (LIFE-5).
	cred credKind
	from *root
}

// fault is one thing wrong with a request, and the code(s) its row gives.
type fault struct {
	req   string
	codes []int
}

// authPlan works out the rules for an auth request on connection c, sent
// at sent and answered at answered.
func (m *Model) authPlan(c *conn, req map[string]any, sent, answered time.Time) authPlan {
	typ, role, creds := fieldOf(req, "type"), fieldOf(req, "role"), fieldOf(req, "credentials")
	var faults []fault
	if r := valueFault(typ, []string{"secured", "unsecured"}, "RC-10", "RC-10b"); r != "" {
		faults = append(faults, fault{r, []int{10}})
	}
	roleReq := valueFault(role, []string{"admin", "user"}, "RC-9", "RC-9b")
	if roleReq != "" {
		faults = append(faults, fault{roleReq, []int{9}})
	}
	var want caselang.Mode // the role asked for, "" when absent or invalid
	if role.present && roleReq == "" {
		want = caselang.Mode(role.s)
	}
	mode, known := m.modeAt(c, sent)
	var p authPlan
	switch {
	case !typ.present && !role.present:
		faults = append(faults, fault{"RC-11", []int{11}})
	case !typ.present:
		p = m.statusChange(c, mode, known, want, roleReq != "", creds.present, &faults)
	case typ.isString && typ.s == "unsecured":
		p = m.unsecured(want, role.present, &faults)
		if creds.present && len(faults) == 0 {
			// Credentials beside type "unsecured": the rows say nothing of a
			// grant then; a refusal (RC-4) stands as it is.
			return authPlan{open: true}
		}
	case typ.isString && typ.s == "secured":
		p = m.secured(creds, want, role.present, roleReq != "", sent, answered, &faults)
	}
	if p.open {
		return p
	}
	switch {
	case len(faults) == 1:
		p.rules = []Rule{{Req: faults[0].req, Outcomes: []Outcome{failure(faults[0].codes...)}}}
		p.lockCheck = false
	case len(faults) > 1:
		// Several faults at once (RC-13): a failure the first MUST row
		// demands, with a code from any of the rows.
		first := faults[0].req
		var codes []int
		anyCode := false
		for _, f := range faults {
			if caselang.LevelOf(f.req) == caselang.Must && caselang.LevelOf(first) != caselang.Must {
				first = f.req
			}
			anyCode = anyCode || len(f.codes) == 0
			for _, code := range f.codes {
				if !slices.Contains(codes, code) {
					codes = append(codes, code)
				}
			}
		}
		slices.Sort(codes)
		p.rules = []Rule{{Req: first, Outcomes: []Outcome{failure()}}}
		if !anyCode {
			p.rules = append(p.rules, Rule{Req: "RC-13", Outcomes: []Outcome{failure(codes...)}})
		}
	}
	if p.lockCheck && m.lockDue && !sent.After(m.lockSince.Add(m.set.Tolerance)) {
		return authPlan{rules: []Rule{{Req: "RC-6", Outcomes: []Outcome{failure(6)}}}, grant: p.grant, lockCheck: true}
	}
	// After repeated wrong credentials a server may refuse anything with 6,
	// for a while: the run waits --lockout-wait at most for it to end.
	if m.streak >= 2 && sent.Before(m.lastWrong.Add(m.set.LockoutWait)) {
		for i := range p.rules {
			p.rules[i] = p.rules[i].with6()
		}
	}
	return p
}

// statusChange is auth without type: role "user" on an administrator
// connection is the status change (SW-1), anywhere else 3 (RC-3).
func (m *Model) statusChange(c *conn, mode caselang.Mode, known bool, want caselang.Mode, badRole, withCreds bool, faults *[]fault) authPlan {
	switch {
	case withCreds && len(*faults) == 0 && known && mode == caselang.Admin:
		// Credentials in a status change: the rows say nothing of them on an
		// administrator connection; elsewhere RC-3 stands as it is.
		return authPlan{open: true}
	case !known:
		// Whether RC-3 applies too depends on the mode the model does not
		// know: the request's own faults are judged, alone.
		if len(*faults) == 0 {
			return authPlan{open: true}
		}
	case badRole:
		if mode != caselang.Admin {
			*faults = append(*faults, fault{"RC-3", []int{3}})
		}
	case want == caselang.User && mode == caselang.Admin:
		// The answer is SW-1's; that the connection then acts as user is
		// SW-2's, which the state probe judges.
		return authPlan{rules: []Rule{{Req: "SW-1", Outcomes: []Outcome{success(caselang.User)}}},
			grant: grant{req: "SW-2", origin: FromStatusChange, from: c.root}}
	case want == caselang.User:
		*faults = append(*faults, fault{"RC-3", []int{3}})
	case want == caselang.Admin && mode == caselang.Admin:
		// SW-3: the docs contradict themselves; recorded.
		return authPlan{rules: []Rule{{Req: "SW-3"}}, grant: grant{req: "SW-3", origin: FromStatusChange, claimed: true, from: c.root}}
	default:
		// {"role":"admin"} without type on a connection that is not
		// administrator: the reading does not say.
		return authPlan{open: true}
	}
	return authPlan{}
}

// unsecured is type "unsecured": a mode is granted only where it is
// unprotected.
func (m *Model) unsecured(want caselang.Mode, hasRole bool, faults *[]fault) authPlan {
	p := m.cfg.Profile
	g := grant{origin: FromLogin, cred: credUnsecured}
	switch {
	case hasRole && want == "":
		return authPlan{} // the role's fault is all there is
	case hasRole:
		switch sec := p.Security(want); {
		case sec == caselang.Unsecured:
			g.req = "ROLE-1"
			return authPlan{rules: []Rule{{Req: "ROLE-1", Outcomes: []Outcome{success(want)}}}, grant: g}
		case sec.IsProtected():
			*faults = append(*faults, fault{"RC-4", []int{4}})
			return authPlan{}
		}
		return authPlan{open: true}
	case p.Admin == caselang.Unsecured && p.User == caselang.Unsecured:
		g.req, g.claimed = "ROLE-3", true
		return authPlan{rules: []Rule{{Req: "ROLE-3", Outcomes: []Outcome{success(caselang.Admin), success(caselang.User)}}}, grant: g}
	case p.Admin.IsProtected() && p.User == caselang.Unsecured:
		g.req = "ROLE-5"
		return authPlan{rules: []Rule{{Req: "ROLE-5", Outcomes: []Outcome{success(caselang.User)}}}, grant: g}
	case p.Admin.IsProtected() && p.User.IsProtected():
		*faults = append(*faults, fault{"RC-4", []int{4}})
		return authPlan{}
	}
	return authPlan{open: true}
}

// secured is type "secured": a password, a PIN or a token.
func (m *Model) secured(creds field, want caselang.Mode, hasRole, badRole bool, sent, answered time.Time, faults *[]fault) authPlan {
	p := m.cfg.Profile
	switch {
	case !creds.present:
		*faults = append(*faults, fault{"RC-12", []int{12}})
		return authPlan{}
	case !creds.isString:
		*faults = append(*faults, fault{"RC-14", []int{7, 8}})
		return authPlan{wrong: true}
	case creds.s == "":
		*faults = append(*faults, fault{"RC-7", []int{7}})
		return authPlan{}
	}
	cr := m.recognise(creds.s)
	if p.Plan == caselang.Free {
		switch cr.class {
		case credToken:
			// A token on the Free plan: RC-2 names passwords and PINs; the
			// reading does not say whether token authorization is "secured
			// login" too. Either the token's answer or 2.
			tp := m.tokenPlan(cr.tok, want, hasRole, badRole, sent, answered, faults)
			for i := range tp.rules {
				tp.rules[i].Outcomes = append(tp.rules[i].Outcomes, failure(2))
			}
			return tp
		case credHTTP, credLeaked, credUnjudged:
			return authPlan{open: len(*faults) == 0, wrong: true}
		}
		*faults = append(*faults, fault{"RC-2", []int{2}})
		return authPlan{}
	}
	aimedAdmin := want == caselang.Admin
	wrongAt := func(req string) authPlan {
		// Wrong credentials aimed at an unprotected mode, or with nothing
		// protected, are RC-4b (4 or 8); else RC-8 (or RC-8b).
		bothOpen := p.Admin == caselang.Unsecured && p.User == caselang.Unsecured
		if (want != "" && !p.Security(want).IsProtected()) || (!hasRole && bothOpen) {
			*faults = append(*faults, fault{"RC-4b", []int{4, 8}})
		} else {
			*faults = append(*faults, fault{req, []int{8}})
		}
		return authPlan{wrong: true, wrongAdmin: aimedAdmin}
	}
	switch cr.class {
	case credWrong:
		return wrongAt("RC-8")
	case credPadded:
		return wrongAt("RC-8b")
	case credToken:
		return m.tokenPlan(cr.tok, want, hasRole, badRole, sent, answered, faults)
	case credHTTP:
		// TOK-4: recorded. It may also count as a wrong credential.
		if badRole {
			return authPlan{open: true}
		}
		return authPlan{rules: []Rule{{Req: "TOK-4"}}, grant: grant{req: "TOK-4", origin: FromToken, claimed: true}, wrong: true}
	case credLeaked:
		req := "FAIL-1"
		if cr.tok.Origin == FromRefusal {
			req = "SEC-1"
		}
		if badRole {
			*faults = append(*faults, fault{req, nil})
			return authPlan{wrong: true}
		}
		return authPlan{rules: []Rule{{Req: req, Outcomes: []Outcome{failure()}}}, wrong: true}
	case credUnjudged:
		return authPlan{open: true}
	case credMaybe:
		// The admin PIN in other letter case: the admin PIN, or wrong
		// credentials; either way the role decides as it would.
		g := grant{req: "ROLE-1", origin: FromLogin, cred: cr.kind}
		switch {
		case badRole:
			return authPlan{open: true}
		case want != caselang.User:
			return authPlan{rules: []Rule{{Req: "ROLE-1", Outcomes: []Outcome{success(caselang.Admin), failure(8)}}}, grant: g, wrong: true}
		case p.User == caselang.Unsecured:
			*faults = append(*faults, fault{"RC-4b", []int{4, 8}})
			return authPlan{wrong: true}
		case p.User.IsProtected():
			g.req = "RC-5b"
			return authPlan{rules: []Rule{{Req: "RC-5b", Outcomes: []Outcome{success(caselang.User), failure(5, 8)}}}, grant: g, wrong: true}
		}
		return authPlan{open: true}
	}
	// A secret.
	g := grant{origin: FromLogin, cred: cr.kind}
	lockCheck := slices.Contains(cr.modes, caselang.Admin) && (want == caselang.Admin || !hasRole)
	switch {
	case badRole:
		return authPlan{} // the role's fault is all there is
	case cr.folded && (!hasRole || want == caselang.User):
		g.req = "ROLE-4"
		return authPlan{rules: []Rule{{Req: "ROLE-4", Outcomes: []Outcome{success(caselang.User)}}}, grant: g}
	case !hasRole:
		g.req = "ROLE-2"
		var outs []Outcome
		for _, md := range cr.modes {
			outs = append(outs, success(md))
		}
		return authPlan{rules: []Rule{{Req: "ROLE-2", Outcomes: outs}}, grant: g, lockCheck: lockCheck}
	case slices.Contains(cr.modes, want):
		g.req = "ROLE-1"
		return authPlan{rules: []Rule{{Req: "ROLE-1", Outcomes: []Outcome{success(want)}}}, grant: g, lockCheck: lockCheck}
	case want == caselang.Admin:
		// User credentials never raise privileges.
		*faults = append(*faults, fault{"RC-5", []int{5}})
		return authPlan{}
	case p.User == caselang.Unsecured:
		// Admin credentials for an unprotected user mode: nothing to check
		// them against (RC-4b applies instead of RC-5b).
		*faults = append(*faults, fault{"RC-4b", []int{4, 8}})
		return authPlan{wrong: true}
	case p.User.IsProtected():
		g.req = "RC-5b"
		return authPlan{rules: []Rule{{Req: "RC-5b", Outcomes: []Outcome{success(caselang.User), failure(5)}}}, grant: g}
	}
	return authPlan{open: true}
}

// tokenPlan is a secured login with an API token the target issued.
func (m *Model) tokenPlan(t *Token, want caselang.Mode, hasRole, badRole bool, sent, answered time.Time, faults *[]fault) authPlan {
	st, req := m.apiStanding(t, sent, answered)
	g := grant{req: req, origin: FromToken, from: t.root}
	switch {
	case badRole:
		if st == dead {
			*faults = append(*faults, fault{req, nil})
		}
		return authPlan{}
	case st == dead:
		return authPlan{rules: []Rule{{Req: req, Outcomes: []Outcome{failure()}}}, wrong: true}
	}
	var rule Rule
	switch {
	case !hasRole || want == t.Mode:
		if t.Mode == caselang.User && !hasRole && req == "TOK-1" {
			req = "TOK-2" // a user token without role: previleges 1
		}
		rule = Rule{Req: req, Outcomes: []Outcome{success(t.Mode)}}
	case want == caselang.Admin:
		// A token never raises privileges (TOK-2; TOK-3 for the status
		// change's token).
		r := "TOK-2"
		if t.Origin == FromStatusChange {
			r = "TOK-3"
		}
		rule = Rule{Req: r, Outcomes: []Outcome{failure(5)}}
		if st == open {
			// It may have ended: refused then as an ended token is (any
			// failure, as below: 8, or RC-4b's 4 where the administrator is
			// unprotected).
			rule.Outcomes = append(rule.Outcomes, failure())
			return authPlan{rules: []Rule{rule}, wrong: true}
		}
		// A live token is still a token: "wrong credentials" (8) for it
		// says it stopped working, which is TOK-1's.
		return authPlan{rules: []Rule{rule, {Req: "TOK-1", Outcomes: []Outcome{failureExcept(8)}}}, wrong: true}
	default:
		// An admin token with role "user": RC-5b (tokens are exempt from
		// RC-4b, TOK-1).
		g.req = "RC-5b"
		rule = Rule{Req: "RC-5b", Outcomes: []Outcome{success(caselang.User), failure(5)}}
	}
	g.req = rule.Req
	if st == open {
		// The token may have ended (its lifetime's window, a displacement):
		// either it works as it would, or it is refused.
		rule.Outcomes = append(rule.Outcomes, failure())
		return authPlan{rules: []Rule{rule}, grant: g, wrong: true}
	}
	return authPlan{rules: []Rule{rule}, grant: g}
}
