//go:build unix

package opfile

import (
	"bytes"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bounded runs f and fails the test if it has not returned within a
// generous bound: what is checked is that it returns at all (a FIFO
// blocks forever), not how fast.
func bounded(t *testing.T, f func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type out struct {
		b   []byte
		err error
	}
	ch := make(chan out, 1)
	go func() {
		b, err := f()
		ch <- out{b, err}
	}()
	select {
	case o := <-ch:
		return o.b, o.err
	case <-time.After(30 * time.Second):
		t.Fatal("still blocked after 30s")
		return nil, nil
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, []byte("key: value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	fifoLink := filepath.Join(dir, "fifo-link")
	if err := os.Symlink(fifo, fifoLink); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#"), 1025), 0o600); err != nil {
		t.Fatal(err)
	}
	exact := filepath.Join(dir, "exact")
	if err := os.WriteFile(exact, bytes.Repeat([]byte("#"), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	for _, tt := range []struct {
		name, path string
		want       error
		reason     string
	}{
		{"regular", regular, nil, ""},
		{"a link to a regular file", link, nil, ""},
		{"exactly the limit", exact, nil, ""},
		{"FIFO", fifo, ErrNotRegular, "a FIFO, not a regular file"},
		{"a link to a FIFO", fifoLink, ErrNotRegular, "a FIFO, not a regular file"},
		{"/dev/zero", "/dev/zero", ErrNotRegular, "a character device, not a regular file"},
		{"directory", dir, ErrNotRegular, "a directory, not a regular file"},
		{"socket", sock, ErrNotRegular, "a socket, not a regular file"},
		{"oversize", big, ErrTooLarge, "larger than 1 KiB"},
		{"missing", filepath.Join(dir, "missing"), fs.ErrNotExist, "no such file or directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bounded(t, func() ([]byte, error) { return ReadFile(tt.path, 1024) })
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ReadFile: %v", err)
				}
				if want, _ := os.ReadFile(tt.path); !bytes.Equal(b, want) {
					t.Errorf("read %q, want %q", b, want)
				}
				if err := Check(tt.path, 1024); err != nil {
					t.Errorf("Check: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if want := tt.path + ": " + tt.reason; err.Error() != want {
				t.Errorf("message %q, want %q", err.Error(), want)
			}
			if cerr := Check(tt.path, 1024); !errors.Is(cerr, tt.want) {
				t.Errorf("Check: %v, want %v", cerr, tt.want)
			}
		})
	}
}

// TestSwappedForAFIFO: a path that passed Check and was then replaced by a
// FIFO is opened without blocking and refused on the open file.
func TestSwappedForAFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := bounded(t, func() ([]byte, error) { return read(fifo, 1024) })
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "a FIFO") {
		t.Fatalf("err %v, want a FIFO refused", err)
	}
}

// TestLimitHoldsWhateverTheSizeSays: a file that says it is smaller than
// it is (procfs, or one that grows after the check) is still cut at the
// limit and refused.
func TestLimitHoldsWhateverTheSizeSays(t *testing.T) {
	// /proc/self/maps says size 0 and has more than 16 bytes.
	if _, err := os.Stat("/proc/self/maps"); err != nil {
		t.Skip("no /proc")
	}
	_, err := ReadFile("/proc/self/maps", 16)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
}
