package engine_test

import (
	"testing"
	"time"

	"github.com/roomconform/conform/cases"
)

func TestAbortSendsThenDropsTheConnection(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string { return []string{authAnswer(req, 10)} })
	o := run(t, runner(f.URL),
		cases.Step{Do: cases.Abort{Request: openType}},
		cases.Step{Conn: "b", Do: cases.Send{Request: openType}, Expect: []cases.Check{cases.Code("RC-10", 10)}})
	if o.Verdict != cases.Pass {
		t.Fatalf("verdict %s (%s)", o.Verdict, o.Reason)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(f.requests()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(f.requests()); n != 2 {
		t.Fatalf("the target got %d requests, want the aborted one and the next", n)
	}
}
