package caselang

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// obj decodes a JSON object the way internal/wire does (numbers as json.Number).
func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// TestChecks runs every check on an answer it must accept and on answers it
// must reject: a check that cannot fail would show up here.
func TestChecks(t *testing.T) {
	const success = `{"method":"auth","requestId":"r1","previleges":2,"token":"t1","tokenForHttpServer":"h1","result":true,"resultCode":0}`
	tests := []struct {
		name    string
		check   Check
		request string // "" = {"requestId":"r1"}
		resp    string
		sent    []string
		ok      bool
		want    string // substring of the finding text when !ok
	}{
		{"success ok", Succeeds("ROLE-1"), "", success, nil, true, ""},
		{"success on failure", Succeeds("ROLE-1"), "", `{"result":false,"resultCode":8,"error":"no"}`, nil, false, `actual result false (boolean), resultCode 8 (number), error "no"`},
		{"success with code as string", Succeeds("ROLE-1"), "", `{"result":true,"resultCode":"0"}`, nil, false, "resultCode"},
		{"code in set", Code("RC-4b", 4, 8), "", `{"result":false,"resultCode":8}`, nil, true, ""},
		{"code outside set", Code("RC-8", 8), "", `{"result":false,"resultCode":4}`, nil, false, "expected resultCode 8"},
		{"code missing", Code("RC-8", 8), "", `{"result":false}`, nil, false, "resultCode absent"},
		{"code float", Code("RC-8", 8), "", `{"result":false,"resultCode":8.5}`, nil, false, "8.5"},
		{"fails ok", Fails("ENV-9"), "", `{"result":false,"resultCode":9}`, nil, true, ""},
		{"fails on success", Fails("ENV-9"), "", success, nil, false, "a failure"},
		{"previleges ok", Previleges("ROLE-1", Admin), "", success, nil, true, ""},
		{"previleges wrong", Previleges("ROLE-1", User), "", success, nil, false, "expected previleges 1 (user), actual previleges 2"},
		{"previleges as string", Previleges("ROLE-1", Admin), "", `{"previleges":"2"}`, nil, false, `"2" (string)`},
		{"spelling ok", PrevilegesField("AUTH-1"), "", success, nil, true, ""},
		{"spelling privileges", PrevilegesField("AUTH-1"), "", `{"privileges":2}`, nil, false, `field "privileges" instead`},
		{"previleges 3", PrevilegesField("AUTH-1"), "", `{"previleges":3}`, nil, false, "1 or 2"},
		{"tokens ok", Tokens("AUTH-2"), "", success, nil, true, ""},
		{"token empty", Tokens("AUTH-2"), "", `{"token":"","tokenForHttpServer":"h"}`, nil, false, `token "" (string)`},
		{"http token missing", Tokens("AUTH-2"), "", `{"token":"t"}`, nil, false, "tokenForHttpServer absent"},
		{"tokens differ", TokensDiffer("AUTH-5"), "", success, nil, true, ""},
		{"tokens equal", TokensDiffer("AUTH-5"), "", `{"token":"x","tokenForHttpServer":"x"}`, nil, false, "equal"},
		{"no previleges ok", NoPrevileges("FAIL-2"), "", `{"result":false,"resultCode":8}`, nil, true, ""},
		{"previleges on failure", NoPrevileges("FAIL-2"), "", `{"result":false,"resultCode":8,"previleges":0}`, nil, false, "previleges 0"},
		{"no echo ok", NoCredentialEcho("FAIL-5"), "", `{"error":"wrong"}`, []string{"sekret-password-1"}, true, ""},
		{"echo in error", NoCredentialEcho("FAIL-5"), "", `{"error":"bad password sekret-password-1"}`, []string{"sekret-password-1"}, false, ".error"},
		{"short pin inside a token is no echo", NoCredentialEcho("FAIL-5"), "", `{"token":"1*abc*396*FF"}`, []string{"396"}, true, ""},
		{"short pin as a whole field is an echo", NoCredentialEcho("FAIL-5"), "", `{"x":{"pin":"396"}}`, []string{"396"}, false, ".x.pin"},
		{"method ok", Method("ENV-2", "auth"), "", success, nil, true, ""},
		{"method wrong", Method("ENV-2", "auth"), "", `{"method":"Auth"}`, nil, false, `actual method "Auth"`},
		{"types ok", ResultTypes("ENV-6"), "", success, nil, true, ""},
		{"result as string", ResultTypes("ENV-6"), "", `{"result":"true","resultCode":0}`, nil, false, `result "true" (string)`},
		{"code 13", ResultTypes("ENV-6"), "", `{"result":false,"resultCode":13}`, nil, false, "resultCode 13"},
		{"consistent ok", Consistent("ENV-7"), "", `{"result":false,"resultCode":4}`, nil, true, ""},
		{"inconsistent", Consistent("ENV-7"), "", `{"result":true,"resultCode":4}`, nil, false, "result true exactly when"},
		{"echo ok", EchoesRequestID("ENV-3"), `{"requestId":"зап-✓"}`, `{"requestId":"зап-✓"}`, nil, true, ""},
		{"echo changed", EchoesRequestID("ENV-3"), `{"requestId":"зап-✓"}`, `{"requestId":"зап-?"}`, nil, false, "expected requestId"},
		{"echo missing", EchoesRequestID("ENV-3"), "", `{}`, nil, false, "requestId absent"},
		{"no id: empty", EmptyOrNoRequestID("ENV-4"), `{}`, `{"requestId":""}`, nil, true, ""},
		{"no id: absent", EmptyOrNoRequestID("ENV-4"), `{}`, `{}`, nil, true, ""},
		{"no id: invented", EmptyOrNoRequestID("ENV-4"), `{}`, `{"requestId":"0"}`, nil, false, `"0"`},
		{"refused ok", Refused("SEC-1"), "", `{"result":false,"error":"Authorization required"}`, nil, true, ""},
		{"refused by error only", Refused("SEC-1"), "", `{"error":"Authorization required"}`, nil, true, ""},
		{"not refused", Refused("SEC-1"), "", `{"result":true,"adminAuth":{}}`, nil, false, "refusal"},
		{"refused but leaks", Refused("SEC-1"), "", `{"result":false,"userAuth":{"security":"pin"}}`, nil, false, "revealed userAuth"},
		{"shows pin", ShowsPIN("SEC-2"), "", `{"result":true,"userAuth":{"security":"pin","pin":"a1"}}`, nil, true, ""},
		{"pin missing", ShowsPIN("SEC-2"), "", `{"result":true,"userAuth":{"security":"pin"}}`, nil, false, "userAuth.pin"},
		{"hides pin", HidesPIN("SEC-2"), "", `{"result":true,"userAuth":{"security":"pin"}}`, nil, true, ""},
		{"pin leaked", HidesPIN("SEC-2"), "", `{"result":true,"userAuth":{"security":"pin","pin":"a1"}}`, nil, false, "userAuth.pin present"},
		{"hides pin but refused", HidesPIN("SEC-2"), "", `{"result":false}`, nil, false, "getAuthInfo answered"},
		{"accepted", Accepted("FAIL-4"), "", `{"result":true}`, nil, true, ""},
		{"not accepted", Accepted("FAIL-4"), "", `{"result":false,"error":"Authorization required"}`, nil, false, "result true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.request
			if req == "" {
				req = `{"requestId":"r1"}`
			}
			f := tt.check.Evaluate(Observation{Request: obj(t, req), Response: obj(t, tt.resp), Sent: tt.sent, Step: "s"})
			if f.OK != tt.ok {
				t.Fatalf("OK = %v, want %v: %s", f.OK, tt.ok, f)
			}
			if !tt.ok && !strings.Contains(f.String(), tt.want) {
				t.Errorf("finding %q does not contain %q", f.String(), tt.want)
			}
			if f.Requirement != tt.check.Req || f.Level != LevelOf(tt.check.Req) {
				t.Errorf("finding cites %s/%s, want %s", f.Requirement, f.Level, tt.check.Req)
			}
		})
	}
}

