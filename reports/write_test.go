package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

func sample() Run {
	r := Run{Schema: Schema, Tool: "conform", Version: "test", StartedAt: time.Unix(0, 0), Duration: 1.5,
		Target: Target{URL: "ws://127.0.0.1:1/"}, Profile: Profile{Admin: "password", User: "pin", Plan: "pro", Source: "getAuthInfo"}}
	for _, v := range []caselang.Verdict{caselang.Pass, caselang.Fail, caselang.Warn, caselang.Skip, caselang.Error} {
		r.Cases = append(r.Cases, Case{
			ID: strings.ToLower(string(v)) + "-case", Title: "title <&> " + string(v), Group: "RC", Verdict: v,
			Requirements: []Requirement{{ID: "RC-8", Level: "MUST"}},
			Message:      "message of " + string(v) + " secret-xyz",
			Findings:     FindingsOf([]caselang.Finding{{Requirement: "RC-8", Level: "MUST", Check: "resultCode", Expected: "8", Actual: "4"}}),
			Transcript:   []Frame{{Conn: "a", Dir: "send", Kind: "text", Payload: `{"credentials":"secret-xyz"}`}},
		})
	}
	r.Tally(cases.Catalogue())
	return r
}

func TestJUnit(t *testing.T) {
	b, err := JUnit(sample())
	if err != nil {
		t.Fatal(err)
	}
	var s reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &s); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	ts := s.TestSuites[0]
	if ts.Tests != 5 || ts.Failures != 1 || ts.Errors != 1 || ts.Skipped != 1 {
		t.Errorf("counts tests=%d failures=%d errors=%d skipped=%d", ts.Tests, ts.Failures, ts.Errors, ts.Skipped)
	}
	byName := map[string]reporters.JUnitTestCase{}
	for _, tc := range ts.TestCases {
		byName[strings.Fields(tc.Name)[0]] = tc
		if tc.Classname != "RC" {
			t.Errorf("%s: classname %q", tc.Name, tc.Classname)
		}
	}
	if f := byName["fail-case"].Failure; f == nil || !strings.Contains(byName["fail-case"].SystemOut, "expected 8, actual 4") {
		t.Errorf("failure without findings: %+v", byName["fail-case"])
	}
	if byName["error-case"].Error == nil || byName["skip-case"].Skipped == nil || byName["skip-case"].Skipped.Message == "" {
		t.Error("error or skip not mapped")
	}
	if w := byName["warn-case"]; w.Failure != nil || !strings.Contains(w.SystemOut, "WARN") {
		t.Errorf("a WARN must pass with its findings shown: %+v", w)
	}
	if byName["pass-case"].SystemOut != "" {
		t.Error("a PASS carries system-out")
	}
}

func TestTally(t *testing.T) {
	r := sample()
	if r.Summary.ExitCode != ExitNotConformant || r.Summary.Fail != 1 {
		t.Errorf("summary %+v", r.Summary)
	}
	r.Cases = r.Cases[:1]
	r.Tally(cases.Catalogue())
	if r.Summary.ExitCode != ExitConformant {
		t.Errorf("a single PASS: %+v", r.Summary)
	}
	r.Interrupted = "Interrupted by User"
	r.Tally(cases.Catalogue())
	if r.Summary.ExitCode != ExitNotConformant {
		t.Errorf("interrupted run: %+v", r.Summary)
	}
	r.Interrupted = ""
	r.Cases = append(r.Cases, Case{Verdict: caselang.Error})
	r.Tally(cases.Catalogue())
	if r.Summary.ExitCode != ExitUnreachable {
		t.Errorf("errors only: %+v", r.Summary)
	}
}

type replacer struct{ old, new string }

func (r replacer) Redact(s string) string { return strings.ReplaceAll(s, r.old, r.new) }

// TestRedactionKeepsDocumentsWellFormed: a short secret that also occurs in
// a number must not break the JSON (it did when bytes were redacted).
func TestRedactionKeepsDocumentsWellFormed(t *testing.T) {
	r := sample()
	r.Duration = 0.7391
	r.Cases[0].Transcript[0].At = 1.7391
	r.Cases[0].Message = "pin 7391"
	dir := t.TempDir()
	files := DefaultFiles(dir)
	if err := WriteAll(context.Background(), r.Redacted(replacer{"7391", "[REDACTED:pin]"}.Redact), files); err != nil {
		t.Fatal(err)
	}
	var back Run
	b, _ := os.ReadFile(files.JSON)
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("results.json broken by redaction: %v", err)
	}
	if back.Cases[0].Message != "pin [REDACTED:pin]" || back.Duration != 0.7391 {
		t.Errorf("message %q duration %v", back.Cases[0].Message, back.Duration)
	}
	if r.Cases[0].Message != "pin 7391" {
		t.Error("Redacted changed the caller's Run")
	}
}

