// Package opfile reads the files an operator names (--config, --baseline,
// --ca-file, the recovery journal) so that no such path can make conform
// wait or grow without bound: a FIFO blocks in open until someone writes to
// it (deaf to signals and --timeout, since the open is a system call that
// never returns), and a device such as /dev/zero never ends. Only a regular
// file of bounded size is read; a link to one is followed.
//
// Every path is checked before it is opened, opened non-blocking (so that a
// path swapped for a FIFO after the check does not block either), checked
// again on the open file, and read through a limit.
package opfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Size bounds of each kind of operator file. The real ones are a few KiB.
const (
	// ConfigLimit bounds a --config file.
	ConfigLimit = 1 << 20
	// BaselineLimit bounds a --baseline file.
	BaselineLimit = 1 << 20
	// JournalLimit bounds a recovery journal.
	JournalLimit = 1 << 20
	// CALimit bounds a --ca-file: a bundle of every public CA is about 250 KiB.
	CALimit = 4 << 20
	// ResultsLimit bounds a results.json read back (conform merge, conform
	// diff): a run of the whole catalogue with its
	// transcripts is a few MiB, a fleet's (sections without transcripts) less.
	ResultsLimit = 1 << 30
	// TargetsLimit bounds a --targets file: a thousand targets are about
	// 200 KiB.
	TargetsLimit = 8 << 20
)

// Errors a path is refused with (errors.Is), besides the file system's
// own (fs.ErrNotExist, fs.ErrPermission).
var (
	// ErrNotRegular: a FIFO, a device, a socket or a directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: more bytes than the limit of its kind.
	ErrTooLarge = errors.New("larger than its limit")
)

// Error is a refused path, its message "PATH: why" (a caller prefixes the
// flag: "--config /tmp/x: a FIFO, not a regular file").
type Error struct {
	Path   string
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

// Unwrap returns ErrNotRegular, ErrTooLarge or the file system's error.
func (e *Error) Unwrap() error { return e.Err }

// Check reports whether path (after links) is a regular file of at most
// limit bytes, without opening it. A missing file is an error that
// errors.Is(err, fs.ErrNotExist). A writer of an operator file calls it
// before writing, so that it never writes into a FIFO or a device.
func Check(path string, limit int64) error {
	fi, err := os.Stat(path)
	if err != nil {
		return statError(path, err)
	}
	return checkInfo(path, fi, limit)
}

// ReadFile returns the content of path, a regular file of at most limit
// bytes (a link to one is followed). It never waits on the path: a FIFO or
// a device is refused before it is opened, the open does not block even if
// the path was swapped since, and the open file is checked again.
func ReadFile(path string, limit int64) ([]byte, error) {
	if err := Check(path, limit); err != nil {
		return nil, err
	}
	return read(path, limit)
}

// read opens path without blocking, checks the open file and reads it:
// what ReadFile does once the path has passed Check (it may have been
// swapped since).
func read(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, statError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, statError(path, err)
	}
	if err := checkInfo(path, fi, limit); err != nil {
		return nil, err
	}
	// The size can change after the check (a file still being written, or
	// one that says 0 and has more): the limit holds whatever it says.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, statError(path, err)
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(path, limit)
	}
	return b, nil
}

func checkInfo(path string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return &Error{Path: path, Reason: kindOf(fi.Mode()) + ", not a regular file", Err: ErrNotRegular}
	}
	if fi.Size() > limit {
		return tooLarge(path, limit)
	}
	return nil
}

func tooLarge(path string, limit int64) error {
	return &Error{Path: path, Reason: "larger than " + size(limit), Err: ErrTooLarge}
}

// statError keeps the file system's reason ("no such file or directory")
// without repeating the operation and the path.
func statError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Path: path, Reason: err.Error(), Err: err}
}

// kindOf names a file that is not a regular one.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return fmt.Sprintf("a special file (%s)", m.Type())
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
