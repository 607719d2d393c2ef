package redact

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestMatcherAgreesWithNaiveSearch: the automaton finds what a naive
// search finds, also with keys that are prefixes and suffixes of each
// other (a small alphabet makes them so).
func TestMatcherAgreesWithNaiveSearch(t *testing.T) {
	t.Run("short", func(t *testing.T) { agreesWithNaiveSearch(t, "ABC", 1, 8, 60, false) })
	t.Run("long", func(t *testing.T) { agreesWithNaiveSearch(t, "AB", 30, 90, 300, false) })
	// Rests longer than shortRest, verified by their hash.
	t.Run("hashed", func(t *testing.T) { agreesWithNaiveSearch(t, "AB", 30, 90, 300, true) })
}

func agreesWithNaiveSearch(t *testing.T, alphabet string, minLen, maxLen, maxText int, hashed bool) {
	rapid.Check(t, func(t *rapid.T) {
		word := rapid.StringOfN(rapid.SampledFrom([]rune(alphabet)), minLen, maxLen, -1)
		texts := rapid.SliceOfNDistinct(word, 1, 20, func(s string) string { return s }).Draw(t, "patterns")
		var ps []pattern
		for _, s := range texts {
			ps = append(ps, pattern{text: s, label: s})
		}
		l, err := newLevel(ps, MaxNodes)
		if err != nil {
			t.Fatal(err)
		}
		// Text made of pieces of the patterns, so that they occur.
		var b strings.Builder
		for range rapid.IntRange(0, 8).Draw(t, "pieces") {
			w := rapid.SampledFrom(texts).Draw(t, "piece")
			from := rapid.IntRange(0, len(w)-1).Draw(t, "from")
			b.WriteString(w[from:])
			b.WriteString(rapid.StringOfN(rapid.SampledFrom([]rune(alphabet)), 0, 3, -1).Draw(t, "glue"))
		}
		text := b.String()
		if len(text) > maxText {
			text = text[:maxText]
		}
		s := search{compact: 1 << 30, work: 1 << 30, rawLen: len(text)}
		s.newView(view{b: []byte(text)})
		if hashed {
			s.compared = 1 << 30 // as if the view had compared enough already
		}
		if err := l.find(view{b: []byte(text)}, &s); err != nil {
			t.Fatal(err)
		}
		for _, h := range s.hits {
			if text[h.start:h.end] != h.label {
				t.Fatalf("hit %q at %d..%d is %q", h.label, h.start, h.end, text[h.start:h.end])
			}
		}
		var want []hit
		for _, p := range texts {
			for i := 0; i+len(p) <= len(text); i++ {
				if text[i:i+len(p)] == p {
					want = append(want, hit{start: i, end: i + len(p), label: p, size: len(p)})
				}
			}
		}
		// What redaction makes of them: the spans, each named after its
		// longest secret (a match inside another may be left out).
		got, wantSpans := fmt.Sprint(merge(s.hits)), fmt.Sprint(merge(want))
		if got != wantSpans {
			t.Fatalf("found %s, want %s", got, wantSpans)
		}
	})
}

// TestLongPeriodicSecretIsRedacted: a 4 KiB credential made of one PIN
// over and over (a near miss of the catalogue) has a key hit at every
// repetition inside its own occurrence; verifying is no slower for it,
// and redaction does not give up.
func TestLongPeriodicSecretIsRedacted(t *testing.T) {
	r := New()
	r.Add("user-pin", "7391")
	long := strings.Repeat("7391", 1025)
	r.Add("credentials", long)
	text := `{"method":"auth","type":"secured","credentials":"` + long + `","role":"user"}`
	if got := r.Redact(text); got != `{"method":"auth","type":"secured","credentials":"[REDACTED:credentials]","role":"user"}` {
		t.Errorf("got %.200q (%s)", got, r.Overflow())
	}
	if got, _ := r.RedactCut(text[:3000], 100); got != `{"method":"auth","type":"secured","credentials":"[REDACTED:credentials]` {
		t.Errorf("cut: got %.200q (%s)", got, r.Overflow())
	}
}

// TestEveryRegistrationHasEncodedForms: hex and base64 (standard, URL, with
// and without padding, at every offset in a longer blob) are forms of
// every secret, not only of the operator's: a token, a PIN read from the
// target, a derived password are all registered with Add.
func TestEveryRegistrationHasEncodedForms(t *testing.T) {
	const tok = "1*Tok>?~en-Issued/By+The_Target*99235446"
	const pin = "739152"
	r := New()
	r.Add("token", tok)
	r.Add("user-pin", pin)
	for _, secret := range []string{tok, pin} {
		for _, tt := range []struct{ name, text string }{
			{"hex", hex.EncodeToString([]byte(secret))},
			{"HEX", strings.ToUpper(hex.EncodeToString([]byte(secret)))},
			{"base64", base64.StdEncoding.EncodeToString([]byte(secret))},
			{"base64url", base64.URLEncoding.EncodeToString([]byte(secret))},
			{"raw base64url", base64.RawURLEncoding.EncodeToString([]byte(secret))},
			{"base64 at offset 1", base64.StdEncoding.EncodeToString([]byte("x" + secret + "yz"))},
			{"base64url at offset 2", base64.RawURLEncoding.EncodeToString([]byte("xy" + secret + "z"))},
		} {
			out := r.Redact("<" + tt.text + ">")
			if !strings.Contains(out, "[REDACTED:") {
				t.Errorf("%s of %q not redacted: %q", tt.name, secret, out)
			}
		}
	}
}

