package caselang

import "testing"

// TestConstructorNamesTheFunction: a check names the constructor that
// built it, also when a building block called the constructor (and the
// compiler inlined it there), and a modifier keeps the name.
func TestConstructorNamesTheFunction(t *testing.T) {
	for _, tc := range []struct {
		c    Check
		want string
	}{
		{Code("RC-8", 8), "caselang.Code"},
		{HTTPRefused("SEC-5"), "caselang.HTTPRefused"},
		{Answered("ENV-9").OrClosed(), "caselang.Answered"},
		{DistinctTokens("AUTH-5"), "caselang.DistinctTokens"}, // a whole-case check
		{AsTheReadingSays("RC-8"), "caselang.AsTheReadingSays"},
		{RecoverLogin().Expect[0], "caselang.Succeeds"}, // through a building block
		{Check{Req: "ENV-1"}, ""},                       // no code: nothing to name
	} {
		if got := tc.c.Constructor(); got != tc.want {
			t.Errorf("%s check %q: Constructor() = %q, want %q", tc.c.Req, tc.c.Name, got, tc.want)
		}
	}
	for _, tc := range []struct{ symbol, want string }{
		{"github.com/roomconform/conform/caselang.Code.func1", "Code"},
		{"github.com/roomconform/conform/internal/explain.TestX.mk.Answered.func2", "Answered"},
		{"github.com/roomconform/conform/cases.apiLifeCases.recoverLogin.Succeeds.func17", "Succeeds"},
		{"github.com/roomconform/conform/caselang.Code.func1.2", "Code"},
		{"github.com/roomconform/conform/cases.Gen[go.shape.int].func1", "Gen"},
	} {
		if got := enclosingFunc(tc.symbol); got != tc.want {
			t.Errorf("enclosingFunc(%q) = %q, want %q", tc.symbol, got, tc.want)
		}
	}
}
