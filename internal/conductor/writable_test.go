package conductor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/reports"
)

// TestCheckWritable: the directories of the reports (not of one to stdout,
// none, or an existing FIFO or device) and, for a run that may reconfigure
// a live target, the journal's are created if missing and must take a
// file; nothing is left in them, and the journal's path is not touched.
func TestCheckWritable(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	reportDir := filepath.Join(tmp, "new", "reports")
	files := reports.Files{JUnit: reports.Stdout, HTML: os.DevNull, Summary: filepath.Join(reportDir, "summary.md")}
	if got := files.Dirs(); !slices.Equal(got, []string{reportDir}) {
		t.Errorf("Dirs() = %v, want [%s]", got, reportDir)
	}
	journal := filepath.Join(tmp, "journals", "j.json")
	live := Selection{AllowReconfigure: true}.ForTarget(true)
	cfg := Config{Files: files, Selection: live, Session: session.Config{Journal: journal}}
	if err := cfg.checkWritable(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{reportDir, filepath.Dir(journal)} {
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 0 {
			t.Errorf("%s: %v, entries %v: want an empty directory", dir, err, entries)
		}
	}

	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"report directory", Config{Files: reports.DefaultFiles(filepath.Join(file, "r"))}, "the report directory " + filepath.Join(file, "r") + " cannot be written"},
		{"journal directory", Config{Selection: live, Session: session.Config{Journal: filepath.Join(file, "j.json")}}, "the recovery journal's directory " + file + " cannot be written"},
	} {
		err := tt.cfg.checkWritable()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), containerHint) {
			t.Errorf("%s: %v, want %q and the container hint", tt.name, err, tt.want)
		}
	}
	// The journal's directory is checked only when the run may write a
	// journal: a live target with --allow-reconfigure.
	for _, sel := range []Selection{Selection{}.ForTarget(true), Selection{AllowReconfigure: true}.ForTarget(false)} {
		cfg := Config{Selection: sel, Session: session.Config{Journal: filepath.Join(file, "j.json")}}
		if err := cfg.checkWritable(); err != nil {
			t.Errorf("%+v: %v", sel, err)
		}
	}
}
