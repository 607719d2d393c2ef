package engine_test

import (
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
)

func TestSendRepeatUsesFreshConnections(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string { return []string{authAnswer(req, 10)} })
	o := run(t, runner(f.URL), caselang.Step{Do: caselang.Send{Request: openType, Repeat: 3}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}})
	if o.Verdict != caselang.Pass || f.connections() != 3 {
		t.Fatalf("verdict %s (%s), %d connections, want PASS on 3", o.Verdict, o.Reason, f.connections())
	}
}

func TestSendChecksTheEnvelopeOfEveryAuthAnswer(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string {
		return []string{`{"method":"Auth","requestId":"` + req["requestId"].(string) + `","result":false,"resultCode":10}`}
	})
	o := run(t, runner(f.URL), caselang.Step{Do: caselang.Send{Request: openType}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}})
	if o.Verdict != caselang.Fail || !strings.Contains(o.Reason, "ENV-2") {
		t.Fatalf("verdict %s (%s), want FAIL under ENV-2", o.Verdict, o.Reason)
	}
}

func TestSendExactlyOneCatchesASecondAnswer(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string { a := authAnswer(req, 10); return []string{a, a} })
	o := run(t, runner(f.URL), caselang.Step{Do: caselang.Send{Request: openType, ExactlyOne: "ENV-1"}, Expect: []caselang.Check{caselang.Answered("ENV-1")}})
	if o.Verdict != caselang.Fail || !strings.Contains(o.Reason, "exactly one response") {
		t.Fatalf("verdict %s (%s), want FAIL for the duplicate", o.Verdict, o.Reason)
	}
}

func TestSendMustConnectMakesARefusalAFinding(t *testing.T) {
	r := runner("ws://127.0.0.1:1/") // nothing listens there
	o := run(t, r, caselang.Step{Do: caselang.Send{Request: openType, MustConnect: true}, Expect: []caselang.Check{caselang.Code("ROB-1", 10)}})
	if o.Verdict != caselang.Fail || !strings.Contains(o.Reason, "refused") {
		t.Fatalf("verdict %s (%s), want FAIL: the server no longer accepts connections", o.Verdict, o.Reason)
	}
}
