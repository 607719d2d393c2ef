package reconf

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/roomconform/conform/cases"
)

func TestChangeRequest(t *testing.T) {
	for _, tt := range []struct {
		ch   Change
		want string
	}{
		{Change{cases.Admin, cases.Password, "Pw-1"}, `{"authType":"password","method":"setAuthParams","password":"Pw-1","requestId":"7","userType":"admin"}`},
		{Change{cases.User, cases.PIN, "ab12cd"}, `{"authType":"pin","method":"setAuthParams","newPin":"ab12cd","requestId":"7","userType":"user"}`},
		{Change{cases.User, cases.PIN, ""}, `{"authType":"pin","method":"setAuthParams","requestId":"7","userType":"user"}`},
		{Change{cases.Admin, cases.Unsecured, ""}, `{"authType":"unsecured","method":"setAuthParams","requestId":"7","userType":"admin"}`},
	} {
		if got := string(tt.ch.Request("7")); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.ch, got, tt.want)
		}
	}
}

// TestDerive: the suite's secrets are the same for the same key, differ
// between keys, and have the shapes a device accepts.
func TestDerive(t *testing.T) {
	a := NewKey(Protection{cases.Password, cases.PIN}, map[cases.SecretKind]string{cases.AdminPassword: "orig-1"}, "n")
	b := NewKey(Protection{cases.Password, cases.PIN}, map[cases.SecretKind]string{cases.AdminPassword: "orig-2"}, "n")
	open := NewKey(Protection{cases.Unsecured, cases.Unsecured}, nil, "nonce-1")
	if a.Of != "admin-password" || open.Of != "nonce" {
		t.Errorf("keys of %q and %q", a.Of, open.Of)
	}
	for _, kind := range []cases.SecretKind{cases.AdminPassword, cases.UserPassword, cases.UserPIN} {
		if a.Derive(kind) != a.Derive(kind) || a.Derive(kind) == b.Derive(kind) || a.Derive(kind) == open.Derive(kind) {
			t.Errorf("%s: not a function of the key", kind)
		}
	}
	pin := a.Derive(cases.UserPIN)
	letters := strings.IndexFunc(pin, unicode.IsDigit) >= 0 && len(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, pin)) >= 2
	if len(pin) != 6 || !letters || strings.ToLower(pin) != pin {
		t.Errorf("PIN %q: want 6 lower-case letters and digits, two letters and a digit at least", pin)
	}
	pw := a.Derive(cases.AdminPassword)
	if len(pw) != 16 || !strings.ContainsFunc(pw, unicode.IsUpper) || !strings.ContainsFunc(pw, unicode.IsLower) || !strings.ContainsFunc(pw, unicode.IsDigit) {
		t.Errorf("password %q", pw)
	}
	var got []string
	a.Register(func(label, s string) { got = append(got, s) })
	if !slices.Contains(got, pw) || !slices.Contains(got, pin) {
		t.Error("Register does not hand over every derivable secret")
	}
}

func TestRestorePlan(t *testing.T) {
	sec := map[cases.SecretKind]string{cases.AdminPassword: "A", cases.UserPassword: "U", cases.UserPIN: "p1n2ab"}
	r := Restorer{Secrets: sec}
	for _, tt := range []struct {
		name string
		j    Journal
		cur  Protection
		want []string
	}{
		{"admin password back", Journal{Original: Protection{cases.Password, cases.PIN}, AdminSecret: "suite"}, Protection{cases.Password, cases.PIN},
			[]string{"admin password"}},
		{"admin unsecured took user with it", Journal{Original: Protection{cases.Password, cases.PIN}, UserChanged: true}, Protection{cases.Unsecured, cases.Unsecured},
			[]string{"admin password", "user pin"}},
		{"nothing changed", Journal{Original: Protection{cases.Password, cases.Password}, AdminSecret: "original"}, Protection{cases.Password, cases.Password}, nil},
		{"user password set back even when its kind is the same", Journal{Original: Protection{cases.Password, cases.Password}, AdminSecret: "original", UserChanged: true},
			Protection{cases.Password, cases.Password}, []string{"user password"}},
		{"all unsecured again", Journal{Original: Protection{cases.Unsecured, cases.Unsecured}}, Protection{cases.Password, cases.PIN},
			[]string{"admin unsecured"}},
	} {
		var got []string
		for _, ch := range r.plan(tt.j, tt.cur) {
			got = append(got, string(ch.Mode)+" "+string(ch.To))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestAdminCredentials: the restore tries first what the journal says is
// in force, so that wrong credentials (which count towards a lockout) are
// few.
func TestAdminCredentials(t *testing.T) {
	r := Restorer{Secrets: map[cases.SecretKind]string{cases.AdminPassword: "A"}}
	key := NewKey(Protection{cases.Password, cases.PIN}, r.Secrets, "")
	first := func(j Journal) string { return r.adminCredentials(j, key)[0].What }
	if got := first(Journal{Original: Protection{cases.Password, cases.PIN}, AdminSecret: "suite"}); got != "the password the suite set" {
		t.Errorf("suite password in force: first %q", got)
	}
	if got := first(Journal{Original: Protection{cases.Password, cases.PIN}, AdminSecret: "original"}); got != "the admin password" {
		t.Errorf("original in force: first %q", got)
	}
	if got := first(Journal{Original: Protection{cases.Password, cases.PIN}, AdminSecret: "either", Pending: "admin unsecured"}); got != "unsecured" {
		t.Errorf("pending admin unsecured: first %q", got)
	}
	if got := first(Journal{Original: Protection{cases.Password, cases.PIN}, AdminSecret: "either", Pending: "user pin"}); got == "unsecured" {
		t.Errorf("pending user change: unsecured tried first")
	}
}

func TestJournalFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.json")
	j := Journal{Target: "ws://h:1/", Original: Protection{cases.Password, cases.PIN}, Key: "admin-password", AdminSecret: "original"}
	j.Begin(Change{Mode: cases.Admin, To: cases.Unsecured}, j.Original)
	if !j.UserChanged || j.AdminSecret != "either" || j.Pending == "" {
		t.Errorf("Begin: %+v", j)
	}
	if err := WriteJournal(path, j); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v %v", fi.Mode(), err)
	}
	back, ok, err := ReadJournal(path)
	if err != nil || !ok || back.Pending != j.Pending || back.Original != j.Original {
		t.Errorf("read back %+v %v %v", back, ok, err)
	}
	if err := RemoveJournal(path); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ReadJournal(path); ok || err != nil {
		t.Errorf("after removal: %v %v", ok, err)
	}
	if TargetOf("wss://h:1/api?token=secret#x") != "wss://h:1/api" {
		t.Error("TargetOf keeps the query")
	}
}
