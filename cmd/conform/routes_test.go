package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/reports"
)

// inProcess runs `conform run args...` in this process: the same
// configuration as the binary's (runConfig), conducted by
// conductor.InProcess instead of Ginkgo, so that many whole runs go side
// by side without a process each. env adds KEY=VALUE to a clean
// environment, as conform does for the binary; pass --report-dir.
func inProcess(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r, _ := inProcessRun(t, env, args...)
	return r
}

// inProcessRun is inProcess with the run's result as the conductor
// returned it (what results.json would say, without writing it).
func inProcessRun(t *testing.T, env []string, args ...string) (result, reports.Run) {
	t.Helper()
	return inProcessWith(t, conductor.InProcess{InMemory: true}, env, args...)
}

// inProcessOver is inProcessRun against a live target listening on mem
// (its servers started with Listen: mem.Listen): no socket on either side.
func inProcessOver(t *testing.T, mem *memnet.Network, env []string, args ...string) (result, reports.Run) {
	t.Helper()
	return inProcessWith(t, conductor.InProcess{InMemory: true, Dial: mem.DialContext}, env, args...)
}

// inProcessWith is inProcessRun with the executor exec.
func inProcessWith(t *testing.T, exec conductor.InProcess, env []string, args ...string) (result, reports.Run) {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range append(cleanEnv(), env...) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	getenv := func(k string) string { return vars[k] }
	if len(args) == 0 || args[0] != "run" {
		t.Fatalf("inProcessRun runs `conform run`, not %q", args)
	}
	var out, errOut bytes.Buffer
	start := time.Now()
	run, code := runWith(args[1:], &out, &errOut, getenv, exec)
	return result{code: code, stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}, run
}

// TestEveryRouteWritesTheSameResults: `conform run` (the binary, Ginkgo),
// `go test ./suite` (Ginkgo under go test), `go tool ginkgo ./suite` and
// the in-process executor give the same results.json for the same seed,
// normalised: without what the clock, the ports and the routes' names
// decide (startedAt, durationSeconds, atSeconds, version, the embedded
// server's port), and without the transcripts, whose frames are in the
// order they arrived across connections, which the scheduler decides (two
// runs of one route differ there too). Every verdict, message, finding,
// coverage line and the summary must agree.
func TestEveryRouteWritesTheSameResults(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		// The race stage: two whole runs under the race detector would
		// cost it some fifty seconds; the matrix runs in-process there.
		t.Skip("-short: the plain go test compares the routes")
	}
	const seed = "1796589055451890468"
	base := filepath.Join(t.TempDir(), "binary")
	r := conform(t, matrixSecrets, "run", "--seed", seed, "--report-dir", base)
	if r.code != 0 {
		t.Fatalf("binary: exit %d\n%s", r.code, r.stderr)
	}
	want := normalised(t, filepath.Join(base, "results.json"))
	routes := map[string]func(dir string) (string, error){
		"in-process": func(dir string) (string, error) {
			r := inProcess(t, matrixSecrets, "run", "--seed", seed, "--report-dir", dir)
			if r.code != 0 {
				return r.stderr, os.ErrInvalid
			}
			return "", nil
		},
	}
	env := append(append(cleanEnv(), matrixSecrets...), "CONFORM_SEED="+seed)
	root := moduleRoot(t)
	routes["go test ./suite"] = func(dir string) (string, error) {
		cmd := exec.Command("go", "test", "-count=1", "./suite")
		cmd.Dir, cmd.Env = root, append(env, "CONFORM_REPORT_DIR="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	routes["go tool ginkgo ./suite"] = func(dir string) (string, error) {
		cmd := exec.Command("go", "tool", "ginkgo", "./suite")
		cmd.Dir, cmd.Env = root, append(env, "CONFORM_REPORT_DIR="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for name, run := range routes {
		dir := filepath.Join(t.TempDir(), "route")
		if out, err := run(dir); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
			continue
		}
		got := normalised(t, filepath.Join(dir, "results.json"))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: results.json differs from the binary's:\n%s", name, firstDifference(want, got, ""))
		}
	}
}

var port = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

// normalised reads a results.json without what the clock, the ports, the
// route's name and the arrival order across connections decide.
func normalised(t *testing.T, path string) any {
	t.Helper()
	var v any
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"startedAt", "durationSeconds", "atSeconds", "version", "transcript"} {
				delete(x, k)
			}
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			return port.ReplaceAllString(x, "127.0.0.1:PORT")
		}
		return v
	}
	return walk(v)
}

// firstDifference names the first path at which a and b differ.
func firstDifference(a, b any, at string) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return at + ": an object against " + short(b)
		}
		for k := range x {
			if !reflect.DeepEqual(x[k], y[k]) {
				return firstDifference(x[k], y[k], at+"."+k)
			}
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				return at + "." + k + ": only in the route's"
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return at + ": " + short(a) + " against " + short(b)
		}
		for i := range x {
			if !reflect.DeepEqual(x[i], y[i]) {
				return firstDifference(x[i], y[i], at+"["+itoa(i)+"]")
			}
		}
	}
	return at + ": expected " + short(a) + ", actual " + short(b)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		b = append(b[:300], "..."...)
	}
	return string(b)
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// moduleRoot is the directory of go.mod, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(wd))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s", root)
	}
	return root
}
