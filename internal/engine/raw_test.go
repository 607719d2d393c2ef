package engine_test

import (
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
)

func TestRawRecordsTheReaction(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string {
		if req == nil {
			return []string{`{"method":"","requestId":"","result":false,"error":"Invalid JSON"}`}
		}
		return []string{answerOf(req)}
	})
	o := run(t, runner(f.URL), caselang.Step{Do: caselang.Raw{Payload: []byte(`{"method":`)}, Expect: []caselang.Check{caselang.RecordReaction("ROB-2")}})
	if o.Verdict != caselang.Pass || !strings.Contains(o.Findings[0].Note, "Invalid JSON") {
		t.Fatalf("verdict %s, findings %+v", o.Verdict, o.Findings)
	}
}
