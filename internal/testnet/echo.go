package testnet

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// EchoServer starts a bare coder/websocket server on loopback: it decodes
// every text frame as a JSON object and writes it back re-encoded; with
// frames > 1 it also writes frames-1 copies to the connection that sent the
// request before (to the sender itself when there is none), as a server
// that displaces the previous holder of a mode tells it. It is the floor
// the reference server and the suite are measured against: the same
// library, the same JSON work, the same frames to the same places, nothing
// else. It returns the ws:// URL.
func EchoServer(tb TB, frames int) string {
	tb.Helper()
	var mu sync.Mutex
	var last *websocket.Conn // the connection that sent the request before
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer func() {
			mu.Lock()
			if last == ws {
				last = nil
			}
			mu.Unlock()
			ws.CloseNow()
		}()
		for {
			_, b, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(b, &m) != nil {
				return
			}
			out, _ := json.Marshal(m)
			mu.Lock()
			other := last
			last = ws
			mu.Unlock()
			if other == nil {
				other = ws
			}
			for range frames - 1 {
				_ = other.Write(r.Context(), websocket.MessageText, out)
			}
			if ws.Write(r.Context(), websocket.MessageText, out) != nil {
				return
			}
		}
	}))
	tb.Cleanup(srv.Close)
	return "ws" + srv.URL[len("http"):]
}

// Exchange dials url, sends req, reads one answer, sends extra requests
// and reads one answer to each, and closes with the close handshake: the
// least a case's connection can cost.
func Exchange(ctx context.Context, url string, req []byte, extra int) error {
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return fmt.Errorf("dial %s: %w", url, err)
	}
	defer ws.CloseNow()
	for range 1 + extra {
		if err := ws.Write(ctx, websocket.MessageText, req); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if _, _, err := ws.Read(ctx); err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
	return ws.Close(websocket.StatusNormalClosure, "")
}

// Floor is the network floor on this machine at this moment, measured
// against an EchoServer.
type Floor struct {
	Connection time.Duration // dial, one JSON round trip, close
	RoundTrip  time.Duration // one more JSON round trip on an open connection
}

// Of returns the floor of conns connections carrying msgs messages in all.
func (f Floor) Of(conns, msgs uint64) time.Duration {
	extra := uint64(0)
	if msgs > conns {
		extra = msgs - conns
	}
	return time.Duration(conns)*f.Connection + time.Duration(extra)*f.RoundTrip
}

// MeasureFloor measures the floor: the median of n connections of one
// exchange each, and of n connections of 11 exchanges each, against a
// fresh EchoServer. Medians, so that a hiccup of the machine does not move
// the ratio a benchmark reports.
func MeasureFloor(tb TB, n int) Floor {
	tb.Helper()
	url := EchoServer(tb, 1)
	req := []byte(`{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`)
	ctx := context.Background()
	median := func(extra int) time.Duration {
		ds := make([]time.Duration, n)
		for i := range ds {
			start := time.Now()
			if err := Exchange(ctx, url, req, extra); err != nil {
				tb.Fatal(err)
			}
			ds[i] = time.Since(start)
		}
		slices.Sort(ds)
		return ds[n/2]
	}
	one := median(0)
	eleven := median(10)
	rt := max(0, (eleven-one)/10)
	return Floor{Connection: one, RoundTrip: rt}
}
