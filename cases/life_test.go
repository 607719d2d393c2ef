package cases

import (
	"strings"
	"testing"

	. "github.com/roomconform/conform/caselang"
)

// TestEveryTokenClassAtBothEnds: for every class of token (kind: API,
// tokenForHttpServer, getTokenForHttpServer's; mode; origin: login, token
// re-authorization, status change) some case uses the token, then sends
// getAuthInfo and getTokenForHttpServer on a connection it authorized, then
// presents it at its lifetime - tolerance and, where the reading fixes the
// expiry, at + tolerance; and the HTTP server is tried with every string
// near miss of a live HTTP token, as the API is with the API tokens.
func TestEveryTokenClassAtBothEnds(t *testing.T) {
	type end struct{ before, after bool }
	// seen[class/kind] says which ends a case reaches after activity.
	seen := map[string]*end{}
	for _, c := range All() {
		var origin string
		switch {
		case !strings.HasPrefix(c.ID, "life-"):
			continue
		case strings.Contains(c.ID, "-token-http-") || strings.Contains(c.ID, "-token-token-"):
			origin = "token"
		case strings.Contains(c.ID, "-switch-"):
			origin = "switch"
		case strings.Contains(c.ID, "-login-"):
			origin = "login"
		default:
			continue
		}
		mode := "admin"
		if strings.Contains(c.ID, "-user-") {
			mode = "user"
		}
		active := map[string]bool{} // connections that sent getAuthInfo, and getTokenForHttpServer
		used := map[string]bool{}   // tokens presented before their end
		for _, s := range c.Steps {
			token, kind := "", ""
			if r, ok := s.Request(); ok {
				switch r.MethodName() {
				case "getAuthInfo", "getTokenForHttpServer":
					active[s.ConnName()+r.MethodName()] = true
				case "auth":
					if st, f, ok := TokenSource(r.Credentials); ok && f == "token" {
						token, kind = st+"/"+f, "api"
					}
				}
			}
			if get, ok := s.Do.(HTTPGet); ok {
				if st, f, ok := TokenSource(get.Token); ok {
					token, kind = st+"/"+f, "http"
					if st == "fresh" {
						kind = "getTokenForHttpServer"
					}
				}
			}
			if token == "" {
				continue
			}
			key := mode + "/" + origin + "/" + kind
			if seen[key] == nil {
				seen[key] = &end{}
			}
			activity := len(active) > 0 && (kind == "api" && active["cgetAuthInfo"] && active["cgetTokenForHttpServer"] ||
				kind != "api" && (active["agetAuthInfo"] || active["bgetAuthInfo"]))
			switch {
			case s.When == nil:
				used[token] = true
			case !s.When.Expired && used[token] && activity:
				seen[key].before = true
			case s.When.Expired && s.When.Life == APITokenLife == (kind == "api"):
				seen[key].after = true
			}
		}
	}
	classes := []string{"admin/login", "user/login", "admin/token", "user/token", "user/switch"}
	for _, class := range classes {
		for _, kind := range []string{"api", "http", "getTokenForHttpServer"} {
			e := seen[class+"/"+kind]
			switch {
			case e == nil:
				t.Errorf("%s %s tokens: no case times them", class, kind)
			case !e.before:
				t.Errorf("%s %s tokens: no case presents them at their lifetime - tolerance after activity", class, kind)
			case !e.after:
				t.Errorf("%s %s tokens: no case presents them after their lifetime + tolerance", class, kind)
			}
		}
	}
	ids := map[string]bool{}
	for _, c := range All() {
		ids[c.ID] = true
	}
	for _, m := range StringMisses {
		if m.Name == "number" || m.Name == "boolean" || m.Name == "array" {
			continue
		}
		req := "life-1" // whitespace is a SHOULD at the HTTP server as on the API
		if credentialReq(m) == "RC-8b" {
			req = "rc-8b"
		}
		for _, id := range []string{req + "-near-admin-http-tokens-" + m.Name, req + "-near-user-http-token-" + m.Name} {
			if !ids[id] {
				t.Errorf("no case %s: the HTTP server is not tried with the near miss %q of an HTTP token", id, m.Name)
			}
		}
	}
}
