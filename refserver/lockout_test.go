package refserver

import (
	"testing"
	"time"
)

// expectRC sends a request and checks its outcome ("0/2" or a code).
func expectRC(t *testing.T, c *client, want, format string, args ...any) reply {
	t.Helper()
	got := c.callf(format, args...)
	if got.outcome() != want {
		t.Errorf("%s: got %s, want %s: %s", format, got.outcome(), want, got.raw)
	}
	return got
}

const (
	reqPassword     = `{"method":"auth","requestId":"1","type":"secured","credentials":%q}`
	reqPasswordRole = `{"method":"auth","requestId":"1","type":"secured","role":%q,"credentials":%q}`
)

// TestLockout: after the threshold of wrong credentials in a row, every secured
// login gets 6 until the lockout ends on the injected clock; validation codes
// and unsecured logins are unaffected.
func TestLockout(t *testing.T) {
	clock := newFakeClock()
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: clock.Now,
		LockoutThreshold: 3, LockoutDuration: 10 * time.Second})
	c := dial(t, r.URL)
	token := expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword).str("token")

	for range 3 {
		expectRC(t, c, "8", reqPassword, "wrong")
	}
	expectRC(t, c, "6", reqPassword, testSecrets.AdminPassword)
	expectRC(t, c, "6", reqPassword, testSecrets.UserPIN)
	expectRC(t, c, "6", reqPassword, token) // tokens too: every secured attempt
	expectRC(t, c, "6", reqPassword, "wrong")
	expectRC(t, c, "7", reqPassword, "") // validation comes first
	expectRC(t, c, "12", `{"method":"auth","requestId":"1","type":"secured"}`)
	expectRC(t, c, "4", `{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`)

	clock.Advance(10*time.Second - time.Nanosecond)
	expectRC(t, c, "6", reqPassword, testSecrets.AdminPassword)
	clock.Advance(time.Nanosecond)
	expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)

	// The count restarted with the lockout, and a success resets it.
	for range 2 {
		expectRC(t, c, "8", reqPassword, "wrong")
	}
	expectRC(t, c, "0/1", reqPassword, testSecrets.UserPIN)
	for range 2 {
		expectRC(t, c, "8", reqPassword, "wrong")
	}
	expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
	for range 3 {
		expectRC(t, c, "8", reqPassword, "wrong")
	}
	expectRC(t, c, "6", reqPassword, testSecrets.AdminPassword)
}

// TestLockoutIsServerWide: wrong attempts from different connections add up.
func TestLockoutIsServerWide(t *testing.T) {
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now,
		LockoutThreshold: 3})
	for range 3 {
		expectRC(t, dial(t, r.URL), "8", reqPassword, "wrong")
	}
	expectRC(t, dial(t, r.URL), "6", reqPassword, testSecrets.AdminPassword)
}

// TestLockoutScaled: the default 60 s lockout is divided by TimeScale.
func TestLockoutScaled(t *testing.T) {
	clock := newFakeClock()
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: clock.Now,
		LockoutThreshold: 1, TimeScale: 1000})
	c := dial(t, r.URL)
	expectRC(t, c, "8", reqPassword, "wrong")
	expectRC(t, c, "6", reqPassword, testSecrets.AdminPassword)
	clock.Advance(59 * time.Millisecond)
	expectRC(t, c, "6", reqPassword, testSecrets.AdminPassword)
	clock.Advance(time.Millisecond)
	expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
}

// TestLockoutCountsOnlyCode8: wrong credentials aimed at an unprotected mode
// (4) and refused logins on the free plan (2) are not wrong attempts.
func TestLockoutCountsOnlyCode8(t *testing.T) {
	t.Run("RC-4b", func(t *testing.T) {
		r := start(t, Options{Profile: mustProfile(t, "admin-password"), Secrets: testSecrets, Now: newFakeClock().Now,
			LockoutThreshold: 2})
		c := dial(t, r.URL)
		for range 5 {
			expectRC(t, c, "4", reqPasswordRole, "user", "wrong")
		}
		expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
	})
	t.Run("free", func(t *testing.T) {
		r := start(t, Options{Profile: mustProfile(t, "free"), Secrets: testSecrets, Now: newFakeClock().Now,
			LockoutThreshold: 1})
		c := dial(t, r.URL)
		token := expectRC(t, c, "0/2", `{"method":"auth","requestId":"1","type":"unsecured"}`).str("token")
		for range 3 {
			expectRC(t, c, "2", reqPassword, "wrong")
		}
		expectRC(t, c, "0/2", reqPassword, token)
	})
}

// TestLockoutWindowed: with a window, wrong credentials count for the
// window whatever succeeds between them; older ones stop counting.
func TestLockoutWindowed(t *testing.T) {
	clock := newFakeClock()
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: clock.Now,
		LockoutThreshold: 3, LockoutDuration: 10 * time.Second, LockoutWindow: time.Minute})
	c := dial(t, r.URL)
	// Two wrong, each followed by a success: a count in a row would be 0.
	for range 2 {
		expectRC(t, c, "8", reqPassword, "wrong")
		expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
	}
	// Thirty seconds on, both still count: the third starts the lockout.
	clock.Advance(30 * time.Second)
	expectRC(t, c, "8", reqPassword, "wrong")
	expectRC(t, c, "6", reqPassword, testSecrets.AdminPassword)

	clock.Advance(10 * time.Second)
	expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
	// The lockout cleared the count; two wrong credentials a window
	// after the last two do not add up to three.
	for range 5 {
		expectRC(t, c, "8", reqPassword, "wrong")
		expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
		expectRC(t, c, "8", reqPassword, "wrong")
		clock.Advance(time.Minute)
	}
	expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
}
