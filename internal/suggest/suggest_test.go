package suggest

import "testing"

func TestNearest(t *testing.T) {
	words := []string{"run", "serve", "list", "explain", "version", "restore"}
	tests := []struct{ in, want string }{
		{"rnu", "run"},
		{"serv", "serve"},
		{"explian", "explain"},
		{"VERSION", "version"},
		{"lsit", "list"},
		{"deploy", ""},
		{"x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Nearest(tt.in, words); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Nearest("rc-8-wrong-usr-pin", []string{"rc-8-wrong-user-pin", "rc-8-wrong-user-password"}); got != "rc-8-wrong-user-pin" {
		t.Errorf("case ID: %q", got)
	}
}

func TestDistanceIgnoresLetterCase(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"TARGET", "target", 0},
		{"TRAGET", "TARGET", 2},
		{"ADMIN_PASWORD", "ADMIN_PASSWORD", 1},
		{"", "PLAN", 4},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
