package engine_test

import (
	"testing"

	"github.com/roomconform/conform/cases"
)

func TestCloseEndsTheConnectionAndTheNextStepDialsAgain(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string { return []string{authAnswer(req, 10)} })
	step := cases.Step{Do: cases.Send{Request: openType}, Expect: []cases.Check{cases.Code("RC-10", 10)}}
	o := run(t, runner(f.URL), step, cases.Step{Do: cases.Close{}}, step)
	if o.Verdict != cases.Pass || f.connections() != 2 {
		t.Fatalf("verdict %s (%s), %d connections, want PASS on 2", o.Verdict, o.Reason, f.connections())
	}
}
