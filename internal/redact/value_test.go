package redact

import "testing"

// TestValueOnly: a short token of a ValueOnly label is redacted where it
// stands as a value, in any escape, and never erases the console's words
// (issue 16, finding 8: a token "FAIL" or "fail" erased every verdict word).
func TestValueOnly(t *testing.T) {
	r := New()
	r.ValueOnly("token")
	r.Add("token", "FAIL")
	for _, tt := range []struct{ in, want string }{
		{"FAIL    0.012s  rc-8-wrong-user-pin", "FAIL    0.012s  rc-8-wrong-user-pin"},
		{"result: not conformant: 3 pass, 1 fail", "result: not conformant: 3 pass, 1 fail"},
		{`+0.001s a < {"token":"FAIL","result":true}`, `+0.001s a < {"token":"[REDACTED:token]","result":true}`},
		{`{"token":"fail"}`, `{"token":"[REDACTED:token]"}`},
		{`{"token":"F\u0041IL"}`, `{"token":"[REDACTED:token]"}`},
		{`{"payload":"{\"token\":\"FAIL\"}"}`, `{"payload":"{\"token\":\"[REDACTED:token]\"}"}`},
		{"GET /probe?token=FAIL", "GET /probe?token=[REDACTED:token]"},
		{"GET /probe?token=F%41IL&x=1", "GET /probe?token=[REDACTED:token]&x=1"},
		{`actual "FAIL" (string)`, `actual "[REDACTED:token]" (string)`},
	} {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	// A token of MinFreeText bytes or more, a short secret of another label
	// (a PIN) and the operator's secrets are redacted everywhere.
	r.Add("token", "not conformant")
	r.Add("pin", "4821")
	r.Add("admin-password", "pw1")
	for _, tt := range []struct{ in, want string }{
		{"result: not conformant", "result: [REDACTED:token]"},
		{"pin 4821 set", "pin [REDACTED:pin] set"},
		{"the password pw1 was echoed", "the password [REDACTED:admin-password] was echoed"},
	} {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}

	// The same text registered again as a secret of another label is
	// redacted everywhere from then on.
	r.Add("user-pin", "FAIL")
	if got := r.Redact("FAIL 1"); got != "[REDACTED:user-pin] 1" {
		t.Errorf("a short token also registered as a PIN: %q", got)
	}
}
