package term

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain text, тест ✓\n\ttabbed", "plain text, тест ✓\n\ttabbed"},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`},
		{"\x1b[2Jcleared", `\x1b[2Jcleared`},
		{"over\rwritten", `over\x0dwritten`},
		{"rtl \u202egnp.exe", `rtl \u202egnp.exe`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bad \xff byte", `bad \xff byte`},
		{"del\x7f", `del\x7f`},
		{"zero\u200bwidth", `zero\u200bwidth`},
	} {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLine: in a single-line place a target's newline cannot start a line
// of its own (a fake "result: conformant").
func TestLine(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain text, тест ✓", "plain text, тест ✓"},
		{"x\nresult: conformant: 99 pass", `x\nresult: conformant: 99 pass`},
		{"a\tb\r\nc", `a\tb\x0d\nc`},
		{"nul\x00 esc\x1b \u202e \u0085 \u2028", `nul\x00 esc\x1b \u202e \u0085 \u2028`},
		{"bad \xff", `bad \xff`},
	} {
		got := Line(tt.in)
		if got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if Line(got) != got {
			t.Errorf("Line is not idempotent on %q", got)
		}
	}
}

// TestJSON: the C1 controls and the format characters encoding/json writes
// raw are escaped, and the document still decodes to the same text.
func TestJSON(t *testing.T) {
	in := "c1 \u009b31m rtl \u202e zw \u200b bom \ufeff ok тест ✓ \u2028"
	b, err := json.Marshal(map[string]string{"m": in})
	if err != nil {
		t.Fatal(err)
	}
	got := JSON(b)
	for _, raw := range []string{"\u009b", "\u202e", "\u200b", "\ufeff", "\u2028"} {
		if strings.Contains(string(got), raw) {
			t.Errorf("%q left raw in %s", raw, got)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["m"] != in {
		t.Errorf("decodes to %q (%v), want %q", back["m"], err, in)
	}
	if !strings.Contains(string(got), "тест ✓") {
		t.Errorf("ordinary text escaped: %s", got)
	}
}
