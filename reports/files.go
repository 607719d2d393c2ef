package reports

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Files names the report files of a run; "" means that report is not
// written. "-" is the process's standard output.
type Files struct {
	JUnit   string
	JSON    string
	HTML    string
	Summary string
	// Baseline is where --write-baseline writes the run's failing
	// findings as a baseline file ("": not written).
	Baseline string
}

// report is one report: its flag, its path, how it is rendered and
// whether it shows the cases' transcripts.
type report struct {
	flag, path  string
	render      func(Run) ([]byte, error)
	transcripts bool
}

// ShowTranscripts reports whether a report among f shows the cases'
// transcripts.
func (f Files) ShowTranscripts() bool {
	for _, r := range f.reports() {
		if r.path != "" && r.transcripts {
			return true
		}
	}
	return false
}

func (f Files) reports() []report {
	return []report{
		{"--junit-report", f.JUnit, JUnit, true},
		{"--json-report", f.JSON, JSON, true},
		{"--html-report", f.HTML, HTML, true},
		{"--summary-report", f.Summary, SummaryMarkdown, false},
		{"--write-baseline", f.Baseline, BaselineFile, false},
	}
}

// String lists the files to be written ("none" for none).
func (f Files) String() string {
	var paths []string
	for _, r := range f.reports() {
		switch r.path {
		case "":
		case Stdout:
			paths = append(paths, "stdout")
		default:
			paths = append(paths, filepath.ToSlash(r.path))
		}
	}
	if len(paths) == 0 {
		return "none"
	}
	return strings.Join(paths, ", ")
}

// Stdout as a report path is the process's standard output.
const Stdout = "-"

// ToStdout reports whether some report goes to standard output ("-"): the
// console then goes to standard error.
func (f Files) ToStdout() bool {
	for _, r := range f.reports() {
		if r.path == Stdout {
			return true
		}
	}
	return false
}

// Dirs are the directories the reports of f will be written in, each
// once: the directory of each report file (after links, as the writer
// follows them), which may not exist yet. A report to standard output, or
// into an existing file that is not a regular one (a FIFO, a device),
// needs none.
func (f Files) Dirs() []string {
	var dirs []string
	for _, r := range f.reports() {
		if r.path == "" || r.path == Stdout {
			continue
		}
		if fi, err := os.Stat(r.path); err == nil && !fi.Mode().IsRegular() {
			continue
		}
		real, err := resolve(r.path)
		if err != nil {
			real = r.path // the writer will say why
		}
		if dir := filepath.Dir(real); !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// DefaultFiles are the report paths under dir.
func DefaultFiles(dir string) Files {
	return Files{
		JUnit: filepath.Join(dir, "junit.xml"), JSON: filepath.Join(dir, "results.json"),
		HTML: filepath.Join(dir, "report.html"), Summary: filepath.Join(dir, "summary.md"),
	}
}

// Check reports a mistake in the paths that would lose a report: two
// reports written to the same file (compared as files with os.SameFile, so
// that a link, a relative and an absolute path, or /dev/stdout given twice
// are caught too; "-" twice as well).
func (f Files) Check() error {
	rs := f.reports()
	for i, a := range rs {
		for _, b := range rs[i+1:] {
			if a.path != "" && b.path != "" && SamePath(a.path, b.path) {
				return fmt.Errorf("%s and %s would both be written to %s: name two different files", a.flag, b.flag, a.path)
			}
		}
	}
	return nil
}

// SamePath reports whether a and b name one file (after links; "-" is
// standard output, the same only as itself).
func SamePath(a, b string) bool {
	if a == Stdout || b == Stdout {
		return a == b
	}
	ai, aerr := os.Stat(a)
	bi, berr := os.Stat(b)
	if aerr == nil && berr == nil {
		return os.SameFile(ai, bi)
	}
	aa, err1 := filepath.Abs(a)
	ba, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == ba
}

// WriteAll writes every requested report of r, which must already be
// redacted (Run.Redacted). It creates parent directories and reports every
// failure, not just the first. ctx bounds the waits a path can impose (a
// FIFO without a reader).
func WriteAll(ctx context.Context, r Run, f Files) error {
	var errs []error
	for _, rep := range f.reports() {
		if rep.path == "" {
			continue
		}
		b, err := rep.render(r)
		if errors.Is(err, errWithheld) {
			continue // said on the console (BaselineWithheld)
		}
		if err == nil {
			err = writeReport(ctx, rep.flag, rep.path, b)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("write reports: %w", err)
	}
	return nil
}

// writeReport writes a rendered report to path, or to the process's
// standard output for "-" (flag names the report in an error).
func writeReport(ctx context.Context, flag, path string, b []byte) error {
	if path != Stdout {
		return writeFile(ctx, path, b)
	}
	if _, err := os.Stdout.Write(b); err != nil {
		return fmt.Errorf("write %s to stdout: %w", flag, err)
	}
	return nil
}

// writeFile writes b to path. An existing path that is not a regular file
// (a FIFO, a device, /dev/stdout) is written into, never replaced; a link
// is followed, so the file it points to is replaced and the link stays. A
// regular file is replaced atomically (temp file, rename), so a reader
// never sees a half-written report.
func writeFile(ctx context.Context, path string, b []byte) error {
	fi, err := os.Stat(path)
	if err == nil {
		if std := stdStream(fi); std != nil {
			// /dev/stdout and the like, whatever they are redirected to: write
			// where the process writes, never reopen (and truncate) it.
			if _, err := std.Write(b); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
			return nil
		}
		if !fi.Mode().IsRegular() {
			return writeInto(ctx, path, b)
		}
	}
	real, err := resolve(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return replaceFile(real, b)
}

// stdStream returns os.Stdout or os.Stderr when fi is that file.
func stdStream(fi os.FileInfo) *os.File {
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		if sfi, err := f.Stat(); err == nil && os.SameFile(fi, sfi) {
			return f
		}
	}
	return nil
}

// resolve follows links, also a link whose target does not exist yet (it
// is created there; the link stays).
func resolve(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return "", errors.New("too many links")
}

// writeInto opens an existing file for writing and writes b into it,
// bounded by ctx: opening a FIFO waits for a reader.
func writeInto(ctx context.Context, path string, b []byte) error {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		ch <- opened{f, err}
	}()
	var f *os.File
	select {
	case o := <-ch:
		if o.err != nil {
			return fmt.Errorf("write %s: %w", path, o.err)
		}
		f = o.f
	case <-ctx.Done():
		go func() { // the open may still succeed; do not leak the file
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return fmt.Errorf("write %s: nobody opened it for reading before the run's time was up", path)
	}
	if d, ok := ctx.Deadline(); ok {
		_ = f.SetWriteDeadline(d) // not every kind of file has deadlines
	} else {
		_ = f.SetWriteDeadline(time.Time{})
	}
	_, err := f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// replaceFile writes a regular file atomically (temp file, rename). A new
// file is 0644; one that exists keeps its mode, so that replacing it (also
// through a link to it) never widens who can read it.
func replaceFile(path string, b []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
