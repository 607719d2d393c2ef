package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"
	"testing"
)

func TestRedactorReplacesSecrets(t *testing.T) {
	r := NewRedactor()
	r.Add("password", "hunter2")
	got := r.Redact("login with hunter2 and hunter2!")
	want := "login with [REDACTED:password] and [REDACTED:password]!"
	if got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
	if !r.Contains("xxhunter2xx") || r.Contains("hunter") {
		t.Fatal("Contains disagrees with the registered secret")
	}
	if got := string(r.RedactBytes([]byte("a hunter2 b"))); got != "a [REDACTED:password] b" {
		t.Fatalf("RedactBytes = %q", got)
	}
}

func TestRedactorIgnoresShortSecrets(t *testing.T) {
	r := NewRedactor()
	r.Add("pin", "")
	r.Add("pin", "1")
	r.Add("pin", "12")
	if r.Len() != 0 {
		t.Fatalf("short secrets were registered: %d", r.Len())
	}
	if got := r.Redact("1 12 123"); got != "1 12 123" {
		t.Fatalf("text changed: %q", got)
	}
	r.Add("pin", "123")
	if got := r.Redact("1 12 123"); got != "1 12 [REDACTED:pin]" {
		t.Fatalf("3-byte secret not redacted: %q", got)
	}
}

func TestRedactorEscapedForms(t *testing.T) {
	const secret = `p<a"ss&w>rd\1`
	r := NewRedactor()
	r.Add("password", secret)

	htmlEscaped, _ := json.Marshal(map[string]string{"credentials": secret}) // \u003c, \u0026 ...
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]string{"credentials": secret})

	for name, text := range map[string]string{
		"raw":               "the secret is " + secret,
		"json, HTML escape": string(htmlEscaped),
		"json, plain":       plain.String(),
		"xml":               "<system-out>" + html.EscapeString(secret) + "</system-out>",
	} {
		got := r.Redact(text)
		if strings.Contains(got, "ss&w") || strings.Contains(got, "ss\\u0026w") || strings.Contains(got, "ss&amp;w") {
			t.Errorf("%s: secret survived: %q", name, got)
		}
		if !strings.Contains(got, "[REDACTED:password]") {
			t.Errorf("%s: no marker in %q", name, got)
		}
		if !r.Contains(text) {
			t.Errorf("%s: Contains = false", name)
		}
	}
}

func TestRedactorLongestAndOverlapping(t *testing.T) {
	r := NewRedactor()
	r.Add("pin", "396")
	r.Add("token", "1*396*ABCDEF")
	if got := r.Redact("tok=1*396*ABCDEF pin=396"); got != "tok=[REDACTED:token] pin=[REDACTED:pin]" {
		t.Fatalf("Redact = %q", got)
	}
	// A shorter secret that starts before a longer one and overlaps it: no byte of either survives.
	r2 := NewRedactor()
	r2.Add("a", "abcd")
	r2.Add("b", "cdefgh")
	got := r2.Redact("xabcdefghy")
	if got != "x[REDACTED:b]y" {
		t.Fatalf("overlap: %q", got)
	}
	// Markers are never re-scanned: a secret that looks like part of a marker does not mangle it.
	r3 := NewRedactor()
	r3.Add("x", "secret-value")
	r3.Add("y", "RED")
	if got := r3.Redact("secret-value RED"); got != "[REDACTED:x] [REDACTED:y]" {
		t.Fatalf("marker mangled: %q", got)
	}
}

func TestRedactorNilAndEmpty(t *testing.T) {
	var r *Redactor
	r.Add("x", "secret")
	if r.Redact("secret") != "secret" || r.Contains("secret") || r.Len() != 0 {
		t.Fatal("nil Redactor must be a no-op")
	}
	if NewRedactor().Redact("plain") != "plain" {
		t.Fatal("empty Redactor changed text")
	}
}

func TestRedactorKeepsFirstLabel(t *testing.T) {
	r := NewRedactor()
	r.Add("first", "same-secret")
	r.Add("second", "same-secret")
	if got := r.Redact("same-secret"); got != "[REDACTED:first]" {
		t.Fatalf("Redact = %q", got)
	}
}

