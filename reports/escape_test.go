package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// Issue 16, finding 8: what a target (or an operator's baseline) writes
// reaches no report raw.

// TestJSONEscapesC1AndBidi: results.json (also --json on a terminal) has no
// C1 control or bidirectional override raw, and still says the same.
func TestJSONEscapesC1AndBidi(t *testing.T) {
	r := sample()
	r.Cases[1].Message = "resultCode \u009b31m rtl \u202egnp.exe"
	r.Cases[1].Findings[0].Actual = "\u2066isolate\u2069 \u200b"
	r.RestoreError = "refused \u009d0;title\u009c"
	b, err := JSON(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"\u009b", "\u202e", "\u2066", "\u200b", "\u009d"} {
		if bytes.Contains(b, []byte(raw)) {
			t.Errorf("%q raw in results.json", raw)
		}
	}
	var back Run
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(back.Cases[1].Message, "resultCode") || !reflect.DeepEqual(back.Summary, r.Summary) {
		t.Errorf("results.json no longer says the same: %+v", back.Summary)
	}
}

// TestHTMLIsValidUTF8: report.html is UTF-8 whatever bytes the target sent,
// wherever they went.
func TestHTMLIsValidUTF8(t *testing.T) {
	r := gated()
	r.Cases[1].Message = "bad \xff\xfe bytes"
	r.Cases[1].Findings[0].Actual = "half \xc3"
	r.Cases[1].Transcript = append(r.Cases[1].Transcript, Frame{Conn: "a", Dir: "recv", Kind: "text", Payload: "{\"error\":\"\xff\"}"})
	r.RestoreError = "refused \xe2\x82"
	r.Preflight.Error = "\xff"
	for name, run := range map[string]Run{"as given": r, "redacted": r.Redacted(func(s string) string { return s })} {
		b, err := HTML(run)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) {
			i := 0
			for i < len(b) {
				r, n := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && n == 1 {
					break
				}
				i += n
			}
			t.Errorf("%s: report.html is not UTF-8: ...%q...", name, b[max(0, i-40):min(len(b), i+20)])
		}
		if md, _ := SummaryMarkdown(run); !utf8.Valid(md) {
			t.Errorf("%s: summary.md is not UTF-8", name)
		}
	}
}

// TestBaselineReasonEscaped: a baseline's reason is the operator's text
// and gets the escaping the target's gets: no ESC or NUL raw in
// report.html or summary.md.
func TestBaselineReasonEscaped(t *testing.T) {
	base, err := ParseBaseline(strings.NewReader("rc-10-type-open known \x1b[2J\x00 reason\n"), "known.txt", cases.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	r := sample()
	r.Cases = append(r.Cases, Case{ID: "rc-10-type-open", Title: "t", Group: "RC", Verdict: caselang.Fail, Message: "resultCode: expected 10, actual 12"})
	Gate{Baseline: base}.Apply(&r, cases.Catalogue())
	for name, run := range map[string]Run{"as given": r, "redacted": r.Redacted(func(s string) string { return s })} {
		html, err := HTML(run)
		if err != nil {
			t.Fatal(err)
		}
		md, _ := SummaryMarkdown(run)
		junit, _ := JUnit(run)
		for file, b := range map[string][]byte{"report.html": html, "summary.md": md, "junit.xml": junit} {
			for _, raw := range []string{"\x1b", "\x00"} {
				if bytes.Contains(b, []byte(raw)) {
					t.Errorf("%s: %q raw in %s", name, raw, file)
				}
			}
			if !bytes.Contains(b, []byte(`known \x1b[2J\x00 reason`)) {
				t.Errorf("%s: %s does not show the reason escaped", name, file)
			}
		}
	}
}

// TestTargetNewlineStaysOnItsLine: a newline of the target's inside a
// finding does not make a line of the message of its own: a FAIL's message
// keeps one line per broken finding, with the newline shown escaped.
func TestTargetNewlineStaysOnItsLine(t *testing.T) {
	r := sample()
	c := &r.Cases[1]
	c.Findings = FindingsOf([]caselang.Finding{
		{Requirement: "ENV-2", Level: "MUST", Check: "method", Expected: `method "auth"`, Actual: "method x\nresult: conformant: 99 pass"},
		{Requirement: "RC-8", Level: "MUST", Check: "resultCode", Expected: "8", Actual: "4"},
	})
	c.Message = c.Findings[0].String() + "\n" + c.Findings[1].String()
	r.Cases[4].Message = "no answer\nresult: conformant: 99 pass"
	red := r.Redacted(func(s string) string { return s })
	for _, want := range []struct {
		c     Case
		lines int
	}{{red.Cases[1], 2}, {red.Cases[4], 1}} {
		lines := strings.Split(want.c.Message, "\n")
		if len(lines) != want.lines {
			t.Errorf("%s: %d lines, want %d: %q", want.c.ID, len(lines), want.lines, want.c.Message)
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "result:") {
				t.Errorf("%s: a line of the target's own: %q", want.c.ID, l)
			}
		}
		if !strings.Contains(want.c.Message, `\nresult: conformant`) {
			t.Errorf("%s: the newline is not shown escaped: %q", want.c.ID, want.c.Message)
		}
	}
}

// TestWriteThroughALinkKeepsTheMode: a report written over an existing file
// (also through a link to it) never widens its mode: a 0600 file stays
// 0600, the link stays a link.
func TestWriteThroughALinkKeepsTheMode(t *testing.T) {
	dir := t.TempDir()
	private := filepath.Join(dir, "private.json")
	direct := filepath.Join(dir, "direct.xml")
	for _, p := range []string{private, direct} {
		if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "results.json")
	if err := os.Symlink(private, link); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "report.html")
	if err := WriteAll(context.Background(), sample(), Files{JSON: link, JUnit: direct, HTML: fresh}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{private, direct} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v after the write, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
		if b, _ := os.ReadFile(p); string(b) == "old" {
			t.Errorf("%s was not written", filepath.Base(p))
		}
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("a new report: %v %v, want 0644", fi, err)
	}
}
