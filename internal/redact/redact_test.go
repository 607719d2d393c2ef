package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// The echoes of issue 7: each form a target was seen to send a secret back in.
func TestRedactEchoes(t *testing.T) {
	r := New()
	r.Add("admin-password", "Пароль-Canary/7Qx/secret<&>")
	r.Add("token", "1*AbCdEfGhIjKlMnOp*99235446*4145443734323733")
	for _, tt := range []struct{ name, text string }{
		{"raw", `{"error":"bad Пароль-Canary/7Qx/secret<&>"}`},
		{"python ensure_ascii", `{"error":"\u041f\u0430\u0440\u043e\u043b\u044c-Canary/7Qx/secret<&>"}`},
		{"upper-case hex escapes", `{"e":"\u041F\u0430\u0440\u043E\u043B\u044C-Canary/7Qx/secret\u003C\u0026\u003E"}`},
		{"php slash escaping", `{"e":"Пароль-Canary\/7Qx\/secret<&>"}`},
		{"every character escaped", jsonEscapeAll("Пароль-Canary/7Qx/secret<&>")},
		{"query value", "GET /x?p=" + url.QueryEscape("Пароль-Canary/7Qx/secret<&>") + "&q=1"},
		{"path escaped", "/" + url.PathEscape("Пароль-Canary/7Qx/secret<&>")},
		{"html", html.EscapeString("Пароль-Canary/7Qx/secret<&>")},
		{"other letter case", strings.ToUpper("Пароль-Canary/7Qx/secret<&>")},
		{"json inside json", mustJSON(mustJSON(map[string]string{"p": "Пароль-Canary/7Qx/secret<&>"}))},
		{"hex", fmt.Sprintf("%x", "Пароль-Canary/7Qx/secret<&>")},
		{"base64 at offset 1", b64("x" + "Пароль-Canary/7Qx/secret<&>" + "yz")},
		{"token in a query", "/frames/?token=" + url.QueryEscape("1*AbCdEfGhIjKlMnOp*99235446*4145443734323733")},
		{"token lower-cased", strings.ToLower("1*AbCdEfGhIjKlMnOp*99235446*4145443734323733")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := r.Redact(tt.text)
			if !strings.Contains(out, "[REDACTED:") {
				t.Fatalf("nothing redacted in %q: %q", tt.text, out)
			}
			for _, frag := range []string{"canary", "7qx", "ароль", "abcdefgh", "99235446"} {
				if strings.Contains(strings.ToLower(out), frag) {
					t.Errorf("%q survives in %q", frag, out)
				}
			}
		})
	}
}

func jsonEscapeAll(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xffff {
			b.WriteString(fmt.Sprintf(`\u%04x\u%04x`, 0xd800+((r-0x10000)>>10), 0xdc00+((r-0x10000)&0x3ff)))
			continue
		}
		b.WriteString(fmt.Sprintf(`\u%04x`, r))
	}
	return b.String()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestRedactKeepsOrdinaryText(t *testing.T) {
	r := New()
	r.Add("token", "tok-ABCDEFGH")
	in := "nothing secret here: \\u0041 %41 &lt; tok-ABCDEFG (one short)"
	if out := r.Redact(in); out != in {
		t.Errorf("text without a secret changed:\n got %q\nwant %q", out, in)
	}
	if got := r.Redact("a tok-abcdefgh b"); got != "a [REDACTED:token] b" {
		t.Errorf("got %q", got)
	}
}

func TestOverlapsMergeAndLongestLabelWins(t *testing.T) {
	r := New()
	r.Add("short", "abcd")
	r.Add("long", "cdefgh")
	if got := r.Redact("xxabcdefghyy"); got != "xx[REDACTED:long]yy" {
		t.Errorf("got %q", got)
	}
}

func TestRedactPrefixNeverCutsASecret(t *testing.T) {
	r := New()
	r.Add("token", "SECRET-VALUE-123")
	s := "0123456789SECRET-VALUE-123 tail"
	out, n := r.RedactPrefix(s, 14)
	if out != "0123456789[REDACTED:token]" || n != len("0123456789SECRET-VALUE-123") {
		t.Errorf("got %q, %d", out, n)
	}
	out, n = r.RedactPrefix(s, 5)
	if out != "01234" || n != 5 {
		t.Errorf("got %q, %d", out, n)
	}
}

