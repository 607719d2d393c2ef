package engine_test

import (
	"testing"

	"github.com/roomconform/conform/cases"
)

func TestAwaitSeesANotificationThatCameBefore(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string {
		return []string{`{"method":"event","event":"authorizationNeeded","cause":1}`, authAnswer(req, 10)}
	})
	o := run(t, runner(f.URL),
		cases.Step{Do: cases.Send{Request: openType}, Expect: []cases.Check{cases.Code("RC-10", 10)}},
		cases.Step{Do: cases.Await{Event: "authorizationNeeded"}, Expect: []cases.Check{cases.EventCause("SEC-3", 1)}})
	if o.Verdict != cases.Pass {
		t.Fatalf("verdict %s (%s)", o.Verdict, o.Reason)
	}
}
