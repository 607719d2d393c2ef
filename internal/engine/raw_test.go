package engine_test

import (
	"strings"
	"testing"

	"github.com/roomconform/conform/cases"
)

func TestRawRecordsTheReaction(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string {
		if req == nil {
			return []string{`{"method":"","requestId":"","result":false,"error":"Invalid JSON"}`}
		}
		return []string{answerOf(req)}
	})
	o := run(t, runner(f.URL), cases.Step{Do: cases.Raw{Payload: []byte(`{"method":`)}, Expect: []cases.Check{cases.RecordReaction("ROB-2")}})
	if o.Verdict != cases.Pass || !strings.Contains(o.Findings[0].Note, "Invalid JSON") {
		t.Fatalf("verdict %s, findings %+v", o.Verdict, o.Findings)
	}
}
