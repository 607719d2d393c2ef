package wire

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/internal/redact"
)

func TestTranscriptStringFormat(t *testing.T) {
	tr := NewTranscript(nil)
	tr.Add("a", Sent, "text", `{"method":"auth"}`)
	tr.Add("a", Received, "text", "{\"method\":\"auth\",\n\"result\":true}")
	tr.Notef("b", "waited %d ms", 5)
	tr.Add("a", Received, "close", `code 1000 reason ""`)
	tr.Add("", Sent, "binary", string([]byte{1, 2, 3}))

	lines := strings.Split(strings.TrimSuffix(tr.String(), "\n"), "\n")
	want := []string{
		`a > {"method":"auth"}`,
		`a < {"method":"auth",\n"result":true}`,
		`b # waited 5 ms`,
		`a < close code 1000 reason ""`,
		`- > binary 3 bytes: 010203`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), tr.String())
	}
	prefix := regexp.MustCompile(`^\+\d+\.\d{3}s `)
	for i, line := range lines {
		if !prefix.MatchString(line) || prefix.ReplaceAllString(line, "") != want[i] {
			t.Errorf("line %d = %q, want +N.NNNs %s", i, line, want[i])
		}
	}
	frames := tr.Frames()
	if frames[2].Dir != Note || frames[2].Kind != "note" || frames[2].Conn != "b" {
		t.Errorf("note frame = %+v", frames[2])
	}
	if frames[1].At < frames[0].At {
		t.Error("offsets go backwards")
	}
	b, err := json.Marshal(frames[0])
	if err != nil || !strings.Contains(string(b), `"dir":"send"`) || !strings.Contains(string(b), `"conn":"a"`) {
		t.Errorf("JSON form: %s %v", b, err)
	}
}

func TestTranscriptRedactsAndTruncates(t *testing.T) {
	r := redact.New()
	r.Add("token", "TOKEN-SECRET-VALUE")
	tr := NewTranscript(r)
	tr.Add("a", Received, "text", `{"token":"TOKEN-SECRET-VALUE"}`)

	// A secret straddling the cut is redacted whole, never half left.
	long := strings.Repeat("é", (MaxPayload-5)/2) + "TOKEN-SECRET-VALUE" + strings.Repeat("z", 10000)
	tr.Add("a", Received, "text", long)

	frames := tr.Frames()
	if frames[0].Payload != `{"token":"[REDACTED:token]"}` {
		t.Errorf("payload = %q", frames[0].Payload)
	}
	p := frames[1].Payload
	if !strings.HasSuffix(p, fmt.Sprintf("...(%d bytes total)", len(long))) {
		t.Errorf("no truncation note: ...%q", p[max(0, len(p)-40):])
	}
	if strings.Contains(p, "TOKEN") || strings.Contains(p, "SECRET") {
		t.Error("part of the secret survived the cut")
	}
	if !strings.Contains(p, "[REDACTED:token]") {
		t.Error("secret at the cut was dropped instead of redacted")
	}
	if len(p) > MaxPayload+100 {
		t.Errorf("truncated payload is %d bytes", len(p))
	}
	if strings.ContainsRune(p, '\uFFFD') {
		t.Error("cut inside a UTF-8 sequence")
	}
}

func TestTranscriptRedactsSecretsAddedLater(t *testing.T) {
	r := redact.New()
	tr := NewTranscript(r)
	tr.Add("a", Sent, "text", `{"credentials":"late-secret"}`)
	r.Add("password", "late-secret")
	if s := tr.String(); strings.Contains(s, "late-secret") || !strings.Contains(s, "[REDACTED:password]") {
		t.Fatalf("String = %q", s)
	}
}

func TestTranscriptCap(t *testing.T) {
	tr := NewTranscript(nil)
	for i := 0; i < MaxFrames+500; i++ {
		tr.Add("a", Received, "text", "x")
	}
	frames := tr.Frames()
	if len(frames) != MaxFrames {
		t.Fatalf("%d frames, want %d", len(frames), MaxFrames)
	}
	last := frames[len(frames)-1]
	if last.Dir != Note || !strings.Contains(last.Payload, "limit") {
		t.Fatalf("last frame = %+v", last)
	}
	if tr.Omitted() != 501 {
		t.Fatalf("Omitted = %d, want 501", tr.Omitted())
	}
}