// TestRedactPrefixesIsRedactPrefixEach: one search, the same answers as
// one RedactPrefix per limit, secrets crossing a limit and overlapping
// included.
func TestRedactPrefixesIsRedactPrefixEach(t *testing.T) {
	r := New()
	r.Add("token", "SECRET-VALUE-123")
	r.Add("pin", "VALUE-1234")
	s := "0123456789SECRET-VALUE-1234 and %53ECRET-VALUE-123 tail"
	limits := []int{0, 5, 14, 27, 30, 40, len(s), len(s) + 9, -1}
	got := r.RedactPrefixes(s, limits...)
	for i, limit := range limits {
		out, n := r.RedactPrefix(s, limit)
		if got[i] != (Prefix{out, n}) {
			t.Errorf("limit %d: RedactPrefixes gives %+v, RedactPrefix %q, %d", limit, got[i], out, n)
		}
	}
}

func TestManySecretsAcrossLevels(t *testing.T) {
	r := New()
	var all []string
	for i := range 1000 {
		s := fmt.Sprintf("CanaryTok%05d-%x", i, i*7919)
		all = append(all, s)
		r.Add("token", s)
		if i%97 == 0 { // redactions interleave with additions, as in a run
			if out := r.Redact("x " + s + " y"); out != "x [REDACTED:token] y" {
				t.Fatalf("after %d secrets: %q", i+1, out)
			}
		}
	}
	text := strings.Join(all, " | ")
	if out := r.Redact(text); strings.Contains(strings.ToLower(out), "canarytok") {
		t.Errorf("a secret survives among 1000: %.200q", out)
	}
	if r.Len() != 1000 {
		t.Errorf("Len %d", r.Len())
	}
}

