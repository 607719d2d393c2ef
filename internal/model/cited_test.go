package model_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/explain"
	"github.com/roomconform/conform/internal/generate"
	"github.com/roomconform/conform/internal/model"
)

// model.Cited is kept by hand beside the code it describes; these tests
// hold it to that code, both ways, so that it can neither miss a
// requirement the model judges (docs/requirements.md would not say the
// model judges it) nor list one it no longer judges.

// TestCitedIsWhatTheSourceCites: the requirements the three lists name,
// together, are those the model's source cites (a requirement's ID as a
// string literal in the model's code, not in a comparison).
func TestCitedIsWhatTheSourceCites(t *testing.T) {
	cites, err := explain.Citations(".")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, l := range [][]string{model.Cited.Auth, model.Cited.Commands, model.Cited.HTTP} {
		for _, r := range l {
			listed[r] = true
		}
	}
	for _, r := range slices.Sorted(maps.Keys(cites)) {
		if !listed[r] {
			t.Errorf("the model cites %s (%s), which model.Cited does not list", r, strings.Join(cites[r], ", "))
		}
	}
	for _, r := range slices.Sorted(maps.Keys(listed)) {
		if _, ok := cites[r]; !ok {
			t.Errorf("model.Cited lists %s, which no code of the model cites", r)
		}
	}
}

// TestCitedByWhereTheModelJudges: each list names exactly the
// requirements the model's judgements cite where the list says (the answer
// to an auth request, to a command, the HTTP server's answer to a token),
// over random walks in every profile: requests of every kind, near misses
// of every secret and token, waits past every lifetime, and every answer a
// server could give judged, accepted or not.
func TestCitedByWhereTheModelJudges(t *testing.T) {
	seen := citedOnWalks(rand.New(rand.NewPCG(19, 4)), 100, 60)
	for _, l := range []struct {
		where  string
		listed []string
	}{{"Auth", model.Cited.Auth}, {"Commands", model.Cited.Commands}, {"HTTP", model.Cited.HTTP}} {
		for _, r := range slices.Sorted(maps.Keys(seen[l.where])) {
			if !slices.Contains(l.listed, r) {
				t.Errorf("the model cites %s judging %s answers (e.g. %s); model.Cited.%s does not list it", r, l.where, seen[l.where][r], l.where)
			}
		}
		for _, r := range l.listed {
			if seen[l.where][r] == "" {
				t.Errorf("model.Cited.%s lists %s, which the model never cited judging %s answers on the walks", l.where, r, l.where)
			}
		}
	}
}

