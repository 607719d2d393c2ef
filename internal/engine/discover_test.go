package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
)

func TestDiscoverFindsTheWebSocketItNames(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string { return []string{authAnswer(req, 10)} })
	u, _ := url.Parse(f.URL)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"config":{"websocket":{"port":%s},"http":{"port":8766}}}`, u.Port())
	}))
	defer web.Close()
	r := runner("ws://127.0.0.1:1/", func(c *engine.Config) { c.Target.Web = web.URL }) // not the target: the discovered port is
	o := run(t, r,
		caselang.Step{Name: "config", Do: caselang.Discover{}, Expect: []caselang.Check{caselang.ConfigPorts("DISC-1")}},
		caselang.Step{Conn: "d", Do: caselang.Send{Request: openType, ViaDiscovered: true}, Expect: []caselang.Check{caselang.Code("DISC-1", 10)}})
	if o.Verdict != caselang.Pass || f.connections() != 1 {
		t.Fatalf("verdict %s (%s), %d connections", o.Verdict, o.Reason, f.connections())
	}
}
