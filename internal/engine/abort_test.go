package engine_test

import (
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
)

func TestAbortSendsThenDropsTheConnection(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string { return []string{authAnswer(req, 10)} })
	o := run(t, runner(f.URL),
		caselang.Step{Do: caselang.Abort{Request: openType}},
		caselang.Step{Conn: "b", Do: caselang.Send{Request: openType}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}})
	if o.Verdict != caselang.Pass {
		t.Fatalf("verdict %s (%s)", o.Verdict, o.Reason)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(f.requests()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// The next is followed by the engine's getAuthInfo on its connection.
	got := f.requests()
	if len(got) < 2 || got[0]["type"] != "open" || got[1]["type"] != "open" {
		t.Fatalf("the target got %v, want the aborted request and the next", got)
	}
}
