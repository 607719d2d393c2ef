package term

import "testing"

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