func TestNoResponseFailsEveryCheckButRecords(t *testing.T) {
	o := Observation{ResponseErr: "no response within 5s: timeout"}
	if f := Code("RC-8", 8).Evaluate(o); f.OK || !strings.Contains(f.Actual, "timeout") {
		t.Errorf("a MUST check passed without a response: %s", f)
	}
	if f := RecordError("FAIL-3").Evaluate(o); !f.OK || f.Level != Info {
		t.Errorf("an INFO check must record, not fail: %s", f)
	}
}

func TestInfoChecksRecord(t *testing.T) {
	resp := func(s string) Observation {
		return Observation{Response: obj(t, s), Request: map[string]any{"requestId": json.Number("42")}}
	}
	for _, tt := range []struct {
		check Check
		resp  string
		note  string
	}{
		{RecordRequestIDEcho("ENV-5"), `{"requestId":42}`, "as a number 42"},
		{RecordRequestIDEcho("ENV-5"), `{"requestId":"42"}`, `as a string "42"`},
		{RecordOverlay("AUTH-3"), `{"overlayHttpToken":"o"}`, "present"},
		{RecordOverlay("AUTH-3"), `{}`, "absent"},
		{RecordTokenShape("AUTH-4"), `{"token":"1*Cwk7m2fznHFi0t02*99235446*4145443734323733424642364342343533393737393543374636333936383238","tokenForHttpServer":"x"}`, "token matches the documented shape; tokenForHttpServer has another shape"},
		{RecordOutcome("RC-5b", "0/previleges 1", "5"), `{"result":true,"resultCode":0,"previleges":1}`, "saw 0/previleges 1 (documented"},
		{RecordOutcome("RC-5b", "0/previleges 1", "5"), `{"result":true,"resultCode":0,"previleges":2}`, "outside the documented"},
		{RecordError("FAIL-3"), `{"error":"Incorrect credentials"}`, `error "Incorrect credentials"`},
	} {
		f := tt.check.Evaluate(resp(tt.resp))
		if !f.OK || !strings.Contains(f.Note, tt.note) {
			t.Errorf("%s on %s: %s, want note containing %q", tt.check.Name, tt.resp, f, tt.note)
		}
	}
}

