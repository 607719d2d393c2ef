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
