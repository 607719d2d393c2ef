package model

import (
	"fmt"
	"time"

	"github.com/roomconform/conform/caselang"
)

// The accepted answers in generative form, for a server made of the model
// (internal/modelserver): every answer these return is one the model
// accepts. choose picks one of n alternatives (0 <= choose(n) < n).

// allOutcomes are the concrete auth answers, in the order a policy sees
// them: successes first, then failures by code.
var allOutcomes = func() []Outcome {
	out := []Outcome{success(caselang.Admin), success(caselang.User)}
	for code := 1; code <= 12; code++ {
		out = append(out, failure(code))
	}
	return out
}()

// Candidates returns the concrete auth answers (a success in a mode, a
// failure with one code) that satisfy every rule at time answered. An
// error means the rules contradict each other: a bug in the model.
func (x *Exchange) Candidates(answered time.Time) ([]Outcome, error) {
	rules, open := x.Rules(answered)
	var out []Outcome
	for _, o := range allOutcomes {
		a := Answered{Success: o.Success}
		if o.Success {
			a.Previleges = o.Mode.Previleges()
		} else {
			a.Code, a.HasCode = o.Codes[0], true
		}
		ok := true
		for _, r := range rules {
			ok = ok && (open || r.Accepts(a))
		}
		if ok {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("model: no answer satisfies the rules for %v on connection %s", x.req, x.c.name)
	}
	return out, nil
}

// Answer returns an accepted answer to a request of another method than
// auth (without method and requestId); "token":"" asks the caller for a
// fresh token.
func (x *Exchange) Answer(at time.Time, choose func(int) int) map[string]any {
	mode, known := x.m.modeAt(x.c, at)
	refused := map[string]any{"result": false, "error": "Authorization required"}
	authorized := known && mode != ""
	switch x.Method {
	case "setUsedApiVersion":
		return map[string]any{"result": true}
	case "getAuthInfo":
		if !authorized {
			return refused
		}
		p := x.m.cfg.Profile
		user := map[string]any{"security": string(p.User)}
		if mode == caselang.Admin && p.User == caselang.PIN {
			user["pin"] = x.m.cfg.Secrets[caselang.UserPIN]
		}
		return map[string]any{"result": true, "adminAuth": map[string]any{"security": string(p.Admin)}, "userAuth": user}
	case "getTokenForHttpServer":
		if !authorized {
			return refused
		}
		return map[string]any{"result": true, "token": ""}
	case "clearTokens":
		if !authorized {
			return refused
		}
		return map[string]any{"result": true}
	case "getAppState":
		if !authorized {
			return refused
		}
		return map[string]any{"result": true, "appState": 3}
	}
	return map[string]any{"result": false, "error": "Unknown method"}
}

// Decide says whether the HTTP server accepts the token at time at: as the
// model says where it says, as choose says where it does not.
func (h *HTTPExchange) Decide(at time.Time, choose func(int) int) bool {
	switch st, _ := h.Expected(at); st {
	case live:
		return true
	case dead:
		return false
	}
	return choose(2) == 0
}

// Displaced reports whether connection name was displaced from its mode
// and has not authorized since (SEC-3: it is owed authorizationNeeded).
func (m *Model) Displaced(name string) bool {
	c, ok := m.conns[name]
	return ok && !c.unknown && c.mode == "" && c.why == "SEC-4"
}
