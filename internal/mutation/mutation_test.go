package mutation

import (
	"os"
	"path/filepath"
	"slices"
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
