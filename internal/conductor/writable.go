package conductor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/roomconform/conform/internal/reconf"
)

// containerHint ends the error of a directory the run cannot write in: in
// a container that runs as another user than the owner of a mounted
// directory, that is the usual cause.
const containerHint = "in a container, run it as your own user: docker run --user $(id -u) ..."

// checkWritable fails fast on what the operator can fix, before anything
// is sent to the target: every directory a report will be written in, and
// the recovery journal's directory when the run may reconfigure a live
// target, must take a new file. Each is created if missing (the run would
// create it), and a temporary file is created in it and removed; the
// journal's own path is never touched. Without this, an unwritable report
// directory failed only after the whole run.
func (cfg Config) checkWritable() error {
	for _, dir := range cfg.Files.Dirs() {
		if err := writableDir(dir, 0o755); err != nil {
			return &UsageError{Msg: fmt.Sprintf("the report directory %s cannot be written: %v; %s", dir, err, containerHint)}
		}
	}
	if !cfg.Selection.Live || !cfg.Selection.AllowReconfigure {
		return nil
	}
	dir, err := journalDir(cfg.Session.Journal)
	if err != nil {
		return &UsageError{Msg: err.Error()}
	}
	if err := writableDir(dir, 0o700); err != nil {
		return &UsageError{Msg: fmt.Sprintf("the recovery journal's directory %s cannot be written: %v (--journal FILE puts it elsewhere); %s", dir, err, containerHint)}
	}
	return nil
}

// journalDir is the directory the recovery journal will be written in:
// that of --journal, else the state directory's (reconf.JournalDir, where
// reconf.DefaultJournalPath puts every target's journal).
func journalDir(named string) (string, error) {
	if named != "" {
		return filepath.Dir(named), nil
	}
	return reconf.JournalDir()
}

// writableDir creates dir (with perm) if it is missing, then creates a
// temporary file in it and removes it.
func writableDir(dir string, perm os.FileMode) error {
	if err := os.MkdirAll(dir, perm); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".conform-write-check-*")
	if err != nil {
		// The temporary file's name says nothing to the operator.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot create a file in it: %w", err)
	}
	name := f.Name()
	cerr := f.Close()
	if rerr := os.Remove(name); rerr != nil {
		return fmt.Errorf("cannot remove the file %s created to check it: %w", name, rerr)
	}
	return cerr
}
