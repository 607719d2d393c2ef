package engine_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
)

// No wait for a wrong requestId (issue 17, item 5): an answer that carries
// an earlier request's requestId costs at most one barrier round trip, and
// never the response timeout. These tests give the response timeout an
// hour and the run a minute: a step that waited it out would be an ERROR
// instead of the verdict each test expects. Nothing is timed; the requests
// the target got are counted.

// previousID answers every auth with the requestId of the message before
// it on the connection (already answered), and anything else as answerOf.
func previousID() func(req map[string]any) []string {
	var mu sync.Mutex
	var last any
	return func(req map[string]any) []string {
		mu.Lock()
		defer mu.Unlock()
		prev := last
		last = req["requestId"]
		if req["method"] != "auth" {
			return []string{answerOf(req)}
		}
		out := map[string]any{"method": "auth", "requestId": req["requestId"], "result": false, "resultCode": 10}
		if prev != nil {
			out["requestId"] = prev
		}
		b, _ := json.Marshal(out)
		return []string{string(b)}
	}
}

func countMethod(reqs []map[string]any, method string) int {
	n := 0
	for _, r := range reqs {
		if r["method"] == method {
			n++
		}
	}
	return n
}

func TestAWrongRequestIDCostsOneBarrierNotTheTimeout(t *testing.T) {
	f := newFake(t, previousID())
	r := runner(f.URL, timeout(time.Hour))
	const steps = 5
	var ss []caselang.Step
	for range steps {
		ss = append(ss, caselang.Step{Do: caselang.Send{Request: openType}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}})
	}
	o := runBounded(t, r, ss...)
	if o.Verdict != caselang.Fail || !strings.Contains(o.Reason, "ENV-3") {
		t.Fatalf("verdict %s (%s), want FAIL under ENV-3 for the wrong requestIds\n%s", o.Verdict, o.Reason, o.Transcript)
	}
	if strings.Contains(o.Reason, "ENV-1") {
		t.Errorf("an answer with a wrong requestId reported as a second answer:\n%s", o.Reason)
	}
	reqs := f.requests()
	auths, infos := countMethod(reqs, "auth"), countMethod(reqs, "getAuthInfo")
	// Per step: the auth, its probe, and at most one barrier for the
	// wrong requestId (the first auth's answer echoes its own id).
	if auths != steps || infos > 2*steps {
		t.Errorf("%d auth and %d getAuthInfo requests for %d steps: want %d auth and at most %d getAuthInfo (a probe and one barrier per step)", auths, infos, steps, steps, 2*steps)
	}
}

// A second answer to the previous request that comes before this
// request's own answer is ENV-1's, and the own answer is still taken as the
// answer, at the cost of the same one barrier.
func TestASecondAnswerBeforeTheOwnAnswerIsStillENV1(t *testing.T) {
	var mu sync.Mutex
	var owed string
	f := newFake(t, func(req map[string]any) []string {
		mu.Lock()
		defer mu.Unlock()
		if req["method"] != "auth" {
			return []string{answerOf(req)}
		}
		out := []string{}
		if owed != "" {
			out = append(out, owed) // a second answer to the previous auth
		}
		owed = authAnswer(req, 10)
		return append(out, owed)
	})
	r := runner(f.URL, timeout(time.Hour))
	step := caselang.Step{Do: caselang.Send{Request: openType}, Expect: []caselang.Check{caselang.Code("RC-10", 10), caselang.EchoesRequestID("ENV-3")}}
	o := runBounded(t, r, step, step)
	if o.Verdict != caselang.Fail || !strings.Contains(o.Reason, "ENV-1") || strings.Contains(o.Reason, "ENV-3") {
		t.Fatalf("verdict %s (%s), want FAIL under ENV-1 alone\n%s", o.Verdict, o.Reason, o.Transcript)
	}
}

// The engine's own requests never take a requestId a step chose (found by
// exploration in CI: a walk's second auth with requestId 7 went with a
// barrier "7", a target echoing numbers as strings answered both with "7",
// and the barrier's refusal was judged as the auth's answer). Whatever the
// engine's count stands at when a step reuses its number, the step gets
// its own answer.
func TestTheEnginesRequestIDsAvoidTheStepsOwn(t *testing.T) {
	asString := func(req map[string]any) []string {
		if n, ok := req["requestId"].(float64); ok {
			req["requestId"] = strconv.FormatFloat(n, 'f', -1, 64)
		}
		return plain(req)
	}
	f := newFake(t, asString)
	for k := 1; k <= 12; k++ {
		id := caselang.Request{RequestID: caselang.JSON(k), Type: caselang.Str("open")}
		step := caselang.Step{Conn: "a", Do: caselang.Send{Request: id}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}}
		o := run(t, runner(f.URL), step, step, step)
		if o.Verdict != caselang.Pass {
			t.Errorf("requestId %d sent three times: verdict %s (%s), want PASS\n%s", k, o.Verdict, o.Reason, o.Transcript)
		}
	}
}
