package rundiff

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/reports"
)

// TestText: the text lists each change on a line, grouped per target,
// and ends with the counts.
func TestText(t *testing.T) {
	t.Parallel()
	b, f := fixtures(t)
	d, err := Compare(fleet(reports.FleetTarget{Name: "a", Run: b}, reports.FleetTarget{Name: "gone", Run: b}),
		fleet(reports.FleetTarget{Name: "a", Run: f}, reports.FleetTarget{Name: "fresh", Run: b}))
	if err != nil {
		t.Fatal(err)
	}
	got := d.Text()
	for _, want := range []string{
		"target a:\n",
		"  verdict: conformant (exit 0) -> not conformant (exit 1)  REGRESSION\n",
		"  case rc-7-empty-credentials: PASS -> FAIL  REGRESSION\n",
		"  case rc-6-lockout-after-wrong-passwords: PASS -> WARN\n",
		"  finding new FAIL: " + rc7Key + "  REGRESSION\n",
		"  finding new WARN: " + rc6Key + "\n",
		`  observation auth-4-token-shape step #1 AUTH-4 token shape: "token matches the documented shape; tokenForHttpServer matches the documented shape" -> "token has another shape (43 characters); tokenForHttpServer has another shape (43 characters)"` + "\n",
		"target fresh: only in the new document (conformant, exit 0)\n",
		"target gone: only in the old document (conformant, exit 0)\n",
		"fleet verdict: conformant (exit 0) -> not conformant (exit 1)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no line %q in\n%s", want, got)
		}
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "3 regressions: 2 case verdict changes, 1 run verdict change, 2 new findings, 0 vanished findings, 2 observations changed, 0 cases apart, 1 target added, 1 target removed" {
		t.Errorf("last line %q", last)
	}

	// Two runs, one nothing changed in: no target header, the counts.
	d, err = Compare(reports.Document{Run: &b}, reports.Document{Run: &b})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Text(); got != "no regression: 0 case verdict changes, 0 run verdict changes, 0 new findings, 0 vanished findings, 0 observations changed, 0 cases apart\n" {
		t.Errorf("nothing changed: %q", got)
	}
}

// hostile is text a target (or an edited document) might carry: escape
// sequences that retitle the window and clear the screen, a bidi
// override, a C1 CSI, and a newline that would start a line of its own.
const hostile = "x\x1b]0;owned\x07\x1b[2J\u202egnp.exe\u009b31m\nconformant: 0 regressions"

// TestHostileStrings: every string of the documents reaches the text
// escaped, on its own line, and the JSON with nothing a terminal acts on.
func TestHostileStrings(t *testing.T) {
	t.Parallel()
	b, _ := fixtures(t)
	old, new := b, parse(t, base)
	rc7 := caseOf(t, &new, "rc-7-empty-credentials")
	rc7.Verdict = caselang.Verdict(hostile)
	rc7.Findings = append(rc7.Findings, reports.Finding{Finding: caselang.Finding{Requirement: "RC-7" + hostile, Level: caselang.Must, Check: hostile, Expected: hostile}})
	for i, fd := range caseOf(t, &new, "auth-4-token-shape").Findings {
		if fd.Check == "token shape" {
			caseOf(t, &new, "auth-4-token-shape").Findings[i].Note = hostile
		}
	}
	added := *caseOf(t, &new, "rc-5b-admin-credentials-with-role-user")
	added.ID = hostile
	new.Cases = append(new.Cases, added)
	new.Summary.Verdict = hostile
	new.Profile.Admin = hostile
	sec := func(name string, r reports.Run) reports.Document {
		return fleet(reports.FleetTarget{Name: name, Run: r}, reports.FleetTarget{Name: hostile + "2", Run: r})
	}
	d, err := Compare(sec(hostile, old), sec(hostile, new))
	if err != nil {
		t.Fatal(err)
	}
	text := d.Text()
	if bad := unsafeIn(strings.ReplaceAll(text, "\n", "")); bad != "" {
		t.Errorf("raw %s in the text:\n%s", bad, text)
	}
	// One line per change, a header per target and the counts: the
	// hostile newline started none.
	changes := 1 // the counts
	for _, tg := range d.Targets {
		changes += 1 + len(tg.Cases) + len(tg.Apart) + len(tg.Findings) + len(tg.Observations)
		if tg.Verdict != nil {
			changes++
		}
	}
	if d.Fleet != nil {
		changes++
	}
	if n := strings.Count(text, "\n"); n != changes {
		t.Errorf("%d lines for %d changes:\n%s", n, changes, text)
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "conformant") {
			t.Errorf("a line of the target's own: %q", l)
		}
	}
	if !strings.Contains(text, `x\x1b]0;owned\x07\x1b[2J\u202egnp.exe\u009b31m\nconformant: 0 regressions`) {
		t.Errorf("the hostile text not shown escaped:\n%s", text)
	}

	js, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if bad := unsafeIn(strings.ReplaceAll(string(js), "\n", "")); bad != "" {
		t.Errorf("raw %s in the JSON:\n%s", bad, js)
	}
	var back Diff
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("the JSON does not read back: %v", err)
	}
	if back.Targets[0].Name != hostile || back.Counts != d.Counts || back.Regression != d.Regression {
		t.Errorf("the JSON read back differs: %q %+v", back.Targets[0].Name, back.Counts)
	}
}

// unsafeIn names the first character in s a terminal could act on.
func unsafeIn(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x202e || r == utf8.RuneError {
			return fmt.Sprintf("%U", r)
		}
	}
	return ""
}