// TestRedactionNeverTouchesVerdicts: a target whose token is "FAIL" (or
// "auth", or a requirement ID) cannot rewrite the verdicts, IDs, levels or
// counts of a report (issue 7: a token FAIL once gave failures="0").
func TestRedactionNeverTouchesVerdicts(t *testing.T) {
	r := sample()
	for _, secret := range []string{"FAIL", "fail", "RC-8", "MUST", "auth", "case", "conform"} {
		red := r.Redacted(replacer{secret, "[REDACTED:token]"}.Redact)
		b, err := JUnit(red)
		if err != nil {
			t.Fatal(err)
		}
		var s reporters.JUnitTestSuites
		if err := xml.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		ts := s.TestSuites[0]
		if ts.Failures != 1 || ts.Errors != 1 || ts.Skipped != 1 || ts.Tests != 5 {
			t.Errorf("token %q changed the counts: %+v", secret, ts)
		}
		for i, c := range red.Cases {
			orig := r.Cases[i]
			if c.Verdict != orig.Verdict || c.ID != orig.ID || c.Requirements[0] != orig.Requirements[0] || c.Group != orig.Group || c.Findings[0].Requirement != "RC-8" || c.Findings[0].Level != "MUST" {
				t.Errorf("token %q rewrote the structure of %s: %+v", secret, orig.ID, c)
			}
		}
		// The verdict's reasons are free text, redacted; the rest is structure.
		got, want := red.Summary, r.Summary
		got.Why, want.Why = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("token %q changed the summary: %+v", secret, red.Summary)
		}
	}
}

func TestWriteAllRoundTrips(t *testing.T) {
	dir := t.TempDir()
	files := DefaultFiles(filepath.Join(dir, "nested"))
	if err := WriteAll(context.Background(), sample().Redacted(replacer{"secret-xyz", "[REDACTED]"}.Redact), files); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(files.JUnit)
	if err != nil || !bytes.Contains(b, []byte("<testsuites")) {
		t.Fatalf("junit.xml: %v %.100q", err, b)
	}
	var back Run
	b, _ = os.ReadFile(files.JSON)
	if err := json.Unmarshal(b, &back); err != nil || len(back.Cases) != 5 || back.Schema != Schema {
		t.Fatalf("results.json does not round-trip: %v", err)
	}
	if strings.Contains(back.Cases[0].Message, "secret-xyz") {
		t.Error("the message was not redacted")
	}
}

func TestWriteAllReportsUnwritablePath(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteAll(context.Background(), sample(), DefaultFiles(filepath.Join(blocker, "sub")))
	if err == nil || !strings.Contains(err.Error(), "junit.xml") || !strings.Contains(err.Error(), "results.json") {
		t.Fatalf("want an error naming both files, got %v", err)
	}
}

// TestReportIntoFIFO: a FIFO given as a report path is written into, not
// replaced by a regular file; without a reader the wait is bounded.
func TestReportIntoFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "junit.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close() // before the test goes on: an open reader would take the next write
		got <- b
	}()
	if err := WriteAll(context.Background(), sample(), Files{JUnit: fifo}); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Contains(b, []byte("<testsuites")) {
		t.Errorf("the reader got %q", b)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}

	// Nobody reads: the run's deadline bounds the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := WriteAll(ctx, sample(), Files{JUnit: fifo})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("a FIFO without reader: err %v after %v", err, time.Since(start))
	}
}

// TestReportThroughSymlink: a link is followed, and stays a link.
func TestReportThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.xml")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.xml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(context.Background(), sample(), Files{JUnit: link}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(real); !bytes.Contains(b, []byte("<testsuites")) {
		t.Errorf("the linked file holds %q", b)
	}
}

// TestReportIntoDevice: a device node (here /dev/null) is written into,
// never replaced.
func TestReportIntoDevice(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	if err := WriteAll(context.Background(), sample(), Files{JSON: "/dev/null"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is not a device any more: %v", err)
	}
}

func TestSamePathForBothReports(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.xml")
	if err := (Files{JUnit: p, JSON: filepath.Join(dir, ".", "r.xml")}).Check(); err == nil {
		t.Error("the same path twice is not caught")
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "l.json")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if err := (Files{JUnit: p, JSON: link}).Check(); err == nil {
		t.Error("a link to the other report is not caught")
	}
	if err := DefaultFiles(dir).Check(); err != nil {
		t.Errorf("the default files clash: %v", err)
	}
}

// TestReportThroughDanglingLink: a link to a file that does not exist yet
// is followed; the file is created and the link stays.
func TestReportThroughDanglingLink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("later/real.json", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteAll(context.Background(), sample(), Files{JSON: link}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "later", "real.json")); err != nil {
		t.Errorf("the linked file was not created: %v", err)
	}
}