func TestOverflowWithholdsEverything(t *testing.T) {
	r := New()
	for i := range MaxSecrets + 1 {
		r.Add("token", fmt.Sprintf("tok%06d", i))
	}
	if !r.Overflowed() {
		t.Fatal("no overflow past MaxSecrets")
	}
	if got := r.Redact("an unregistered token tok999999 and plain text"); got != Withheld {
		t.Errorf("got %q, want the withheld marker", got)
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	r.Add("x", "secret")
	if r.Redact("secret") != "secret" || r.Overflowed() || r.Len() != 0 {
		t.Error("a nil Redactor must be inert")
	}
}

func TestWriterCatchesSecretsSplitAcrossWrites(t *testing.T) {
	r := New()
	r.Add("pw", "hunter2-secret")
	var out bytes.Buffer
	w := NewWriter(r, &out, strings.ToUpper)
	for _, part := range []string{"line one hunt", "er2-sec", "ret end\nnext ", "hunter2-secret"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "LINE ONE [REDACTED:PW] END\nNEXT [REDACTED:PW]" {
		t.Errorf("got %q", got)
	}
}

// encoders are the ways the property test hides a secret in text.
var encoders = []struct {
	name string
	f    func(string) string
}{
	{"raw", func(s string) string { return s }},
	{"json", func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }},
	{"json-all", jsonEscapeAll},
	{"json-upper-hex", func(s string) string {
		return strings.ReplaceAll(strings.ToUpper(jsonEscapeAll(s)), `\U`, `\u`)
	}},
	{"php", func(s string) string { // json_encode: \/ for every slash
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`)
	}},
	{"query", url.QueryEscape},
	{"path", url.PathEscape},
	{"html", html.EscapeString},
	{"upper", strings.ToUpper},
	{"double-json", func(s string) string { return mustJSON(mustJSON(s)) }},
}

// TestRedactProperty: whatever secrets, filler and encodings, no encoded
// secret survives (in any letter case), and the filler text does.
func TestRedactProperty(t *testing.T) {
	secretGen := rapid.StringOfN(rapid.SampledFrom([]rune("ABCdef0123/+ <&>\"\\é€𝄞П")), 3, 24, -1)
	// Pieces are separated: a secret that ends in a lone "\\" glued to the
	// escaped form of the next secret reads as one escape (see the package
	// documentation).
	fillerGen := rapid.Custom(func(t *rapid.T) string {
		return rapid.SampledFrom([]string{" ", ", ", ": "}).Draw(t, "sep") +
			rapid.StringOfN(rapid.SampledFrom([]rune("xyz .,:-")), 0, 20, -1).Draw(t, "text")
	})
	rapid.Check(t, func(t *rapid.T) {
		secrets := rapid.SliceOfNDistinct(secretGen, 1, 6, func(s string) string { return strings.ToLower(s) }).Draw(t, "secrets")
		r := New()
		for _, s := range secrets {
			r.Add("s", s)
		}
		var text strings.Builder
		var inserted, fillers []string
		for i := range rapid.IntRange(1, 6).Draw(t, "pieces") {
			f := fillerGen.Draw(t, fmt.Sprint("filler", i))
			fillers = append(fillers, f)
			text.WriteString(f)
			s := rapid.SampledFrom(secrets).Draw(t, fmt.Sprint("secret", i))
			enc := encoders[rapid.IntRange(0, len(encoders)-1).Draw(t, fmt.Sprint("encoder", i))]
			e := enc.f(s)
			inserted = append(inserted, e)
			text.WriteString(e)
		}
		out := r.Redact(text.String())
		// The markers themselves are ours: "dAC" is in "REDACTED".
		low := strings.ToLower(strings.ReplaceAll(out, "[REDACTED:s]", "\x00"))
		for _, e := range inserted {
			if strings.Contains(low, strings.ToLower(e)) {
				t.Fatalf("encoded secret %q survives in %q", e, out)
			}
		}
		if !utf8.ValidString(out) {
			t.Fatalf("redaction produced invalid UTF-8: %q", out)
		}
		for _, f := range fillers {
			if strings.Trim(f, " .,:-") != "" && !strings.Contains(out, strings.Trim(f, " .,:-")) {
				t.Fatalf("filler %q lost: %q", f, out)
			}
		}
	})
}

// TestFoldRelatesEveryCase: letters whose cases are not each other's
// simple lower case (dotless i, final sigma, long s, dotted capital I) and
// bytes that are not UTF-8 (a JSON decoder makes them U+FFFD) still match.
func TestFoldRelatesEveryCase(t *testing.T) {
	for _, tt := range []struct{ secret, echo string }{
		{"ılıkSecretPass", "ILIKSECRETPASS"},
		{"ΟΔΟΣ-secret", "οδος-SECRET"},
		{"ΟΔΟΣ-secret", "οδοσ-secret"},
		{"ſecret-longs", "SECRET-LONGS"},
		{"İstanbul-pw", "istanbul-PW"},
		{"T0k\ufffdsecret-value", "T0k\xffsecret-value"},
	} {
		r := New()
		r.Add("s", tt.secret)
		if out := r.Redact("x " + tt.echo + " y"); out != "x [REDACTED:s] y" {
			t.Errorf("secret %q echoed as %q: %q", tt.secret, tt.echo, out)
		}
	}
}

// TestGoQuotedEchoes: Go's own quoting (close reasons, error texts) writes
// \a, \v and \U escapes; they hide nothing either.
func TestGoQuotedEchoes(t *testing.T) {
	r := New()
	r.Add("s", "abc\x07def\x0bghi𝄞jkl")
	for _, echo := range []string{`abc\adef\vghi\U0001d11ejkl`, fmt.Sprintf("%q", "abc\x07def\x0bghi𝄞jkl"), "&LT;" + "abc\x07def\x0bghi𝄞jkl"} {
		if out := r.Redact("<" + echo + ">"); strings.Contains(out, "def") {
			t.Errorf("%q survives: %q", echo, out)
		}
	}
}

// TestAddAgainIsIdempotent: adding a secret again, as given or in another
// letter case, after it was added value-only, or after the Redactor
// overflowed, redacts exactly what the first additions did (Add's fast
// path for a secret added again as it was given).
func TestAddAgainIsIdempotent(t *testing.T) {
	const text = "tok Tok-Alpha-1234 TOK-ALPHA-1234 pin 4821 and 4821x"
	once, again := New(), New()
	once.ValueOnly("pin")
	again.ValueOnly("pin")
	once.Add("token", "Tok-Alpha-1234")
	once.Add("pin", "4821")
	for range 3 {
		again.Add("token", "Tok-Alpha-1234")
		again.Add("token", "TOK-ALPHA-1234") // another spelling: already known
		again.Add("pin", "4821")
	}
	if got, want := again.Redact(text), once.Redact(text); got != want {
		t.Errorf("added again: %q\nonce: %q", got, want)
	}
	// Value-only first, then as a whole secret under another label: the
	// second is a registration of its own, not skipped as added.
	v := New()
	v.ValueOnly("pin")
	v.Add("pin", "4821")
	v.Add("password", "4821")
	if got := v.Redact("x4821x"); strings.Contains(got, "4821") {
		t.Errorf("a secret added value-only, then whole, is still shown in free text: %q", got)
	}
}