func TestDistinctTokens(t *testing.T) {
	mk := func(tokens ...string) []Observation {
		var out []Observation
		for _, tok := range tokens {
			out = append(out, Observation{Response: map[string]any{"token": tok}})
		}
		return out
	}
	if f := DistinctTokens("AUTH-5").EvaluateAll(mk("a", "b", "c")); !f.OK {
		t.Errorf("distinct tokens rejected: %s", f)
	}
	if f := DistinctTokens("AUTH-5").EvaluateAll(mk("a", "b", "a")); f.OK {
		t.Errorf("a repeated token was accepted: %s", f)
	}
	if f := DistinctTokens("AUTH-5").EvaluateAll(nil); f.OK {
		t.Errorf("no tokens at all was accepted: %s", f)
	}
}

func TestFreshTokens(t *testing.T) {
	before := map[string]map[string]any{"admin": {"token": "t1", "tokenForHttpServer": "h1"}}
	c := FreshTokensVersus("SW-1", "admin")
	if f := c.Evaluate(Observation{Response: map[string]any{"token": "t2", "tokenForHttpServer": "h2"}, Earlier: before}); !f.OK {
		t.Errorf("fresh tokens rejected: %s", f)
	}
	if f := c.Evaluate(Observation{Response: map[string]any{"token": "t1", "tokenForHttpServer": "h2"}, Earlier: before}); f.OK {
		t.Errorf("a reused token was accepted: %s", f)
	}
}

func TestDecide(t *testing.T) {
	must := Finding{Requirement: "RC-8", Level: Must}
	should := Finding{Requirement: "RC-4b", Level: Should}
	info := Finding{Requirement: "RC-5b", Level: Info}
	for _, tt := range []struct {
		fs     []Finding
		strict bool
		want   Verdict
	}{
		{[]Finding{{Level: Must, OK: true}}, false, Pass},
		{[]Finding{info}, false, Pass},
		{[]Finding{should}, false, Warn},
		{[]Finding{should}, true, Fail},
		{[]Finding{should, must}, false, Fail},
	} {
		if got := Decide(tt.fs, tt.strict); got != tt.want {
			t.Errorf("Decide(%v, strict=%v) = %s, want %s", tt.fs, tt.strict, got, tt.want)
		}
	}
}

func TestAlterAndSwapCase(t *testing.T) {
	for _, s := range []string{"", "a", "abc9", "Z", "1*x*2*FF", "k7m2x9"} {
		if Alter(s) == s || strings.EqualFold(Alter(s), s) {
			t.Errorf("Alter(%q) = %q does not differ case-insensitively", s, Alter(s))
		}
	}
	if got := SwapCase("k7M2x9"); got != "K7m2X9" {
		t.Errorf("SwapCase = %q", got)
	}
}

func TestSecretKindEnvVar(t *testing.T) {
	if got := UserPIN.EnvVar(); got != "CONFORM_USER_PIN" {
		t.Errorf("EnvVar = %q", got)
	}
}

func TestOrClosed(t *testing.T) {
	closed := Observation{ResponseErr: "connection closed", Closed: true}
	if f := Refused("FAIL-4").Evaluate(closed); f.OK {
		t.Errorf("a plain check accepted a closed connection: %s", f)
	}
	if f := Refused("FAIL-4").OrClosed().Evaluate(closed); !f.OK {
		t.Errorf("OrClosed rejected a closed connection: %s", f)
	}
	timeout := Observation{ResponseErr: "timeout"}
	if f := Refused("FAIL-4").OrClosed().Evaluate(timeout); f.OK {
		t.Errorf("OrClosed accepted a timeout: %s", f)
	}
	if f := Refused("FAIL-4").OrClosed().Evaluate(Observation{Response: map[string]any{"result": true}}); f.OK {
		t.Errorf("OrClosed accepted an answer that is not a refusal: %s", f)
	}
}

// TestOneJSONObject: an answer that came but is not one JSON object in a
// text frame breaks ENV-1; a good answer or none at all (a timeout, not a
// verdict) does not.
func TestOneJSONObject(t *testing.T) {
	c := OneJSONObject("ENV-1")
	for _, tc := range []struct {
		name   string
		o      Observation
		broken bool
	}{
		{"two values in a frame", Observation{ResponseErr: "malformed response: invalid JSON: data after the first JSON value", Malformed: true}, true},
		{"a good answer", Observation{Response: map[string]any{"method": "auth", "result": true}}, false},
		{"no answer", Observation{ResponseErr: "no response within 5s: timeout"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := c.Evaluate(tc.o)
			if f.Broken() != tc.broken || f.Requirement != "ENV-1" {
				t.Errorf("%+v: broken %v, want %v", f, f.Broken(), tc.broken)
			}
			if tc.broken && f.Actual != tc.o.ResponseErr {
				t.Errorf("actual %q, want the error %q", f.Actual, tc.o.ResponseErr)
			}
		})
	}
}
