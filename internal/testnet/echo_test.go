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
	f := Floor{Connection: 3, RoundTrip: 1}
	if got := f.Of(2, 5); got != 2*3+3*1 {
		t.Fatalf("floor of 2 connections and 5 messages: %v", got)
	}
	if got := f.Of(4, 2); got != 4*3 {
		t.Fatalf("floor of 4 connections and 2 messages: %v", got)
	}
}
