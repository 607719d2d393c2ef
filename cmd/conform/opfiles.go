package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/roomconform/conform/internal/opfile"
	"github.com/roomconform/conform/internal/reconf"
)

// checkJournal refuses, as a usage error, a journal path that exists and
// is not a regular file of bounded size (a FIFO would block the open that
// reads it, /dev/zero would never end); a missing journal is fine.
func checkJournal(path string) error {
	if err := opfile.Check(path, opfile.JournalLimit); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--journal %w", err)
	}
	return nil
}

// readJournal is reconf.ReadJournal behind checkJournal: ok is false when
// there is no journal at path.
func readJournal(path string) (j reconf.Journal, ok bool, err error) {
	if err := checkJournal(path); err != nil {
		return j, false, err
	}
	return reconf.ReadJournal(path)
}
