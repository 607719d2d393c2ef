package mutation

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/cases"
)

// TestRowsNameKnownCases: every case the matrix names exists, so a renamed
// case cannot leave a claim about what catches a fault pointing nowhere.
func TestRowsNameKnownCases(t *testing.T) {
	rows, err := Rows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("the matrix is empty")
	}
	for name, r := range rows {
		for _, id := range slices.Concat(r.Fail, r.Warn, r.Errs) {
			if _, ok := cases.Lookup(id); !ok {
				t.Errorf("fault %s names unknown case %s", name, id)
			}
		}
		if len(r.Catchers()) == 0 && len(r.Errs) == 0 {
			t.Errorf("fault %s: no case catches it", name)
		}
	}
}

// TestWriteReadsBack: Write and Parse are inverse (the header kept).
func TestWriteReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.txt")
	if err := os.WriteFile(path, []byte("# header\n# two\n\nfault old\n  fail x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := []Row{{Fault: "b", Fail: []string{"z", "y"}}, {Fault: "a", Profile: "free", Warn: []string{"w"}, Errs: []string{"e"}}}
	if err := Write(path, in); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got, err := Parse(string(b), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got["b"].Fail, []string{"y", "z"}) || got["a"].Profile != "free" || got["a"].Errs[0] != "e" {
		t.Errorf("read back %+v from\n%s", got, b)
	}
	if string(b[:17]) != "# header\n# two\n\nf" {
		t.Errorf("header not kept:\n%s", b)
	}
	if _, err := Parse("fault\n", "bad"); err == nil {
		t.Error("a malformed line parsed")
	}
}

// TestDiff: the difference between a row and a run names the cases that
// moved (missing, extra, verdict changed) and nothing else, sorted.
func TestDiff(t *testing.T) {
	want := Row{Fail: []string{"a", "b", "c"}, Warn: []string{"w"}, Errs: []string{"e"}}
	got := Row{Fail: []string{"c", "b", "x"}, Warn: []string{"a"}, Errs: []string{"e"}}
	d := Diff(want, got)
	wantD := []Change{{Case: "a", Want: Fail, Got: Warn}, {Case: "w", Want: Warn}, {Case: "x", Got: Fail}}
	if !slices.Equal(d, wantD) {
		t.Fatalf("Diff = %+v, want %+v", d, wantD)
	}
	for i, k := range []string{"changed", "missing", "extra"} {
		if d[i].Kind() != k {
			t.Errorf("%+v: kind %s, want %s", d[i], d[i].Kind(), k)
		}
	}
	if d := Diff(want, want); d != nil {
		t.Errorf("a row against itself: %+v", d)
	}
	if Report("f", nil) != "" {
		t.Error("no change, yet a report")
	}
}

// TestReportNamesOnlyTheDifference: a row of 280 cases that the run
// matches but for one case is reported as that one case and the command
// that regenerates the matrix, not as two lists of 280 IDs (issue 19).
func TestReportNamesOnlyTheDifference(t *testing.T) {
	var want Row
	for i := range 280 {
		want.Fail = append(want.Fail, fmt.Sprintf("case-%03d", i))
	}
	got := Row{Fail: slices.Clone(want.Fail[1:]), Warn: []string{"case-000"}}
	got.Fail = append(got.Fail, "case-new")
	r := Report("method-mismatch", Diff(want, got))
	for _, s := range []string{"fault method-mismatch: 2 case(s) differ", "extra (the run names it, the row does not): case-new (FAIL)",
		"verdict changed (row -> run): case-000 (FAIL -> WARN)", RegenerateCommand} {
		if !strings.Contains(r, s) {
			t.Errorf("the report lacks %q:\n%s", s, r)
		}
	}
	if strings.Contains(r, "missing") || strings.Contains(r, "case-001") || strings.Contains(r, "case-279") {
		t.Errorf("the report names cases that did not move:\n%s", r)
	}
	if n := strings.Count(r, "\n"); n > 4 {
		t.Errorf("%d lines for two changes:\n%s", n+1, r)
	}
}
