package reconf

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/roomconform/conform/caselang"
)

func TestChangeRequest(t *testing.T) {
	for _, tt := range []struct {
		ch   Change
		want string
	}{
		{Change{caselang.Admin, caselang.Password, "Pw-1", ""}, `{"authType":"password","method":"setAuthParams","password":"Pw-1","requestId":"7","userType":"admin"}`},
		{Change{caselang.User, caselang.PIN, "ab12cd", ""}, `{"authType":"pin","method":"setAuthParams","newPin":"ab12cd","requestId":"7","userType":"user"}`},
		{Change{caselang.User, caselang.PIN, "", ""}, `{"authType":"pin","method":"setAuthParams","requestId":"7","userType":"user"}`},
		{Change{caselang.User, caselang.PIN, "", "null"}, `{"authType":"pin","method":"setAuthParams","newPin":null,"requestId":"7","userType":"user"}`},
		{Change{caselang.User, caselang.PIN, "", "empty"}, `{"authType":"pin","method":"setAuthParams","newPin":"","requestId":"7","userType":"user"}`},
		{Change{caselang.Admin, caselang.Unsecured, "", ""}, `{"authType":"unsecured","method":"setAuthParams","requestId":"7","userType":"admin"}`},
	} {
		if got := string(tt.ch.Request("7")); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.ch, got, tt.want)
		}
	}
}

// TestDerive: the suite's secrets are the same for the same key, differ
// between keys, and have the shapes a device accepts.
func TestDerive(t *testing.T) {
	a := NewKey(Protection{caselang.Password, caselang.PIN}, map[caselang.SecretKind]string{caselang.AdminPassword: "orig-1"}, "n")
	b := NewKey(Protection{caselang.Password, caselang.PIN}, map[caselang.SecretKind]string{caselang.AdminPassword: "orig-2"}, "n")
	open := NewKey(Protection{caselang.Unsecured, caselang.Unsecured}, nil, "nonce-1")
	if a.Of != "admin-password" || open.Of != "nonce" {
		t.Errorf("keys of %q and %q", a.Of, open.Of)
	}
	for _, kind := range []caselang.SecretKind{caselang.AdminPassword, caselang.UserPassword, caselang.UserPIN} {
		if a.Derive(kind) != a.Derive(kind) || a.Derive(kind) == b.Derive(kind) || a.Derive(kind) == open.Derive(kind) {
			t.Errorf("%s: not a function of the key", kind)
		}
	}
	pin := a.Derive(caselang.UserPIN)
	letters := strings.IndexFunc(pin, unicode.IsDigit) >= 0 && len(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, pin)) >= 2
	if len(pin) != 6 || !letters || strings.ToLower(pin) != pin {
		t.Errorf("PIN %q: want 6 lower-case letters and digits, two letters and a digit at least", pin)
	}
	pw := a.Derive(caselang.AdminPassword)
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
	sec := map[caselang.SecretKind]string{caselang.AdminPassword: "A", caselang.UserPassword: "U", caselang.UserPIN: "p1n2ab"}
	r := Restorer{Secrets: sec}
	for _, tt := range []struct {
		name string
		j    Journal
		cur  Protection
		want []string
	}{
		{"admin password back", Journal{Original: Protection{caselang.Password, caselang.PIN}, AdminSecret: "suite"}, Protection{caselang.Password, caselang.PIN},
			[]string{"admin password"}},
		{"admin unsecured took user with it", Journal{Original: Protection{caselang.Password, caselang.PIN}, UserChanged: true}, Protection{caselang.Unsecured, caselang.Unsecured},
			[]string{"admin password", "user pin"}},
		{"nothing changed", Journal{Original: Protection{caselang.Password, caselang.Password}, AdminSecret: "original"}, Protection{caselang.Password, caselang.Password}, nil},
		{"user password set back even when its kind is the same", Journal{Original: Protection{caselang.Password, caselang.Password}, AdminSecret: "original", UserChanged: true},
			Protection{caselang.Password, caselang.Password}, []string{"user password"}},
		{"all unsecured again", Journal{Original: Protection{caselang.Unsecured, caselang.Unsecured}}, Protection{caselang.Password, caselang.PIN},
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
	r := Restorer{Secrets: map[caselang.SecretKind]string{caselang.AdminPassword: "A"}}
	key := NewKey(Protection{caselang.Password, caselang.PIN}, r.Secrets, "")
	first := func(j Journal) string { return r.adminCredentials(j, key)[0].What }
	if got := first(Journal{Original: Protection{caselang.Password, caselang.PIN}, AdminSecret: "suite"}); got != "the password the suite set" {
		t.Errorf("suite password in force: first %q", got)
	}
	if got := first(Journal{Original: Protection{caselang.Password, caselang.PIN}, AdminSecret: "original"}); got != "the admin password" {
		t.Errorf("original in force: first %q", got)
	}
	if got := first(Journal{Original: Protection{caselang.Password, caselang.PIN}, AdminSecret: "either", Pending: "admin unsecured"}); got != "unsecured" {
		t.Errorf("pending admin unsecured: first %q", got)
	}
	if got := first(Journal{Original: Protection{caselang.Password, caselang.PIN}, AdminSecret: "either", Pending: "user pin"}); got == "unsecured" {
		t.Errorf("pending user change: unsecured tried first")
	}
}

func TestJournalFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.json")
	j := Journal{ID: NewJournalID(), Target: "ws://h:1/", Original: Protection{caselang.Password, caselang.PIN}, Key: "admin-password", AdminSecret: "original"}
	if err := CreateJournal(path, j); err != nil {
		t.Fatal(err)
	}
	j.Begin(Change{Mode: caselang.Admin, To: caselang.Unsecured}, j.Original)
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
	// A journal that is there is never written over by a new one, nor
	// removed by another's restore.
	other := Journal{ID: NewJournalID(), Original: Protection{caselang.Unsecured, caselang.Unsecured}}
	if err := CreateJournal(path, other); err == nil || !strings.Contains(err.Error(), "conform restore") {
		t.Errorf("CreateJournal over a journal: %v", err)
	}
	if err := RemoveJournal(path, other.ID); err == nil {
		t.Error("RemoveJournal removed another run's journal")
	}
	if back, _, _ := ReadJournal(path); back.ID != j.ID || back.Pending != j.Pending {
		t.Errorf("the journal changed: %+v", back)
	}
	if err := RemoveJournal(path, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ReadJournal(path); ok || err != nil {
		t.Errorf("after removal: %v %v", ok, err)
	}
	if TargetOf("wss://h:1/api?token=secret#x") != "wss://h:1/api" {
		t.Error("TargetOf keeps the query")
	}
}

// TestJournalReadNeverWaits: a FIFO, a device or an oversize file is
// refused before anything blocks.
func TestJournalReadNeverWaits(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxJournalBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/zero", dir, big} {
		done := make(chan error, 1)
		go func() { _, _, err := ReadJournal(path); done <- err }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: read as a journal", path)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: ReadJournal blocks", path)
		}
	}
}

