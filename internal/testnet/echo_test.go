package testnet

import (
	"context"
	"testing"
)

// BenchmarkFloor is the floor itself: one connection of one JSON round trip
// against EchoServer (dial, request, answer, close handshake).
func BenchmarkFloor(b *testing.B) {
	url := EchoServer(b, 1)
	req := []byte(`{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`)
	for b.Loop() {
		if err := Exchange(context.Background(), url, req, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func TestExchangeAgainstEchoServer(t *testing.T) {
	url := EchoServer(t, 2)
	if err := Exchange(context.Background(), url, []byte(`{"a":1}`), 3); err != nil {
		t.Fatal(err)
	}
	f := MeasureFloor(t, 5)
	if f.Connection <= 0 || f.Of(2, 5) != 2*f.Connection+3*f.RoundTrip {
		t.Fatalf("floor %+v", f)
	}
}
