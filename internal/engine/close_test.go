package engine_test

import (
	"testing"

	"github.com/roomconform/conform/caselang"
)

func TestCloseEndsTheConnectionAndTheNextStepDialsAgain(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string { return []string{authAnswer(req, 10)} })
	step := caselang.Step{Do: caselang.Send{Request: openType}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}}
	o := run(t, runner(f.URL), step, caselang.Step{Do: caselang.Close{}}, step)
	if o.Verdict != caselang.Pass || f.connections() != 2 {
		t.Fatalf("verdict %s (%s), %d connections, want PASS on 2", o.Verdict, o.Reason, f.connections())
	}
}
