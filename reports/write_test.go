package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
)

func sample() Run {
	r := Run{Schema: Schema, Tool: "conform", Version: "test", StartedAt: time.Unix(0, 0), Duration: 1.5,
		Target: Target{URL: "ws://127.0.0.1:1/"}, Profile: Profile{Admin: "password", User: "pin", Plan: "pro", Source: "getAuthInfo"}}
	for _, v := range []string{Pass, Fail, Warn, Skip, Error} {
		r.Cases = append(r.Cases, Case{
			ID: strings.ToLower(v) + "-case", Title: "title <&> " + v, Group: "RC", Verdict: v,
			Requirements: []Requirement{{ID: "RC-8", Level: "MUST"}},
			Message:      "message of " + v + " secret-xyz",
			Findings:     []Finding{{Requirement: "RC-8", Level: "MUST", Check: "resultCode", Expected: "8", Actual: "4"}},
			Transcript:   []Frame{{Conn: "a", Dir: "send", Kind: "text", Payload: `{"credentials":"secret-xyz"}`}},
		})
	}
	r.Tally()
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
	r.Tally()
	if r.Summary.ExitCode != ExitConformant {
		t.Errorf("a single PASS: %+v", r.Summary)
	}
	r.Interrupted = "Interrupted by User"
	r.Tally()
	if r.Summary.ExitCode != ExitNotConformant {
		t.Errorf("interrupted run: %+v", r.Summary)
	}
	r.Interrupted = ""
	r.Cases = append(r.Cases, Case{Verdict: Error})
	r.Tally()
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
	if err := WriteAll(r, files, replacer{"7391", "[REDACTED:pin]"}); err != nil {
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

func TestWriteAllRedactsAndRoundTrips(t *testing.T) {
	dir := t.TempDir()
	files := DefaultFiles(filepath.Join(dir, "nested"))
	if err := WriteAll(sample(), files, replacer{"secret-xyz", "[REDACTED]"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{files.JUnit, files.JSON} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("secret-xyz")) {
			t.Errorf("%s contains the secret", p)
		}
	}
	var back Run
	b, _ := os.ReadFile(files.JSON)
	if err := json.Unmarshal(b, &back); err != nil || len(back.Cases) != 5 || back.Schema != Schema {
		t.Fatalf("results.json does not round-trip: %v", err)
	}
}

func TestWriteAllReportsUnwritablePath(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteAll(sample(), DefaultFiles(filepath.Join(blocker, "sub")), nil)
	if err == nil || !strings.Contains(err.Error(), "junit.xml") || !strings.Contains(err.Error(), "results.json") {
		t.Fatalf("want an error naming both files, got %v", err)
	}
}
