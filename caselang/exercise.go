package caselang

import "fmt"

// Token exercises: the fast steps every kind of token a run obtains goes
// through, whichever case obtained it, so that a token is used more than
// once and more than one way even on a live device in the default run.
// The engine appends them to a case for the tokens of a kind the run has
// not exercised yet; their expected answers are the model's.

// TokenRef names a token an earlier step of the case received.
type TokenRef struct {
	// Step and Field: the answer and the field it came in.
	Step, Field string
	// HTTP says it is an HTTP token (tokenForHttpServer, or the token of
	// getTokenForHttpServer); else an API token.
	HTTP bool
	// Mode is the mode it was issued for.
	Mode Mode
	// Leaked says it came in a failure or a refusal: it must not work.
	Leaked bool
	// Root is the step its lifetime counts from (an API token's: its own
	// login, or its original's for a derived token) and Floor the shortest
	// lifetime the reading gives it; both empty where there is none to
	// wait for (a command-line PIN's token, an HTTP token).
	Root  string
	Floor Lifetime
}

// value is the token as a request value.
func (t TokenRef) value() Value {
	return fromStep{step: t.Step, field: t.Field, wrongish: t.HTTP || t.Leaked}
}

// Escalating is a live token presented for a higher mode: refused (TOK-2),
// and so a failure that may count towards a lockout.
func Escalating(v Value) Value {
	return transformed{v: v, f: func(s string) string { return s }, what: "for a higher mode", wrong: true}
}

// HTTPExercises are the exercises that need the token's issuer as it was:
// an HTTP token on the HTTP server (LIFE-1), an API token there (LIFE-1b),
// a leaked one there (FAIL-1). They need the HTTP server's address.
func HTTPExercises(t TokenRef) []Step {
	req := "LIFE-1"
	switch {
	case t.Leaked:
		req = "FAIL-1"
	case !t.HTTP:
		req = "LIFE-1b"
	}
	return []Step{{Name: exerciseName(t, "on the HTTP server"), Do: HTTPGet{Token: t.value()}, Expect: []Check{AsTheReadingSays(req)}}}
}

// APIExercises are the exercises on the API, each on a connection of its
// own (conn names them; the engine has closed the case's connections, so
// that a token must outlive its issuer, TOK-1): an API token without role
// and again with its role (safe), and the ones that may fail (risky, each
// followed by a successful authorization, and on a live target only within
// the wrong-credential budget): a user token with role "admin" (TOK-2), an
// HTTP token as credentials (TOK-4, recorded), a leaked token (FAIL-1).
func APIExercises(t TokenRef, conn func() string) (safe, risky []Step) {
	step := func(what string, creds, role Value, req string) Step {
		return Step{Name: exerciseName(t, what), Conn: conn(), Do: Send{Request: SecuredAuth(creds, role)}, Expect: []Check{AsTheReadingSays(req)}}
	}
	recovery := func(what string) Step {
		r := RecoverLogin()
		r.Name, r.Conn = exerciseName(t, what+", then a success"), conn()
		// Judged by the model: after wrong credentials the suite itself
		// sent (an exercise's refused token counts), the reading lets a
		// server refuse even a correct login with 6 (RC-6).
		r.Expect = []Check{AsTheReadingSays("ROLE-1")}
		return r
	}
	switch {
	case t.Leaked:
		risky = []Step{step("as credentials", t.value(), nil, "FAIL-1"), recovery("as credentials")}
	case t.HTTP:
		risky = []Step{step("as API credentials", t.value(), nil, "TOK-4"), recovery("as API credentials")}
	default:
		safe = []Step{step("again, without role", t.value(), nil, "TOK-1"), step("again, with its role", t.value(), Str(string(t.Mode)), "TOK-1")}
		if t.Mode == User {
			risky = []Step{step("with role admin", Escalating(t.value()), Str("admin"), "TOK-2"), recovery("with role admin")}
		}
	}
	return safe, risky
}

func exerciseName(t TokenRef, what string) string {
	return fmt.Sprintf("exercise %s of %s %s", t.Field, t.Step, what)
}

// LifeExercises are the exercises of a token's life, for a clock that
// costs nothing to wait on (the embedded server's), at both ends and after
// activity. An HTTP token: the HTTP server accepts it at its lifetime -
// tolerance, after the exercises used it (LIFE-2, LIFE-6), and refuses it
// at + tolerance where the reading fixes that. An API token: it still
// re-authorizes after the HTTP token's lifetime (LIFE-3), and once more at
// the end of its shortest lifetime - tolerance (Root, Floor: after the
// uses before, a server that ends a token early after activity is caught),
// and no more after its lifetime + tolerance counted from the authorization
// it descends from (LIFE-4, LIFE-5: a server that restarts its life on use,
// or gives a derived token a life of its own, is caught), unless it comes
// from the command-line PIN, which lives until restart. The model says
// which holds for each token; each attempt whose fate may be a refusal is
// followed by a success.
func LifeExercises(t TokenRef, conn func() string) []Step {
	if t.Leaked {
		return nil
	}
	if t.HTTP {
		return []Step{
			{Name: exerciseName(t, "at the end of its lifetime"), When: Before(t.Step, HTTPTokenLife),
				Do: HTTPGet{Token: t.value()}, Expect: []Check{AsTheReadingSays("LIFE-2")}},
			{Name: exerciseName(t, "after its lifetime"), When: After(t.Step, HTTPTokenLife),
				Do: HTTPGet{Token: t.value()}, Expect: []Check{AsTheReadingSays("LIFE-2")}},
		}
	}
	recovery := func(what string) Step {
		r := RecoverLogin()
		r.Name, r.Conn = exerciseName(t, what+", then a success"), conn()
		// Judged by the model: after wrong credentials the suite itself
		// sent (an exercise's refused token counts), the reading lets a
		// server refuse even a correct login with 6 (RC-6).
		r.Expect = []Check{AsTheReadingSays("ROLE-1")}
		return r
	}
	root := t.Root
	if root == "" {
		root = t.Step
	}
	// A success after each attempt: a token whose fate the reading leaves
	// open may be refused (a wrong credential), and two in a row let a
	// server refuse anything with 6 (RC-6).
	steps := []Step{
		{Name: exerciseName(t, "after the HTTP token's lifetime"), When: After(t.Step, HTTPTokenLife), Conn: conn(),
			Do: Send{Request: SecuredAuth(t.value(), nil)}, Expect: []Check{AsTheReadingSays("LIFE-3")}},
		recovery("after the HTTP token's lifetime"),
	}
	if t.Root != "" && t.Floor != "" {
		steps = append(steps,
			Step{Name: exerciseName(t, "at the end of its shortest lifetime"), When: Before(t.Root, t.Floor), Conn: conn(),
				Do: Send{Request: SecuredAuth(t.value(), nil)}, Expect: []Check{AsTheReadingSays("LIFE-4")}},
			recovery("at the end of its shortest lifetime"))
	}
	return append(steps,
		Step{Name: exerciseName(t, "after its lifetime"), When: After(root, APITokenLife), Conn: conn(),
			Do: Send{Request: SecuredAuth(t.value(), nil)}, Expect: []Check{AsTheReadingSays("LIFE-4")}},
		recovery("after its lifetime"))
}