func TestTranscriptNil(t *testing.T) {
	var tr *Transcript
	tr.Add("a", Sent, "text", "x")
	tr.Notef("a", "x")
	if tr.Frames() != nil || tr.String() != "" || tr.Omitted() != 0 || tr.Redactor() != nil || tr.Elapsed() != 0 {
		t.Fatal("nil Transcript must be a no-op")
	}
}

// TestTranscriptCutNeverSplitsAnEscapedSecret: a token escaped twice (each
// character \\u00XX) that crosses the 4 KiB cut is still redacted whole.
func TestTranscriptCutNeverSplitsAnEscapedSecret(t *testing.T) {
	const token = "S3cretTokenValue0123456789abcdef"
	r := redact.New()
	r.Add("token", token)
	var esc strings.Builder
	for _, c := range token {
		fmt.Fprintf(&esc, `\\u%04x`, c) // the JSON of a JSON string: each \u escaped again
	}
	payload := strings.Repeat("x", MaxPayload-600) + esc.String() + strings.Repeat("y", 100)
	tr := NewTranscript(r)
	tr.Add("a", Received, "text", payload)
	p := tr.Frames()[0].Payload
	if strings.Contains(p, `\\u0053\\u0033`) || !strings.Contains(p, "[REDACTED:token]") {
		t.Errorf("the escaped token is cut open: ...%s", p[max(0, len(p)-200):])
	}
}

// TestBinaryFrameWithASecretShowsNoHex: the hex of a binary frame's first
// bytes would show part of a secret unredacted; such a frame shows its size.
func TestBinaryFrameWithASecretShowsNoHex(t *testing.T) {
	r := redact.New()
	r.Add("pw", "binary-secret-xyz")
	tr := NewTranscript(r)
	tr.Add("a", Received, "binary", "\x00\x01binary-secret-xyz\x02")
	tr.Add("a", Received, "binary", "\x00\x01\x02")
	fs := tr.Frames()
	if !strings.Contains(fs[0].Payload, "hold a secret") || strings.Contains(fs[0].Payload, "62696e") {
		t.Errorf("secret frame shown as %q", fs[0].Payload)
	}
	if fs[1].Payload != "binary 3 bytes: 000102" {
		t.Errorf("plain frame shown as %q", fs[1].Payload)
	}
}

func TestLargeSendIsTruncatedInTranscript(t *testing.T) {
	c := dial(t, scripted(t, nil, echo), Options{})
	big := []byte(`{"method":"auth","requestId":"big","pad":"` + strings.Repeat("x", 64<<10) + `"}`)
	wantID(t, call(t, c, big), "big")
	frames := c.Transcript().Frames()
	var sent Frame
	for _, f := range frames {
		if f.Dir == Sent {
			sent = f
		}
	}
	if len(sent.Payload) > MaxPayload+64 || !strings.HasSuffix(sent.Payload, fmt.Sprintf("...(%d bytes total)", len(big))) {
		t.Fatalf("sent payload: %d bytes, ends %q", len(sent.Payload), sent.Payload[len(sent.Payload)-30:])
	}
}

// TestTranscriptStepLabelsTheNextSentFrame: a step's label goes to the
// next frame sent on its connection only, and one taken back labels
// nothing.
func TestTranscriptStepLabelsTheNextSentFrame(t *testing.T) {
	tr := NewTranscript(nil)
	tr.Step("a", "login")
	tr.Add("b", Sent, "text", "other connection")
	tr.Add("a", Received, "text", "not sent")
	tr.Add("a", Sent, "text", "the request")
	tr.Add("a", Sent, "text", "a barrier")
	tr.Step("b", "nothing sent")
	tr.Step("b", "")
	tr.Add("b", Sent, "text", "later")
	var got []string
	for _, f := range tr.Frames() {
		got = append(got, f.Step)
	}
	if want := []string{"", "", "login", "", ""}; !slices.Equal(got, want) {
		t.Errorf("steps %q, want %q", got, want)
	}
}
