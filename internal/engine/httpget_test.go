package engine_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
)

func TestHTTPGetAsksTheProbePathWithTheToken(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.String()
		if r.URL.Query().Get("token") != "http-tok" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	o := loginThenGet(t, srv.URL, caselang.HTTPAccepted("LIFE-1"))
	// The fake target knows nothing of modes: judge the step, not the case.
	if f, ok := findingOf(o, "get", "LIFE-1"); !ok || !f.OK || !strings.Contains(got, "/frames/?peerId=%23self%3A0&token=") {
		t.Fatalf("finding %+v (verdict %s: %s), asked %q", f, o.Verdict, o.Reason, got)
	}
}

func TestHTTPGetRedirectIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/", http.StatusFound)
	}))
	defer srv.Close()
	o := loginThenGet(t, srv.URL, caselang.HTTPRefused("LIFE-1"))
	if o.Verdict != caselang.Error || !strings.Contains(o.Reason, "elsewhere.invalid") {
		t.Fatalf("verdict %s (%s), want ERROR naming the Location", o.Verdict, o.Reason)
	}
}

// loginThenGet logs in to a fake target, then asks the HTTP server at
// httpURL with the login's HTTP token and judges it with check.
func loginThenGet(t *testing.T, httpURL string, check caselang.Check) engine.Outcome {
	f := newFake(t, func(req map[string]any) []string { return []string{authAnswer(req, 0)} })
	r := runner(f.URL, func(c *engine.Config) { c.Target.HTTP = httpURL })
	return run(t, r,
		caselang.Step{Name: "login", Do: caselang.Send{Request: caselang.Request{Type: caselang.Str("unsecured")}}, Expect: []caselang.Check{caselang.Succeeds("ROLE-1")}},
		caselang.Step{Name: "get", Do: caselang.HTTPGet{Token: caselang.HTTPTokenOf("login")}, Expect: []caselang.Check{check}})
}