// TestJournalChecks: a check tells a typo from the original, is salted
// (the same secret gives another check each time), keeps the kind apart,
// reads a v1 journal's, and refuses absurd parameters.
func TestJournalChecks(t *testing.T) {
	c1, c2 := NewCheck(caselang.UserPIN, "4821"), NewCheck(caselang.UserPIN, "4821")
	if c1 == c2 {
		t.Error("two checks of one secret are equal: not salted")
	}
	if !strings.HasPrefix(c1, "argon2id$t=3,m=65536,p=1$") {
		t.Errorf("check %q: not RFC 9106's second setting (only conform's own tests may lower CheckCost)", c1[:min(len(c1), 30)])
	}
	if !CheckMatches(caselang.UserPIN, c1, "4821") || !CheckMatches(caselang.UserPIN, c2, "4821") {
		t.Error("the original does not match its check")
	}
	misses := 0
	for _, typo := range []string{"4822", "4812", "482", "48210", "1234", "0000", "4921", "5821"} {
		if !CheckMatches(caselang.UserPIN, c1, typo) {
			misses++
		}
	}
	if misses < 6 { // one byte: 1 typo in 256 passes
		t.Errorf("only %d of 8 typos refused", misses)
	}
	if CheckMatches(caselang.AdminPIN, c1, "4821") && CheckMatches(caselang.AdminPIN, c2, "4821") {
		t.Error("a user PIN's checks answer for the admin PIN")
	}
	if !CheckMatches(caselang.AdminPassword, legacyCheck(caselang.AdminPassword, "pw"), "pw") {
		t.Error("a v1 check is not read")
	}
	for _, bad := range []string{"", "argon2id$t=99,m=65536,p=1$AAAA$00", "argon2id$t=1,m=99999999,p=1$AAAA$00", "md5$x$y$z"} {
		if CheckMatches(caselang.UserPIN, bad, "4821") {
			t.Errorf("%q matches", bad)
		}
	}
}

func TestDeviceIdentity(t *testing.T) {
	info := func(peer string, extra map[string]any) map[string]any {
		prod := map[string]any{"name": "TrueConf Room", "version": "4.3.1"}
		for k, v := range extra {
			prod[k] = v
		}
		return map[string]any{"method": "getSystemInfo", "result": true, "authInfo": map[string]any{"peerId": peer, "peerDn": "Hall"}, "productInfo": prod}
	}
	a := DeviceOf(info("room1@example", map[string]any{"serialNumber": "SN1", "pid": 4711, "valid": "yes"}))
	if !a.Known() || a.IDs["authInfo.peerId"] != "room1@example" || a.IDs["productInfo.serialNumber"] != "SN1" || len(a.IDs) != 2 {
		t.Errorf("identity %v", a.IDs)
	}
	if why := a.Differs(DeviceOf(info("room1@example", map[string]any{"serialNumber": "SN1", "extra": "x"}))); why != "" {
		t.Errorf("the same device differs: %s", why)
	}
	if why := a.Differs(DeviceOf(info("room2@example", map[string]any{"serialNumber": "SN1"}))); !strings.Contains(why, "room2") {
		t.Errorf("another device: %q", why)
	}
	if why := a.Differs(Device{}); why == "" {
		t.Error("a device that no longer says who it is passes as the journal's")
	}
	if DeviceOf(map[string]any{"result": false, "authInfo": map[string]any{"peerId": "x"}}).Known() {
		t.Error("a refusal gives an identity")
	}
	long := DeviceOf(info(strings.Repeat("p", 10000), nil))
	if v := long.IDs["authInfo.peerId"]; len(v) > maxIDLength {
		t.Errorf("a long identifier is kept whole (%d bytes)", len(v))
	}
}
