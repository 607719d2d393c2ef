package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/roomconform/conform/internal/reconf"
	// A test's runs (and this binary's, run as conform) are brief and their
	// heaps small: collecting less often saves an eighth of their CPU.
	_ "github.com/roomconform/conform/internal/testmain"
)

// The binary's own tests run it as a subprocess (RunSpecs works once per
// process, and the spec tree is global) or in-process without Ginkgo
// (conductor.InProcess). The heavy ones (many runs each) are parallel, also
// with each other (waitingParallelism, onProcessors).
func TestMain(m *testing.M) {
	// The journal's checks of secrets cost a tenth of a second each by
	// design (reconf.CheckCost); these tests journal hundreds of
	// reconfigurations, in this process and in the runs of this binary it
	// starts. A check records its own parameters, so restoring follows them;
	// the real cost has its own test (reconf.TestJournalChecks).
	reconf.CheckCost = reconf.Cost{Time: 1, Memory: 64, Threads: 1}
	if os.Getenv("CONFORM_TEST_RUN_MAIN") == "1" {
		main()
	}
	flag.Parse()
	// Runs keep their recovery journals in the user's state directory:
	// never the developer's own, here (the subprocesses inherit it).
	state, err := os.MkdirTemp("", "conform-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_STATE_HOME", state)
	if !flagSet("test.parallel") {
		// Most tests here wait: on runs of this binary, on response
		// timeouts, lockout windows and lifetimes on the wall clock. At
		// -parallel's default (GOMAXPROCS) a few of them would hold every
		// slot while the processors idle. The tests that only compute
		// (in-process runs on a virtual clock) bound themselves instead
		// (onProcessors).
		_ = flag.Set("test.parallel", strconv.Itoa(waitingParallelism()))
	}
	code := m.Run()
	os.RemoveAll(state)
	os.Exit(code)
}

// waitingParallelism is how many parallel tests run at once unless
// -parallel says otherwise (measured: docs/performance.md). Under the race
// detector a run of the binary computes several times more and waits
// little: twice the processors.
func waitingParallelism() int {
	if raceBuilt {
		return 2 * runtime.GOMAXPROCS(0)
	}
	return 8 * runtime.GOMAXPROCS(0)
}

// onProcessors runs one subtest per item, named by name, at most
// computeSlots at a time across the package: for in-process runs on a
// virtual clock, which compute and never wait. The subtests are not
// parallel ones, so they take none of the slots the waiting tests need; t
// holds one. The bound is the package's, not each test's: the runs on the
// wall clock here (TestRealTimePathNeverFails) wait for the scheduler
// after every answer, and beside twice as many computing runs as
// processors they took three times as long and ended the package last.
func onProcessors[T any](t *testing.T, items []T, name func(T) string, fn func(*testing.T, T)) {
	t.Helper()
	subtests(t, items, name, fn, computeSlots)
}

// computeSlots bounds the computing runs of onProcessors, all tests
// together: one per processor.
var computeSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// allAtOnce runs one subtest per item, named by name, all at once inside
// t's slot: for the few long tests that mostly wait on the wall clock (live
// runs against servers on real lifetimes). As parallel subtests they queued
// for slots behind the computing tests, started a hundred seconds late and
// ended the package last; here they start with it.
func allAtOnce[T any](t *testing.T, items []T, name func(T) string, fn func(*testing.T, T)) {
	t.Helper()
	subtests(t, items, name, fn, nil)
}

// subtests runs one subtest per item, named by name, concurrently (not
// as parallel subtests), at most cap(slots) at a time (nil: all at once).
func subtests[T any](t *testing.T, items []T, name func(T) string, fn func(*testing.T, T), slots chan struct{}) {
	t.Helper()
	var wg sync.WaitGroup
	for _, it := range items {
		if slots != nil {
			slots <- struct{}{}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if slots != nil {
				defer func() { <-slots }()
			}
			t.Run(name(it), func(t *testing.T) { fn(t, it) })
		}()
	}
	wg.Wait()
}

// identity names a subtest by its item.
func identity(s string) string { return s }

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
	dir            string // report directory, when the helper chose it
}

// conform runs the binary with args and extra environment (KEY=VALUE).
func conform(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(cleanEnv(), "CONFORM_TEST_RUN_MAIN=1")
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start), code: ranTo(t, err)}
	raceFree(t, r.stderr)
	return r
}

// shortFirst keeps, under -short (CI's race stage, where each run of the
// race-built binary costs several times its CPU), only the first of
// items, and says so in the log; the plain go test runs them all.
func shortFirst[T any](t *testing.T, items []T) []T {
	t.Helper()
	if testing.Short() && len(items) > 1 {
		t.Logf("-short: the first of %d variations only; the plain go test runs them all", len(items))
		return items[:1]
	}
	return items
}

// ranTo is the exit status of a run (exitCode); one that could not be
// started fails the test.
func ranTo(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run conform: %v", err)
	}
	return exitCode(err)
}

// raceFree fails the test when a run of the binary (built with the test,
// and so with -race when the test is) reported a data race on stderr.
func raceFree(t *testing.T, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "WARNING: DATA RACE") {
		t.Errorf("the race detector found a data race in the run:\n%s", stderr)
	}
}

// cleanEnv drops CONFORM_* from the test's environment so the developer's
// own settings cannot change the outcome.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONFORM_") {
			out = append(out, kv)
		}
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func readJUnit(t *testing.T, path string) reporters.JUnitTestSuites {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(s.TestSuites) != 1 {
		t.Fatalf("%s: %d test suites", path, len(s.TestSuites))
	}
	return s
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
