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
// and writes two frames back (testnet.EchoServer): x-echo is the reference
// server's rate over the echo server's. first-tenth and last-tenth are the
// reference server's rates over the first and the last tenth of its
// requests (flat is 1.0); tokens and heap-MiB what it holds at the end
// (every success leaves a live API token for 30 days, so a long run fills
// the store to its bound) (docs/performance.md).
func BenchmarkReauthorize(b *testing.B) {
	p, _ := refserver.LookupProfile("unsecured")
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{Profile: p})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	echo := testnet.EchoServer(b, 2)
	n := b.N
	b.ResetTimer()
	ref := generate(b, srv.URL, n)
	b.StopTimer()
	floor := generate(b, echo, n)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(ref.rate(), "req/s")
	b.ReportMetric(floor.rate(), "echo-req/s")
	b.ReportMetric(ref.rate()/floor.rate(), "x-echo")
	b.ReportMetric(ref.tenth(0)/ref.rate(), "first-tenth")
	b.ReportMetric(ref.tenth(9)/ref.rate(), "last-tenth")
	b.ReportMetric(float64(srv.Server.Stats().Tokens), "tokens")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
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

// tenth is the rate over the i-th tenth of the answers.
func (l load) tenth(i int) float64 {
	n := len(l.done)
	lo, hi := i*n/10, (i+1)*n/10-1
	if hi <= lo {
		return l.rate()
	}
	var from time.Duration
	if lo > 0 {
		from = l.done[lo-1]
	}
	return float64(hi-lo+1) / (l.done[hi] - from).Seconds()
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
