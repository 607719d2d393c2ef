package refserver_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/internal/testnet"
	"github.com/roomconform/conform/refserver"
)

// generatorConns is how many clients the throughput benchmark runs at once.
const generatorConns = 50

// BenchmarkReauthorize measures the reference server under load: 50
// connections re-authorizing unsecured as user as fast as they can, each
// success displacing the previous holder (an answer and a notification per
// request, two frames). The floor runs the same generator in the same
// process against a bare coder/websocket server that decodes each request
// and writes two frames back (testnet.EchoServer). The two alternate in
// rounds, so that a hiccup of the machine falls on both: x-echo is the
// reference server's rate over the echo server's; last-round is the
// reference server's rate in its last round over its first (flat is 1.0,
// and -benchtime 60s makes the rounds a minute long in all); tokens and
// heap-MiB what it holds at the end (every success leaves an API token
// that lives 30 days, so a long run fills the store to its bound)
// (docs/performance.md).
func BenchmarkReauthorize(b *testing.B) {
	p, _ := refserver.LookupProfile("unsecured")
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{Profile: p})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	echo := testnet.EchoServer(b, 2)
	const rounds = 4
	per := max(1, b.N/rounds) // b.N requests in all (less the rest of the division)
	var ref, floor []load
	b.ResetTimer()
	for range rounds {
		ref = append(ref, generate(b, srv.URL, per))
		b.StopTimer()
		floor = append(floor, generate(b, echo, per))
		b.StartTimer()
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	refRate, floorRate := rateOf(ref), rateOf(floor)
	b.ReportMetric(refRate, "req/s")
	b.ReportMetric(floorRate, "echo-req/s")
	b.ReportMetric(refRate/floorRate, "x-echo")
	b.ReportMetric(ref[rounds-1].rate()/ref[0].rate(), "last-round")
	b.ReportMetric(float64(srv.Server.Stats().Tokens), "tokens")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}

// rateOf is the rate over several loads together.
func rateOf(ls []load) float64 {
	var n int
	var d time.Duration
	for _, l := range ls {
		n += len(l.done)
		d += l.done[len(l.done)-1]
	}
	return float64(n) / d.Seconds()
}

// load is what one run of the generator saw: when each request was answered.
type load struct {
	start time.Time
	done  []time.Duration // sorted: the moment each answer came, since start
}

func (l load) rate() float64 {
	if len(l.done) == 0 {
		return 0
	}
	return float64(len(l.done)) / l.done[len(l.done)-1].Seconds()
}

// generate sends n auth requests over generatorConns connections to url,
// each waiting for the answer that carries its requestId (skipping
// notifications and any other frame), and returns when each came.
func generate(b *testing.B, url string, n int) load {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var next atomic.Int64
	var tmu sync.Mutex
	l := load{done: make([]time.Duration, 0, n)}
	conns := make([]*websocket.Conn, generatorConns)
	for i := range conns {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		conns[i] = c
	}
	l.start = time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, generatorConns)
	for _, c := range conns {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				id := strconv.FormatInt(i, 10)
				req := []byte(`{"method":"auth","requestId":"` + id + `","type":"unsecured","role":"user"}`)
				if err := c.Write(ctx, websocket.MessageText, req); err != nil {
					errs <- err
					return
				}
				want := []byte(`"requestId":"` + id + `"`)
				for {
					_, m, err := c.Read(ctx)
					if err != nil {
						errs <- fmt.Errorf("read: %w", err)
						return
					}
					if bytes.Contains(m, want) {
						break
					}
				}
				d := time.Since(l.start)
				tmu.Lock()
				l.done = append(l.done, d)
				tmu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	slices.Sort(l.done)
	return l
}