// citedOnWalks drives a model of every profile through walks random
// walks of steps moves and returns, by where it judged (Auth, Commands,
// HTTP), every requirement its findings cited, with an example request.
// The moves are what the reading tells apart: logins with each secret, a
// token re-authorization, a status change, a run of wrong credentials to
// the lockout, any request at all (near misses, unknown values, an
// unknown field), a command on the connection just used, the HTTP server
// with any token, waits past every lifetime, a close.
func citedOnWalks(rng *rand.Rand, walks, steps int) map[string]map[string]string {
	seen := map[string]map[string]string{"Auth": {}, "Commands": {}, "HTTP": {}}
	note := func(where string, v model.Verdict, example string) {
		fs := v.Others
		if v.Outcome != nil {
			fs = append(fs, *v.Outcome)
		}
		for _, f := range fs {
			if seen[where][f.Requirement] == "" {
				seen[where][f.Requirement] = example
			}
		}
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	waits := []time.Duration{time.Second, 10 * time.Minute, 2 * time.Hour, 25 * time.Hour, 31 * 24 * time.Hour}
	set := caselang.DefaultSettings()
	for _, p := range generate.Profiles() {
		secrets := generate.Secrets(p)
		for range walks {
			m := model.New(model.Config{Profile: p, Secrets: secrets, Settings: set})
			w := &walker{rng: rng, m: m, now: t0, p: p, secrets: secrets}
			conn := "a"
			auth := func(req map[string]any) {
				x := m.Expect(conn, fmt.Sprint("s", w.n), req, w.now)
				for _, a := range w.authAnswers() {
					note("Auth", x.Judge(a, w.now), shown(req))
				}
				x.Apply(w.pickAuth(x), w.now)
			}
			command := func() {
				method := w.pick("getAuthInfo", "getTokenForHttpServer", "clearTokens").(string)
				x := m.Expect(conn, fmt.Sprint("s", w.n), map[string]any{"method": method, "requestId": "c"}, w.now)
				answers := w.commandAnswers(x)
				for _, a := range answers {
					note("Commands", x.Judge(a, w.now), method)
				}
				a := answers[0]
				if rng.IntN(8) == 0 {
					a = answers[rng.IntN(len(answers))]
				}
				x.Apply(a, w.now)
				w.keep(a)
			}
			// A connection's mode shows in the answer to a command after
			// the auth that gave it: half the logins, token
			// re-authorizations and status changes are followed by one.
			then := func() {
				if rng.IntN(2) == 0 {
					command()
				}
			}
			for range steps {
				if rng.IntN(3) == 0 { // else the move is on the connection just used
					conn = []string{"a", "b", "c"}[rng.IntN(3)]
				}
				switch k := rng.IntN(24); {
				case k < 2:
					auth(w.login())
					then()
				case k < 4:
					// A token's life: a login (and a status change), a
					// wait, its token again (on any connection), the mode
					// it gave.
					auth(w.login())
					if rng.IntN(2) == 0 {
						auth(map[string]any{"method": "auth", "requestId": "sw", "role": "user"})
					}
					w.now = w.now.Add(waits[rng.IntN(len(waits))])
					conn = []string{"a", "b", "c"}[rng.IntN(3)]
					auth(w.reauth())
					command()
				case k < 7:
					if rng.IntN(3) == 0 { // a token late in its life, or past it
						w.now = w.now.Add(waits[rng.IntN(len(waits))])
					}
					auth(w.reauth())
					then()
				case k < 9:
					auth(map[string]any{"method": "auth", "requestId": "sw", "role": w.pick("user", "admin")})
					then()
				case k < 13:
					auth(w.anyAuth())
				case k < 14:
					for range set.LockoutAttempts + 1 {
						auth(map[string]any{"method": "auth", "requestId": "w", "type": "secured", "role": "admin", "credentials": "nope"})
					}
					auth(w.login())
				case k < 19:
					command()
				case k < 22:
					tok := w.token()
					h := m.ExpectHTTP("h", tok, w.now)
					for _, status := range []int{200, 403} {
						note("HTTP", h.Judge(status, w.now), "HTTP with a token")
					}
				case k < 23:
					w.now = w.now.Add(waits[rng.IntN(len(waits))])
				default:
					m.Closed(conn)
				}
			}
		}
	}
	return seen
}

// walker makes the requests and answers of one walk.
type walker struct {
	rng     *rand.Rand
	m       *model.Model
	now     time.Time
	p       caselang.Profile
	secrets map[caselang.SecretKind]string
	api     []string // the API tokens the walk's answers carried
	tokens  []string // every token they carried
	n       int
}

func (w *walker) pick(vs ...any) any { return vs[w.rng.IntN(len(vs))] }

// login is a valid login in a mode, with or without its role.
func (w *walker) login() map[string]any {
	mode := w.pick(caselang.Admin, caselang.User).(caselang.Mode)
	sec, kind := w.p.Admin, caselang.AdminPassword
	if mode == caselang.User {
		sec, kind = w.p.User, caselang.UserPassword
	}
	req := map[string]any{"method": "auth", "requestId": "l", "type": "secured"}
	switch sec {
	case caselang.Unsecured:
		req["type"] = "unsecured"
	case caselang.PIN:
		kind = map[caselang.Mode]caselang.SecretKind{caselang.Admin: caselang.AdminPIN, caselang.User: caselang.UserPIN}[mode]
	}
	if mode == caselang.Admin && w.rng.IntN(4) == 0 {
		kind = caselang.AdminPIN // the command-line PIN, where there is one
	}
	if v, ok := w.secrets[kind]; ok && sec != caselang.Unsecured {
		req["credentials"] = v
		if w.rng.IntN(4) == 0 {
			req["credentials"] = strings.ToUpper(v) // a PIN is case-insensitive
		}
	}
	if w.rng.IntN(4) != 0 {
		req["role"] = string(mode)
	}
	return req
}

// reauth is a token re-authorization with an API token of the walk.
func (w *walker) reauth() map[string]any {
	req := map[string]any{"method": "auth", "requestId": "t", "type": "secured", "credentials": "never-issued"}
	switch n := len(w.api); {
	case n > 0 && w.rng.IntN(2) == 0:
		req["credentials"] = w.api[n-1] // the newest: most often one that works
	case len(w.tokens) > 0 && w.rng.IntN(2) == 0:
		req["credentials"] = w.tokens[w.rng.IntN(len(w.tokens))] // an HTTP token, one a refusal carried, ...
	case n > 0:
		req["credentials"] = w.api[w.rng.IntN(n)]
	}
	if v := w.pick("admin", "user", nil); v != nil {
		req["role"] = v
	}
	return req
}

// anyAuth is an auth request with any type, role and credentials the
// reading tells apart, near misses and an unknown field included.
func (w *walker) anyAuth() map[string]any {
	req := map[string]any{"method": "auth", "requestId": "x"}
	if v := w.pick("secured", "secured", "unsecured", nil, "Secured", "open", 1); v != nil {
		req["type"] = v
	}
	if v := w.pick("admin", "user", nil, "root", "Admin"); v != nil {
		req["role"] = v
	}
	var cred any
	switch k := w.rng.IntN(10); {
	case k < 4 && len(w.secrets) > 0:
		vs := slices.Collect(maps.Values(w.secrets))
		slices.Sort(vs)
		cred = w.nearMiss(vs[w.rng.IntN(len(vs))])
	case k < 7:
		cred = w.nearMiss(w.token())
	case k < 8:
		cred = w.pick("nope", "", 1234, nil)
	}
	if cred != nil {
		req["credentials"] = cred
	}
	if w.rng.IntN(5) == 0 {
		req["x-extra"] = 1
	}
	return req
}

// nearMiss is s, or most times, one of the near misses of s.
func (w *walker) nearMiss(s string) any {
	switch w.rng.IntN(8) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return " " + s
	case 2:
		if len(s) > 1 {
			return s[:len(s)-1]
		}
	case 3:
		return s + "x"
	}
	return s
}

