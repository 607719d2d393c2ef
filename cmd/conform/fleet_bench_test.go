package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/fleet"
	"github.com/roomconform/conform/refserver"
)

// BenchmarkFleet is the fleet route at scale (issue 22): the default live
// run of the catalogue against reference servers in this process, over
// loopback sockets, every target at once (--parallel N), each with its own
// secrets; and the larger sizes again at the default --parallel.
// targets=1 is the yardstick; the goal for targets=50 is at most three
// times its wall time on two cores, and at most 150 MiB. Reported per
// run: ns/op (the wall time), peak-heap-MiB (Go heap in use, servers
// included), peak-rss-MiB (the process's resident set), peak-fds (open
// files, servers' ends included) and fds/target. CONFORM_BENCH_TARGETS
// adds a size (e.g. 500: docs/performance.md, "Fleets"). Not a test: it
// asserts only that the fleet ran (exit 0), never a time.
//
//	go test -run '^$' -bench BenchmarkFleet -benchtime 3x ./cmd/conform
func BenchmarkFleet(b *testing.B) {
	sizes := []int{1, 50}
	if n, err := strconv.Atoi(os.Getenv("CONFORM_BENCH_TARGETS")); err == nil && n > 0 {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("targets=%d/parallel=%d", n, n), func(b *testing.B) { benchFleet(b, n, n) })
		if n > fleet.DefaultParallel {
			b.Run(fmt.Sprintf("targets=%d/parallel=default", n), func(b *testing.B) { benchFleet(b, n, 0) })
		}
	}
}

// benchFleet runs n targets, parallel at once (0: the default).
func benchFleet(b *testing.B, n, parallel int) {
	var doc strings.Builder
	doc.WriteString("targets:\n")
	vars := map[string]string{}
	for _, kv := range cleanEnv() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	for i := range n {
		name := fmt.Sprintf("room-%03d", i)
		sec := refserver.Secrets{AdminPassword: fmt.Sprintf("Bench%03dAdminPw-Qx", i), UserPIN: fmt.Sprintf("Pk%03dz", i)}
		srv, err := refserver.Start("127.0.0.1:0", refserver.Options{Secrets: sec})
		if err != nil {
			b.Fatalf("start server %d of %d: %v", i+1, n, err)
		}
		b.Cleanup(func() { srv.Close() })
		prefix := fmt.Sprintf("ROOM_%03d", i)
		fmt.Fprintf(&doc, "  - name: %s\n    url: %s\n    web: %s\n    secrets:\n      CONFORM_ADMIN_PASSWORD: %s_PW\n      CONFORM_USER_PIN: %s_PIN\n",
			name, srv.URL, srv.WebURL, prefix, prefix)
		vars[prefix+"_PW"], vars[prefix+"_PIN"] = sec.AdminPassword, sec.UserPIN
	}
	path := filepath.Join(b.TempDir(), "targets.yaml")
	if err := os.WriteFile(path, []byte(doc.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	deps := systemFleet(conductor.InProcess{})
	deps.signals = false
	getenv := getenvOnly(func(k string) string { return vars[k] })
	baseFDs := openFiles()
	var peak peaks
	b.ResetTimer()
	for b.Loop() {
		dir := b.TempDir()
		runtime.GC()
		stop := peak.sample(20 * time.Millisecond)
		var out, errOut bytes.Buffer
		args := []string{"--targets", path, "--report-dir", dir}
		if parallel > 0 {
			args = append(args, "--parallel", strconv.Itoa(parallel))
		}
		code := fleetRun(context.Background(), args, &out, &errOut, getenv, deps)
		stop()
		if code != exitOK {
			b.Fatalf("%d targets: exit %d\n%s\n%s", n, code, lastLines(out.String(), 8), lastLines(errOut.String(), 8))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak.heap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak.rss)/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(peak.fds), "peak-fds")
	b.ReportMetric(float64(peak.fds-baseFDs)/float64(n), "fds/target")
}

// peaks are the highest heap in use, resident set and open files seen.
type peaks struct {
	mu             sync.Mutex
	heap, rss, fds uint64
}

// sample samples every d until the returned func is called.
func (p *peaks) sample(d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			rss, fds := residentSet(), openFiles()
			p.mu.Lock()
			p.heap, p.rss, p.fds = max(p.heap, m.HeapInuse), max(p.rss, rss), max(p.fds, fds)
			p.mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// openFiles counts the process's open files (0 where /proc is not).
func openFiles() uint64 {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return uint64(len(ents))
}

// residentSet is the process's resident set in bytes (0 where /proc is
// not).
func residentSet() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
