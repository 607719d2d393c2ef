package conductor

import "testing"

// TestRecovered: a panic in a case's run is stopped and said (the case an
// ERROR), never the end of the process; a run that returns is not stopped.
func TestRecovered(t *testing.T) {
	var why string
	if recovered(func() { panic("boom") }, func(w string) { why = w }) != true || why != "panic: boom" {
		t.Errorf("a panic: stopped %q", why)
	}
	why = ""
	if recovered(func() {}, func(w string) { why = w }) || why != "" {
		t.Errorf("no panic: stopped %q", why)
	}
}