// token is a token some answer of the walk carried, or one none did.
func (w *walker) token() string {
	if len(w.tokens) == 0 || w.rng.IntN(8) == 0 {
		return "never-issued"
	}
	return w.tokens[w.rng.IntN(len(w.tokens))]
}

func (w *walker) fresh() string {
	w.n++
	return fmt.Sprint("tok-", w.n)
}

// authAnswers are answers to an auth request that draw every finding the
// model makes (a finding cites the rule, whatever the answer; a refusal
// also draws ENV-8's, a 6 the lockout's): a success in either mode, a 6,
// and an 8 that carries tokens.
func (w *walker) authAnswers() []map[string]any {
	return []map[string]any{
		{"method": "auth", "result": true, "resultCode": 0, "previleges": 2, "token": w.fresh(), "tokenForHttpServer": w.fresh()},
		{"method": "auth", "result": true, "resultCode": 0, "previleges": 1, "token": w.fresh(), "tokenForHttpServer": w.fresh()},
		{"method": "auth", "result": false, "resultCode": 6},
		{"method": "auth", "result": false, "resultCode": 8, "token": w.fresh(), "tokenForHttpServer": w.fresh()},
	}
}

// pickAuth is the answer the walk goes on with: mostly one the model
// accepts, sometimes any.
func (w *walker) pickAuth(x *model.Exchange) map[string]any {
	var a map[string]any
	if cs, err := x.Candidates(w.now); err == nil && w.rng.IntN(8) != 0 {
		o := cs[w.rng.IntN(len(cs))]
		if o.Success {
			a = map[string]any{"method": "auth", "result": true, "resultCode": 0, "previleges": o.Mode.Previleges(), "token": w.fresh(), "tokenForHttpServer": w.fresh()}
		} else {
			a = map[string]any{"method": "auth", "result": false, "resultCode": o.Codes[0]}
		}
	} else {
		a = map[string]any{"method": "auth", "result": false, "resultCode": 1 + w.rng.IntN(12)}
		if w.rng.IntN(2) == 0 {
			all := w.authAnswers()
			a = all[w.rng.IntN(len(all))]
		}
	}
	w.keep(a)
	return a
}

// commandAnswers are the answer the model accepts first, then others: a
// refusal, a refusal carrying a token, an acceptance showing everything.
func (w *walker) commandAnswers(x *model.Exchange) []map[string]any {
	a := x.Answer(w.now, func(n int) int { return w.rng.IntN(n) })
	if tok, ok := a["token"].(string); ok && tok == "" {
		a["token"] = w.fresh()
	}
	all := map[string]any{"result": true, "token": w.fresh(), "adminAuth": map[string]any{"security": "password"},
		"userAuth": map[string]any{"security": "pin", "pin": "1234"}}
	return []map[string]any{a, {"result": false, "error": "no"}, {"result": false, "error": "no", "token": w.fresh()}, all}
}

// keep remembers the tokens an answer the walk went on with carried.
func (w *walker) keep(a map[string]any) {
	for _, k := range []string{"token", "tokenForHttpServer"} {
		if s, ok := a[k].(string); ok && s != "" {
			w.tokens = append(w.tokens, s)
			if k == "token" && a["method"] == "auth" {
				w.api = append(w.api, s)
			}
		}
	}
}

// shown is req for a message, its credentials left out: the walks' secrets
// are fixtures, but no output shows a credential.
func shown(req map[string]any) string {
	c := maps.Clone(req)
	if _, ok := c["credentials"]; ok {
		c["credentials"] = "(credentials)"
	}
	return fmt.Sprint(c)
}
