package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// Issue 16, finding 8: a target's tokens and text must not rewrite the
// console's words, and the reports must say the exit code the process
// ends with.

// tokensNamed is a relay in front of srv that replaces every token the
// server issues by word, word2, word3... and maps them back in the
// credentials the client sends.
func tokensNamed(t *testing.T, srv *refserver.Running, word string) string {
	t.Helper()
	var mu sync.Mutex
	real := map[string]string{}
	n := 0
	return relay(t, srv.URL,
		func(msg []byte) [][]byte {
			var m map[string]any
			if json.Unmarshal(msg, &m) != nil {
				return [][]byte{msg}
			}
			for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
				if v, ok := m[k].(string); ok && v != "" {
					mu.Lock()
					n++
					fake := word
					if n > 1 {
						fake = fmt.Sprintf("%s%d", word, n)
					}
					real[fake] = v
					mu.Unlock()
					m[k] = fake
				}
			}
			b, _ := json.Marshal(m)
			return [][]byte{b}
		},
		func(msg []byte) []byte {
			var m map[string]any
			if json.Unmarshal(msg, &m) != nil {
				return msg
			}
			if c, ok := m["credentials"].(string); ok {
				mu.Lock()
				if v, ok := real[c]; ok {
					m["credentials"] = v
				}
				mu.Unlock()
			}
			b, _ := json.Marshal(m)
			return b
		})
}

// TestTokensNamedLikeConsoleWordsEraseNothing: a token equal to a word of
// the console's verdict line ("fail", shorter than 8 bytes; "conformant",
// longer) leaves that line as the run's tally says it, and a short token
// is still redacted where it stands as a value.
func TestTokensNamedLikeConsoleWordsEraseNothing(t *testing.T) {
	t.Parallel()
	for _, word := range []string{"fail", "conformant"} {
		t.Run(word, func(t *testing.T) {
			t.Parallel()
			srv, env := referenceServer(t, refserver.Options{})
			target := tokensNamed(t, srv, word)
			dir := t.TempDir()
			r := conform(t, env, "run", "--target", target, "--report-dir", dir, "--response-timeout", "2s", "--label-filter", "smoke")
			var res reports.Run
			readJSON(t, filepath.Join(dir, "results.json"), &res)
			s := res.Summary
			want := fmt.Sprintf("result: %s: %d pass, %d fail, %d warn, %d skip, %d error", s.Qualified(), s.Pass, s.Fail, s.Warn, s.Skip, s.Error)
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the verdict line is not %q:\n%s", want, r.stdout)
			}
			causes := res.Causes()
			if len(causes) == 0 && s.Fail > 0 {
				t.Errorf("%d cases failed, and no cause", s.Fail)
			}
			for _, c := range causes[:min(len(causes), 5)] { // the quiet console's
				// Lines of the redacting console: a short token ("fail")
				// is no longer redacted in free text.
				if line := fmt.Sprintf("\n%-5s %s (%s) %s: ", c.Verdict, c.Requirement, c.Level, c.Check); c.Requirement != "" && !strings.Contains(r.stdout, line) {
					t.Errorf("the summary line %q of a cause is not there:\n%s", line, r.stdout)
				}
			}
			if r.code != s.ExitCode {
				t.Errorf("exit %d, results.json says %d", r.code, s.ExitCode)
			}
			b := readFile(t, filepath.Join(dir, "results.json"))
			if regexp.MustCompile(`\\"token\\":\\"`+word+`\d*\\"`).MatchString(b) || strings.Contains(b, `"token":"`+word) {
				t.Errorf("a token %q is not redacted as a value in results.json", word)
			}
		})
	}
}

