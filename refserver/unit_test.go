package refserver

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var pinShape = regexp.MustCompile(`^[a-z0-9]{6}$`)

func TestProfiles(t *testing.T) {
	want := []string{"unsecured", "admin-password", "admin-password-user-password", "admin-password-user-pin",
		"admin-pin", "admin-pin-user-password", "admin-pin-user-pin",
		"free", "free-admin-password", "free-admin-password-user-password", "free-admin-password-user-pin",
		"free-admin-pin", "free-admin-pin-user-password", "free-admin-pin-user-pin"}
	if got := ProfileNames(); !slices.Equal(got, want) {
		t.Fatalf("ProfileNames() = %v, want %v", got, want)
	}
	for _, p := range Profiles() {
		if err := p.Validate(); err != nil {
			t.Errorf("built-in profile: %v", err)
		}
		if p.Description == "" {
			t.Errorf("profile %s has no description", p.Name)
		}
		got, err := LookupProfile(p.Name)
		if err != nil || got != p {
			t.Errorf("LookupProfile(%q) = %+v, %v", p.Name, got, err)
		}
	}
	ps := Profiles()
	ps[0].Name = "changed"
	if Profiles()[0].Name != "unsecured" {
		t.Error("Profiles shares its slice with callers")
	}
	if p := mustProfile(t, DefaultProfile); p.Admin != Password || p.User != PIN || p.Plan != Pro {
		t.Errorf("default profile %+v", p)
	}
	if p := mustProfile(t, "free"); p.Plan != Free || p.Admin != Unsecured || p.User != Unsecured {
		t.Errorf("free profile %+v", p)
	}
	_, err := LookupProfile("nope")
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), strings.Join(want, ", ")) {
		t.Errorf("LookupProfile error does not name the profile and list the valid ones: %v", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	good := mustProfile(t, DefaultProfile)
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"admin unknown", Options{Profile: Profile{Name: "x", Admin: "open", User: Unsecured, Plan: Pro}}, `admin security "open"`},
		{"user unknown", Options{Profile: Profile{Name: "x", Admin: Password, User: "", Plan: Pro}}, `user security ""`},
		{"plan unknown", Options{Profile: Profile{Name: "x", Admin: Password, User: PIN}}, `plan ""`},
		{"user secured under open admin", Options{Profile: Profile{Name: "x", Admin: Unsecured, User: PIN, Plan: Pro}}, "admin unsecured implies user unsecured"},
		{"negative scale", Options{Profile: good, TimeScale: -1}, "time scale"},
		{"NaN scale", Options{Profile: good, TimeScale: math.NaN()}, "time scale"},
		{"port", Options{Profile: good, EmbeddedHTTPPort: 70000}, "embedded HTTP port"},
		{"frame", Options{Profile: good, MaxFrameBytes: -1}, "max frame bytes"},
		{"threshold", Options{Profile: good, LockoutThreshold: -1}, "lockout threshold"},
		{"lockout", Options{Profile: good, LockoutDuration: -time.Second}, "lockout duration"},
		{"api ttl", Options{Profile: good, APITokenTTL: -time.Second}, "API token lifetime"},
		{"http ttl", Options{Profile: good, HTTPTokenTTL: -time.Second}, "HTTP token lifetime"},
		{"PINs clash", Options{Profile: good, Secrets: Secrets{AdminPIN: "AB12CD", UserPIN: "ab12cd"}}, "admin PIN and the user PIN"},
		{"passwords clash", Options{Profile: mustProfile(t, "admin-password-user-password"), Secrets: Secrets{AdminPassword: "same", UserPassword: "same"}}, "admin password and the user password"},
		{"password and PIN clash", Options{Profile: good, Secrets: Secrets{AdminPassword: "Ab12cd", UserPIN: "ab12cd"}}, "admin password and the user PIN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if err == nil {
				s.Close()
				t.Fatal("New accepted bad options")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
	// Passwords are case-sensitive, so these do not clash.
	s, err := New(Options{Profile: mustProfile(t, "admin-password-user-password"), Secrets: Secrets{AdminPassword: "Secret", UserPassword: "secret"}})
	if err != nil {
		t.Fatalf("passwords differing in case: %v", err)
	}
	s.Close()
}

func TestNewSecrets(t *testing.T) {
	t.Run("zero options", func(t *testing.T) {
		s, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Profile().Name != DefaultProfile {
			t.Errorf("zero Options run profile %q, want %q", s.Profile().Name, DefaultProfile)
		}
		sec := s.Secrets()
		if !regexp.MustCompile(`^[A-Za-z0-9]{16}$`).MatchString(sec.AdminPassword) {
			t.Errorf("generated admin password has the wrong shape (length %d)", len(sec.AdminPassword))
		}
		if !pinShape.MatchString(sec.UserPIN) {
			t.Errorf("generated user PIN has the wrong shape")
		}
		if sec.UserPassword != "" || sec.AdminPIN != "" {
			t.Errorf("secrets the profile does not use were generated")
		}
	})
	t.Run("unused secrets dropped", func(t *testing.T) {
		s, err := New(Options{Profile: mustProfile(t, "unsecured"), Secrets: testSecrets})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if got := s.Secrets(); got != (Secrets{AdminPIN: testSecrets.AdminPIN}) {
			t.Errorf("unsecured profile kept %+v", got)
		}
	})
	t.Run("given secrets kept", func(t *testing.T) {
		s, err := New(Options{Profile: mustProfile(t, "admin-password-user-password"), Secrets: testSecrets})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		want := testSecrets
		want.UserPIN = ""
		if got := s.Secrets(); got != want {
			t.Errorf("secrets changed")
		}
	})
	t.Run("user password generated", func(t *testing.T) {
		s, err := New(Options{Profile: mustProfile(t, "admin-password-user-password")})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sec := s.Secrets()
		if len(sec.UserPassword) != generatedPasswordLen || sec.UserPassword == sec.AdminPassword {
			t.Errorf("user password not generated")
		}
	})
}

func TestNewPIN(t *testing.T) {
	for range 2000 {
		p := NewPIN()
		if !pinShape.MatchString(p) || !strings.ContainsAny(p, digits) || len(p)-countDigits(p) < 2 {
			t.Fatalf("PIN %q: want 6 lower-case letters and digits, at least two letters and one digit", p)
		}
	}
}

func TestTokenValue(t *testing.T) {
	seen := map[string]bool{}
	for _, kind := range []TokenKind{APIToken, HTTPToken, OverlayToken} {
		re := regexp.MustCompile(`^` + string(rune('0'+int(kind))) + tokenRE + `$`)
		for range 500 {
			v := newTokenValue(kind)
			if !re.MatchString(v) {
				t.Fatalf("token %q does not match %s", v, re)
			}
			if seen[v] {
				t.Fatal("token repeated")
			}
			seen[v] = true
		}
	}
}

// TestRandomStringUsesWholeAlphabet guards the rejection sampling: every
// character can appear. (Missing one of 62 in 20000 draws has probability
// below 1e-100.)
func TestRandomStringUsesWholeAlphabet(t *testing.T) {
	s := randomString(alnum, 20000)
	for _, r := range alnum {
		if !strings.ContainsRune(s, r) {
			t.Errorf("%q never drawn", r)
		}
	}
}

func TestTokenStorePrune(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := newTokenStore(8, newTokenValue)
	var live []string
	for i := range 4 {
		ts.issue(TokenInfo{Kind: HTTPToken, Issued: now, Expires: now.Add(time.Second)}, 1) // will expire
		live = append(live, ts.issue(TokenInfo{Kind: APIToken, Issued: now}, uint64(i)))
	}
	later := now.Add(time.Minute)
	newest := ts.issue(TokenInfo{Kind: APIToken, Issued: later}, 9) // sweeps: the 4 expired go
	if len(ts.byValue) != 5 {
		t.Fatalf("after sweeping expired tokens the store holds %d, want 5", len(ts.byValue))
	}
	for range 4 {
		live = append(live, ts.issue(TokenInfo{Kind: APIToken, Issued: later}, 9))
	}
	// The store reached its limit of 8 live tokens: the oldest quarter goes.
	ts.issue(TokenInfo{Kind: APIToken, Issued: later}, 9)
	if len(ts.byValue) > 8 {
		t.Fatalf("store holds %d tokens, limit 8", len(ts.byValue))
	}
	if _, ok := ts.lookup(live[0]); ok {
		t.Error("the oldest token survived eviction")
	}
	if _, ok := ts.lookup(newest); !ok {
		t.Error("a recent token was evicted")
	}
	if len(ts.order) != len(ts.byValue) {
		t.Errorf("order holds %d values, store %d", len(ts.order), len(ts.byValue))
	}
}

func TestRevokeSessionTouchesOnlyItsOwnTokens(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := newTokenStore(1000, newTokenValue)
	api := ts.issue(TokenInfo{Kind: APIToken, Issued: now}, 1)
	mine := ts.issue(TokenInfo{Kind: HTTPToken, Issued: now, Expires: now.Add(time.Hour)}, 1)
	overlay := ts.issue(TokenInfo{Kind: OverlayToken, Issued: now}, 1)
	theirs := ts.issue(TokenInfo{Kind: HTTPToken, Issued: now, Expires: now.Add(time.Hour)}, 2)
	ts.revokeSession(1)
	for v, want := range map[string]bool{api: false, mine: true, overlay: true, theirs: false} {
		if r, _ := ts.lookup(v); r.Revoked != want {
			t.Errorf("%v token of owner %d: revoked %v, want %v", r.Kind, r.owner, r.Revoked, want)
		}
	}
	if len(ts.sessions[1]) != 0 || len(ts.sessions[2]) != 1 {
		t.Errorf("session index after revoking owner 1: %v", ts.sessions)
	}
	// A sweep rebuilds the index from what it keeps: revoked tokens are
	// not indexed again, and a later displacement still finds the rest.
	ts.sweepAt = 0
	later := ts.issue(TokenInfo{Kind: HTTPToken, Issued: now, Expires: now.Add(time.Hour)}, 2)
	if got := ts.sessions[2]; len(got) != 2 {
		t.Fatalf("owner 2's sessions after a sweep: %d, want 2", len(got))
	}
	ts.revokeSession(2)
	for _, v := range []string{theirs, later} {
		if r, _ := ts.lookup(v); !r.Revoked {
			t.Errorf("owner 2's HTTP token survived its displacement")
		}
	}
}

func TestScaleDuration(t *testing.T) {
	cases := []struct {
		d     time.Duration
		scale float64
		want  time.Duration
	}{
		{5 * time.Minute, 1000, 300 * time.Millisecond},
		{30 * 24 * time.Hour, 1, 30 * 24 * time.Hour},
		{time.Nanosecond, 1e9, time.Nanosecond},     // never zero
		{30 * 24 * time.Hour, 1e-12, math.MaxInt64}, // saturates
		{time.Hour, 0.5, 2 * time.Hour},
	}
	for _, tc := range cases {
		if got := scaleDuration(tc.d, tc.scale); got != tc.want {
			t.Errorf("scaleDuration(%v, %v) = %v, want %v", tc.d, tc.scale, got, tc.want)
		}
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{ModeNone: "none", ModeUser: "user", ModeAdmin: "admin", Mode(7): "Mode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}
