package reports

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files names the report files of a run.
type Files struct {
	JUnit string // "" = none
	JSON  string // "" = none
}

// String lists the files to be written ("none" for none).
func (f Files) String() string {
	var paths []string
	for _, p := range []string{f.JUnit, f.JSON} {
		if p != "" {
			paths = append(paths, filepath.ToSlash(p))
		}
	}
	if len(paths) == 0 {
		return "none"
	}
	return strings.Join(paths, ", ")
}

// DefaultFiles are the report paths under dir.
func DefaultFiles(dir string) Files {
	return Files{JUnit: filepath.Join(dir, "junit.xml"), JSON: filepath.Join(dir, "results.json")}
}

// Check reports a mistake in the paths that would lose a report: two
// reports written to the same file (compared as files, so that a link or
// /dev/stdout given twice is caught too).
func (f Files) Check() error {
	if f.JUnit != "" && f.JSON != "" && samePath(f.JUnit, f.JSON) {
		return fmt.Errorf("the JUnit and JSON reports would both be written to %s: name two different files", f.JUnit)
	}
	return nil
}

func samePath(a, b string) bool {
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
	write := func(path string, render func(Run) ([]byte, error)) {
		if path == "" {
			return
		}
		b, err := render(r)
		if err == nil {
			err = writeFile(ctx, path, b)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	write(f.JUnit, JUnit)
	write(f.JSON, JSON)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("write reports: %w", err)
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

// replaceFile writes a regular file atomically (temp file, rename).
func replaceFile(path string, b []byte) error {
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
	if err := tmp.Chmod(0o644); err != nil {
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
