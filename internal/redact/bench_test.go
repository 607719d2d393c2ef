package redact

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkRedact measures redaction per KiB of transcript-like text with
// 10 and with 10 000 registered secrets: the cost must not grow with the
// number of secrets (docs/performance.md records the figures).
func BenchmarkRedact(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			r := New()
			var toks []string
			for range n {
				t := randomToken()
				toks = append(toks, t)
				r.Add("token", t)
			}
			// A KiB of JSON frames, one carrying a registered token.
			frame := `{"method":"auth","requestId":"rc-8/1","type":"secured","credentials":"` + toks[n/2] + `","role":"user"}` + "\n"
			text := strings.Repeat(`{"method":"auth","requestId":"x","result":false,"resultCode":8,"error":"Incorrect credentials"}`+"\n", 12)
			text = (frame + text)[:1024]
			r.Redact(text) // build the pending automaton once
			b.SetBytes(int64(len(text)))
			b.ResetTimer()
			for b.Loop() {
				r.Redact(text)
			}
		})
	}
}

func randomToken() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	for i := range buf {
		buf[i] = alnum[int(buf[i])%len(alnum)]
	}
	return "1*" + string(buf) + "*99235446*4145443734323733424642364342343533393737393543374636333936383238"
}

// BenchmarkRedactLongPrefixes measures redaction of 64 KiB holding two of n
// secrets that all share a 30 KB prefix (the automaton holds the prefix
// once), and reports the automaton's nodes and the live heap.
func BenchmarkRedactLongPrefixes(b *testing.B) {
	for _, n := range []int{16, 128} {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			base := heapInUse()
			r := New()
			prefix := randomText(30000)
			var toks []string
			for range n {
				tok := prefix + randomText(16)
				toks = append(toks, tok)
				r.Add("token", tok)
			}
			text := (`{"token":"` + toks[n/3] + `","other":"` + toks[n/2] + `","x":"` + strings.Repeat("y", 64<<10))[:64<<10]
			if out := r.Redact(text); strings.Contains(out, prefix[:64]) || r.Overflowed() {
				b.Fatalf("not redacted: %.100q (%s)", out, r.Overflow())
			}
			heap := float64(heapInUse()-base) / (1 << 20)
			b.SetBytes(int64(len(text)))
			b.ResetTimer()
			for b.Loop() {
				r.Redact(text)
			}
			b.ReportMetric(float64(r.nodes()), "nodes")
			b.ReportMetric(heap, "heap-MiB")
		})
	}
}

// BenchmarkOverflowSharedPrefixes runs the attack of issue 16 (answers of 32
// tokens, each pair sharing a fresh 30 KB prefix, a 64 KiB excerpt of each
// answer redacted) until the Redactor overflows, and reports the secrets
// it took and the largest live heap seen after an answer.
func BenchmarkOverflowSharedPrefixes(b *testing.B) {
	var peak uint64
	secrets := 0
	for b.Loop() {
		base := heapInUse()
		r := New()
		for !r.Overflowed() {
			r.Redact(sharedPrefixAnswer(r))
			peak = max(peak, heapInUse()-base)
		}
		secrets = r.Len()
	}
	b.ReportMetric(float64(secrets), "secrets")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