// TestRedactionOverflowReportsExit3: when the target floods tokens after a
// case failed, the process ends with exit 3 (its text withheld) and every
// report says exit 3 too, not the FAIL's 1.
func TestRedactionOverflowReportsExit3(t *testing.T) {
	t.Parallel()
	srv, env := referenceServer(t, refserver.Options{Faults: []string{"type-not-validated"}})
	var n atomic.Int64
	var failed atomic.Bool
	target := relay(t, srv.URL, func(msg []byte) [][]byte {
		if !failed.Load() {
			// The flood starts once the fault's answer (rc-10 FAILs on it)
			// has gone through.
			failed.Store(strings.Contains(string(msg), "Missing credentials"))
			return [][]byte{msg}
		}
		flood := map[string]any{}
		for i := 0; i < 5000; i++ {
			flood[fmt.Sprintf("t%d", i)] = map[string]string{"token": fmt.Sprintf("FloodTok-%08d", n.Add(1))}
		}
		return [][]byte{withField(msg, "extra", flood)}
	}, nil)
	dir := t.TempDir()
	r := conform(t, env, "run", "--target", target, "--report-dir", dir, "--response-timeout", "2s", "--timeout", "60s",
		"--case", "rc-10-type-open", "--case", "rc-11-no-type-no-role", "--case", "env-1-exactly-one-response")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3 (the redaction overflowed)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if res.Summary.Fail == 0 {
		t.Fatalf("no case failed before the flood: the test no longer shows a FAIL's exit 1 replaced (%+v)", res.Summary)
	}
	if res.Summary.ExitCode != 3 {
		t.Errorf("results.json says exit %d (%s), the process exited 3", res.Summary.ExitCode, res.Summary.Verdict)
	}
	junit := readFile(t, filepath.Join(dir, "junit.xml"))
	if !strings.Contains(junit, `name="exitCode" value="3"`) {
		t.Errorf("junit.xml does not say exit 3")
	}
	if summary := readFile(t, filepath.Join(dir, "summary.md")); strings.Contains(summary, "❌") || !strings.Contains(summary, "⚠️") {
		t.Errorf("summary.md does not show an infrastructure error:\n%s", firstLines(summary, 3))
	}
}

// TestTargetNewlinesPrintNoLineOfTheirOwn: a newline a target puts in a
// method name, which the preflight's error quotes, is shown escaped on the
// line it belongs to: it never prints a "result: conformant" line of the
// target's own, on stdout or stderr. (The console's own lines, the
// restore error's among them, are held to the same in internal/console.)
func TestTargetNewlinesPrintNoLineOfTheirOwn(t *testing.T) {
	t.Parallel()
	const forged = "\nresult: conformant: 99 pass, 0 fail, 0 warn, 0 skip, 0 error (99 cases) in 1.00s\n"
	for name, rewrite := range map[string]func(m map[string]any){
		"method": func(m map[string]any) { delete(m, "resultCode"); m["method"] = "auth" + forged },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, env := referenceServer(t, refserver.Options{})
			target := relay(t, srv.URL, func(msg []byte) [][]byte {
				var m map[string]any
				if json.Unmarshal(msg, &m) != nil {
					return [][]byte{msg}
				}
				rewrite(m)
				b, _ := json.Marshal(m)
				return [][]byte{b}
			}, nil)
			dir := t.TempDir()
			r := conform(t, env, "run", "--target", target, "--report-dir", dir, "--response-timeout", "2s", "--label-filter", "smoke", "-vv")
			for where, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				for _, l := range strings.Split(out, "\n") {
					if strings.HasPrefix(strings.TrimSpace(l), "result: conformant: 99") {
						t.Errorf("the target printed a line of its own on %s: %q\n%s", where, l, out)
					}
				}
			}
			if !strings.Contains(r.stdout+r.stderr, `\nresult: conformant: 99`) {
				t.Errorf("the target's text is not shown escaped (exit %d): the test no longer sends it through\n%s\n%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestUnwritableReportReportsExit3: a report that cannot be written makes
// the run exit 3, and the reports that could be written say exit 3 too,
// results.json streamed to stdout (once) included.
func TestUnwritableReportReportsExit3(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A directory where the report's file would go is found only when the
	// report is written (a directory the run cannot write in is a usage
	// error before it starts: TestAnUnwritableDirectoryFailsBeforeTheTargetIsDialled).
	aDir := filepath.Join(dir, "report.html")
	if err := os.Mkdir(aDir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := conform(t, nil, "run", "--case", "rc-7-empty-credentials", "--report-dir", dir,
		"--html-report", aDir, "--json")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var res reports.Run
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("stdout is not results.json: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("stdout holds more than one document:\n%s", r.stdout)
	}
	if res.Summary.ExitCode != 3 {
		t.Errorf("results.json says exit %d (%s), the process exited 3", res.Summary.ExitCode, res.Summary.Verdict)
	}
	if junit := readFile(t, filepath.Join(dir, "junit.xml")); !strings.Contains(junit, `name="exitCode" value="3"`) {
		t.Errorf("junit.xml does not say exit 3")
	}
}