// sharedPrefixAnswer registers the 32 tokens of one answer of the attack
// in issue 16 (16 pairs of tokens sharing a 30 KB prefix each) with r, and
// returns the first 64 KiB of the answer that holds them.
func sharedPrefixAnswer(r *Redactor) string {
	var text strings.Builder
	for range 16 {
		p := randomText(30000)
		for _, tok := range []string{p + "x" + randomText(8), p + "y" + randomText(8)} {
			r.Add("token", tok)
			text.WriteString(`{"token":"` + tok + `","more":`)
		}
	}
	return text.String()[:64<<10]
}

// randomText is n random letters and digits.
func randomText(n int) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	for i := range buf {
		buf[i] = alnum[int(buf[i])%len(alnum)]
	}
	return string(buf)
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestSharedPrefixesOverflowWithinBounds: secrets built to share long
// prefixes in pairs (issue 16: 32 tokens an answer, each pair sharing 30 KB)
// make a node of nearly every byte of the automaton. The bound is on the
// automaton, so the Redactor overflows, withholding every text, long before
// its memory grows: it used to reach gigabytes within a few hundred secrets
// (and 14.6 GB in the issue), far under MaxPatternBytes.
func TestSharedPrefixesOverflowWithinBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds automata of millions of nodes")
	}
	const limit = 1 << 30
	r := New()
	base := heapInUse()
	for answer := 0; !r.Overflowed(); answer++ {
		r.Redact(sharedPrefixAnswer(r)) // builds the automaton, as a transcript read would
		if grown := heapInUse() - base; grown > limit {
			t.Fatalf("after %d answers (%d secrets) the heap grew by %d MiB without an overflow", answer+1, r.Len(), grown>>20)
		}
		if answer > 1000 {
			t.Fatal("no overflow after 1000 answers")
		}
	}
	if got := r.Redact("plain text"); got != Withheld {
		t.Errorf("after the overflow: %q", got)
	}
	if !strings.Contains(r.Overflow(), "automaton") {
		t.Errorf("Overflow() = %q, want the automaton named", r.Overflow())
	}
	t.Logf("overflowed at %d secrets: %s", r.Len(), r.Overflow())
}

// TestOverlappingSecretsOverflowWithinBounds: secrets that are suffixes of
// each other (A, AA, AAA, ...) match, in a periodic text, at every byte
// once each: thousands of matches a byte. Matching stops at its bound on
// work and the text is withheld, instead of collecting every match.
func TestOverlappingSecretsOverflowWithinBounds(t *testing.T) {
	r := New()
	for n := 8; n < 3000; n++ {
		r.Add("token", strings.Repeat("A", n))
	}
	base := heapInUse()
	if got := r.Redact(strings.Repeat("A", 1<<20)); got != Withheld {
		t.Errorf("a periodic text was redacted to %d bytes", len(got))
	}
	if grown := heapInUse() - base; grown > 256<<20 {
		t.Errorf("the heap grew by %d MiB", grown>>20)
	}
	if !r.Overflowed() {
		t.Error("no overflow")
	}
}

// TestOrdinaryTokensFit: MaxSecrets tokens as a conformant target issues
// them, with all their forms, stay far under MaxNodes, and are all found.
func TestOrdinaryTokensFit(t *testing.T) {
	if testing.Short() {
		t.Skip("registers 20000 tokens")
	}
	r := New()
	var toks []string
	for range MaxSecrets {
		tok := randomToken()
		toks = append(toks, tok)
		r.Add("token", tok)
	}
	// The base64 blob holds bytes of its own around the token: what is
	// left of it is theirs alone ("YW" of "ab", "Nk" of "cd").
	probe := toks[MaxSecrets/2] + " " + base64.StdEncoding.EncodeToString([]byte("ab"+toks[7]+"cd"))
	if got := r.Redact(probe); got != "[REDACTED:token] YW[REDACTED:token]Nk" {
		t.Fatalf("got %q (%s)", got, r.Overflow())
	}
	nodes := r.nodes()
	t.Logf("%d tokens: %d nodes", MaxSecrets, nodes)
	if nodes > MaxNodes/4 {
		t.Errorf("%d ordinary tokens need %d nodes, more than a quarter of MaxNodes", MaxSecrets, nodes)
	}
}

// TestRedactCutRedactsASecretRunningPastTheCut: a payload stored cut (a
// 70 KiB token in a frame, of which the transcript keeps the start) still
// has its part of the secret redacted, from where it starts.
func TestRedactCutRedactsASecretRunningPastTheCut(t *testing.T) {
	tok := "1*" + randomText(70<<10)
	r := New()
	r.Add("token", tok)
	whole := `{"method":"auth","token":"` + tok + `"}`
	stored := whole[:8<<10]
	out, n := r.RedactCut(stored, 4<<10)
	if out != `{"method":"auth","token":"[REDACTED:token]` || n != len(stored) {
		t.Errorf("RedactCut = %.80q..., %d", out, n)
	}
	// Without the cut, a prefix is not a secret.
	if out := r.Redact(stored); !strings.Contains(out, tok[:100]) {
		t.Errorf("Redact took a prefix for the secret: %.80q", out)
	}
}

// nodes counts the nodes of every automaton, built or pending.
func (r *Redactor) nodes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.ls.built {
		n += l.nodes()
	}
	if r.ls.pendingL != nil {
		n += r.ls.pendingL.nodes()
	}
	return n
}
