package engine_test

import (
	"testing"

	"github.com/roomconform/conform/caselang"
)

func TestAwaitSeesANotificationThatCameBefore(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string {
		return []string{`{"method":"event","event":"authorizationNeeded","cause":1}`, authAnswer(req, 10)}
	})
	o := run(t, runner(f.URL),
		caselang.Step{Do: caselang.Send{Request: openType}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}},
		caselang.Step{Do: caselang.Await{Event: "authorizationNeeded"}, Expect: []caselang.Check{caselang.EventCause("SEC-3", 1)}})
	if o.Verdict != caselang.Pass {
		t.Fatalf("verdict %s (%s)", o.Verdict, o.Reason)
	}
}
