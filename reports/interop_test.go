package reports

import (
	"strings"
	"testing"
)

// TestInteropNotes: a note for each choice seen, none for one not seen,
// each citing its client; summary.md and report.html show them in their
// section, and nothing of it when there is none.
func TestInteropNotes(t *testing.T) {
	if n := InteropNotes(0, "", 0, ""); n != nil {
		t.Errorf("nothing seen: %+v", n)
	}
	notes := InteropNotes(3, "fail-wrong-admin-password", 0, "")
	if len(notes) != 1 || notes[0].ID != InteropRefusalWithoutError || notes[0].Count != 3 || notes[0].Example != "fail-wrong-admin-password" ||
		!strings.Contains(notes[0].Repository, "zoboff/videosdk") || !strings.Contains(notes[0].File, "videosdk.cpp") ||
		!strings.Contains(notes[0].Breaks, "Data Unprocessed") {
		t.Errorf("refusals seen: %+v", notes)
	}
	notes = InteropNotes(0, "", 2, "env-1-exactly-one-response")
	if len(notes) != 1 || notes[0].ID != InteropNotificationBeforeAnswer || notes[0].Count != 2 || notes[0].Example != "env-1-exactly-one-response" {
		t.Errorf("notifications seen: %+v", notes)
	}
	if s := notes[0].Short(); !strings.HasPrefix(s, "2 answers after a notification") || !strings.HasSuffix(s, "(e.g. env-1-exactly-one-response)") {
		t.Errorf("Short: %q", s)
	}
	long := InteropNote{ID: InteropRefusalWithoutError, Count: 1, Example: strings.Repeat("x", 300)}
	if s := long.Short(); len(s) > maxShort {
		t.Errorf("Short of a long example is %d bytes: %q", len(s), s)
	}

	r := sample()
	r.Interop = InteropNotes(3, "fail-wrong-admin-password", 2, "env-1-exactly-one-response")
	for name, out := range pages(t, r) {
		if !strings.Contains(out, "Interop notes (INFO)") || !strings.Contains(out, "fail-wrong-admin-password") ||
			!strings.Contains(out, "env-1-exactly-one-response") || !strings.Contains(out, "https://github.com/zoboff/videosdk") {
			t.Errorf("%s lacks the notes:\n%s", name, out)
		}
	}
	r.Interop = nil
	if both := pages(t, r); strings.Contains(both["summary.md"], "Interop") || strings.Contains(both["report.html"], "Interop notes") {
		t.Error("a run without notes shows an interop section")
	}
}
