package reports

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// failingCase is a case whose step "s" failed, with transcript tr.
func failingCase(tr []Frame) Case {
	return Case{ID: "c", Verdict: caselang.Fail, Transcript: tr, Findings: FindingsOf([]caselang.Finding{
		{Requirement: "RC-8", Level: caselang.Must, Step: "s", Check: "resultCode", Expected: "resultCode 8", Actual: "resultCode 4"}})}
}

// TestFlowAnswerWithoutRequestID: an answer may come without a requestId
// (an accepted variant): it is drawn as the answer it is, and marked as the
// failing step's, not as a notification.
func TestFlowAnswerWithoutRequestID(t *testing.T) {
	f := drawFlow(failingCase([]Frame{
		{Conn: "a", Dir: "send", Kind: "text", Step: "s", Payload: `{"method":"auth","requestId":"1","type":"secured"}`},
		{Conn: "a", Dir: "recv", Kind: "text", Payload: `{"method":"event","event":"authorizationNeeded","cause":1}`},
		{Conn: "a", Dir: "recv", Kind: "text", Payload: `{"method":"auth","result":false,"resultCode":4}`},
	}), maxPageFlow)
	if len(f.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(f.Rows))
	}
	if ntf := f.Rows[1]; !strings.HasPrefix(ntf.Class, "ntf") || strings.Contains(ntf.Class, "failing") {
		t.Errorf("the notification is drawn %q %q", ntf.Class, ntf.Label)
	}
	if ans := f.Rows[2]; !strings.HasPrefix(ans.Class, "ans") || !strings.Contains(ans.Class, "failing") || !strings.HasPrefix(ans.Label, "auth") {
		t.Errorf("the answer without a requestId is drawn %q %q, want the failing step's answer", ans.Class, ans.Label)
	}
}

// TestFlowReadsPrettyPrintedJSON: a device may indent its JSON; the page
// still reads it as an answer (its label says the method and result),
// whatever escaping the rest of the page gets.
func TestFlowReadsPrettyPrintedJSON(t *testing.T) {
	r := flowRun()
	c := failingCase([]Frame{
		{Conn: "a", Dir: "send", Kind: "text", Step: "s", Payload: `{"method":"auth","requestId":"7"}`},
		{Conn: "a", Dir: "recv", Kind: "text", Payload: "{\n\t\"method\": \"auth\",\n\t\"requestId\": \"7\",\n\t\"result\": false\n}"},
	})
	c.Group, c.Title = "RC", "t"
	r.Cases = append(r.Cases, c)
	r.Tally(cases.Catalogue())
	page, _, _ := parse(t, r)
	if !strings.Contains(string(page), "#7 auth: result false") {
		t.Error("an indented JSON answer is not drawn as an answer (no label \"#7 auth: result false\")")
	}
}

// TestFlowKeepsEveryFailingWindow: in a long transcript the frames around
// every failing step are drawn, the later ones too, before the head.
func TestFlowKeepsEveryFailingWindow(t *testing.T) {
	var tr []Frame
	for i := range 1000 {
		fr := Frame{Conn: "a", Dir: "send", Kind: "text", Payload: fmt.Sprintf(`{"method":"getAuthInfo","requestId":"%d"}`, i)}
		if i == 500 || i == 900 {
			fr.Step = "s"
		}
		tr = append(tr, fr)
	}
	keep := keptFrames(tr, map[string]bool{"s": true})
	if len(keep) > maxFlow {
		t.Errorf("%d frames kept, at most %d", len(keep), maxFlow)
	}
	for _, i := range []int{500, 900, 999} {
		if !slices.Contains(keep, i) {
			t.Errorf("frame %d not kept", i)
		}
	}
}