func TestRedactUpToNeverCutsASecret(t *testing.T) {
	r := NewRedactor()
	r.Add("t", "0123456789")
	s := "abc0123456789xyz"
	for limit := 0; limit <= len(s); limit++ {
		out, consumed := r.redactUpTo(s, limit)
		if consumed < limit {
			t.Fatalf("limit %d: consumed %d", limit, consumed)
		}
		if strings.Contains(out, "0123") || strings.Contains(out, "6789") {
			t.Fatalf("limit %d: part of the secret left: %q", limit, out)
		}
		if out+r.Redact(s[consumed:]) != r.Redact(s) {
			t.Fatalf("limit %d: pieces %q + %q do not make the whole", limit, out, s[consumed:])
		}
	}
}

func TestRedactingWriterSplitSecret(t *testing.T) {
	r := NewRedactor()
	r.Add("token", "SECRET-TOKEN-42")
	var out bytes.Buffer
	w := r.Writer(&out)
	for _, part := range []string{"start SECRET-", "TOKEN-42 middle\nsecond line SEC", "RET-TOKEN-42", " tail"} {
		if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
			t.Fatalf("Write(%q) = %d, %v", part, n, err)
		}
	}
	if got := out.String(); got != "start [REDACTED:token] middle\n" {
		t.Fatalf("before Flush: %q", got)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "start [REDACTED:token] middle\nsecond line [REDACTED:token] tail"
	if got := out.String(); got != want {
		t.Fatalf("after Flush: %q, want %q", got, want)
	}
	if err := w.Flush(); err != nil || out.String() != want {
		t.Fatal("second Flush wrote again")
	}
}

func TestRedactingWriterBoundedWithoutNewline(t *testing.T) {
	r := NewRedactor()
	r.Add("token", "SECRET-TOKEN-42")
	var out bytes.Buffer
	w := r.Writer(&out)
	chunk := strings.Repeat("x", 1000) + "SECRET-"
	for i := 0; i < 200; i++ {
		_, _ = w.Write([]byte(chunk))
		_, _ = w.Write([]byte("TOKEN-42"))
	}
	if len(w.buf) > writerSoftLimit+len(chunk)+16 {
		t.Fatalf("writer holds %d bytes", len(w.buf))
	}
	_ = w.Flush()
	if strings.Contains(out.String(), "SECRET-TOKEN") || strings.Contains(out.String(), "TOKEN-42") {
		t.Fatal("secret leaked through the writer")
	}
	if got := strings.Count(out.String(), "[REDACTED:token]"); got != 200 {
		t.Fatalf("%d markers, want 200", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRedactingWriterReportsErrors(t *testing.T) {
	w := NewRedactor().Writer(failingWriter{})
	if _, err := w.Write([]byte("line\n")); err == nil {
		t.Fatal("want the underlying error")
	}
	_, _ = w.Write([]byte("rest"))
	if err := w.Flush(); err == nil {
		t.Fatal("Flush: want the underlying error")
	}
}

func TestRedactorConcurrent(t *testing.T) {
	r := NewRedactor()
	var out bytes.Buffer
	w := r.Writer(&out)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				s := fmt.Sprintf("secret-%d-%d", i, j)
				r.Add("s", s)
				if r.Redact("x "+s+" y") != "x [REDACTED:s] y" {
					t.Errorf("not redacted: %s", s)
				}
				_, _ = w.Write([]byte(s + "\n"))
			}
		}()
	}
	wg.Wait()
	_ = w.Flush()
	if strings.Contains(out.String(), "secret-") {
		t.Fatal("a secret reached the writer's output")
	}
}

func TestRedactorCatchesURLEscapedForms(t *testing.T) {
	r := NewRedactor()
	r.Add("token", "4*AbC/d e*123")
	for _, in := range []string{"token=4%2AAbC%2Fd+e%2A123", "/x/4%2AAbC%2Fd%20e%2A123"} {
		if got := r.Redact(in); strings.Contains(got, "AbC") {
			t.Errorf("Redact(%q) = %q: the URL-escaped token survives", in, got)
		}
	}
}
