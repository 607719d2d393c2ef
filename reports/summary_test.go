package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSummaryMarkdown(t *testing.T) {
	r := gated()
	r.Cases[1].Findings[0].Actual = "9, actual ``x` | @here [link](http://evil.example)\nsecond line"
	r.Observed = ObservedAnswers(3, 3)
	b, err := SummaryMarkdown(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"## ❌ conform: not conformant", "| 1 | 1 |", "MUST requirements checked", "`stale-case`", "known failure: known (https://tracker.example/1)",
		"requirements unchecked (--require complete: this fails the run)", "### What did not pass: 3 causes, largest first",
		"- **ERROR** `message of ERROR secret-xyz`: **1 case**\n  - example `error-case` · `conform explain error-case` · `conform run --target ws://127.0.0.1:1/ --case error-case`",
		"--legacy judges it"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// The target's text is one code span on the cause's line.
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "@here") {
			if !strings.HasPrefix(line, "- **FAIL RC-8** (MUST) `resultCode`: expected `8`, actual ") ||
				!strings.Contains(line, "```9, actual ``x` ¦ @here [link](http://evil.example)\\nsecond line```: **1 case**") {
				t.Errorf("hostile text escapes its code span: %s", line)
			}
		}
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{"a": "`a`", "a`b": "``a`b``", "`a": "`` `a ``", "a|b\nc": "`a¦b c`", "": ""} {
		if got := code(in); got != want {
			t.Errorf("code(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFilesCheckComparesFiles: two report flags naming one file however it
// is spelt (a link, a relative path, "-" twice) are a usage error.
func TestFilesCheckComparesFiles(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "r.json")
	if err := os.WriteFile(real, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for name, f := range map[string]Files{
		"link":     {JSON: real, HTML: link},
		"relative": {JUnit: "r.json", Summary: real},
		"stdout":   {JSON: Stdout, JUnit: Stdout},
		"new file": {JSON: "new.json", HTML: filepath.Join(dir, "new.json")},
	} {
		if err := f.Check(); err == nil {
			t.Errorf("%s: %+v accepted", name, f)
		}
	}
	if err := (Files{JSON: Stdout, JUnit: real, HTML: "", Summary: "s.md"}).Check(); err != nil {
		t.Errorf("distinct files refused: %v", err)
	}
}

// TestLeftOutAreNamed: the cases the wrong-credential budget left out are
// named, each, in summary.md and report.html, and a paced run says
// whether it was complete.
func TestLeftOutAreNamed(t *testing.T) {
	r := gated()
	r.NotRun = []string{"rc-8-near-user-pin-prefix", "rc-8-near-admin-token-nul"}
	r.Pace = &Pace{Attempts: 5, WindowSeconds: 900, PerWindow: 3, Windows: 4}
	both := pages(t, r)
	md, page := both["summary.md"], both["report.html"]
	for name, b := range both {
		for _, id := range r.NotRun {
			if !strings.Contains(b, id) {
				t.Errorf("%s does not name %s, left out:\n%s", name, id, b)
			}
		}
	}
	if !strings.Contains(page, "partial: at most 3 wrong credentials") || !strings.Contains(md, "**Paced:** partial") {
		t.Errorf("report.html or summary.md does not say the paced run was partial")
	}
}

// pages are r's summary.md and report.html, by name.
func pages(t *testing.T, r Run) map[string]string {
	t.Helper()
	md, err := SummaryMarkdown(r)
	if err != nil {
		t.Fatal(err)
	}
	page, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"summary.md": string(md), "report.html": string(page)}
}
