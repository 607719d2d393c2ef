//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The operator's files (issue 16, finding 7): --config, --baseline,
// --ca-file and the recovery journal must be regular files of bounded
// size. A FIFO blocked conform in open (deaf to SIGINT, SIGTERM and
// --timeout), /dev/zero grew memory without end: each is now a usage
// error, exit 2, found before anything waits.

// conformWithin runs the binary like conform, but kills it if it has not
// ended within bound: what is checked is that it ends at all.
func conformWithin(t *testing.T, bound time.Duration, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(append(cleanEnv(), "CONFORM_TEST_RUN_MAIN=1"), env...)
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("conform %s still running after %v: it waits on a file", strings.Join(args, " "), bound)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: ranTo(t, err)}
}

// operatorFiles makes one path of each kind in a temporary directory; the
// link points to good, a regular file the flag accepts.
func operatorFiles(t *testing.T, name string, good []byte, limit int) map[string]string {
	t.Helper()
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, name+"-"+n) }
	fifo, real, link, big := p("fifo"), p("real"), p("link"), p("big")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	// A YAML comment, a PEM preamble and a baseline comment alike: the file
	// is valid but for its size.
	if err := os.WriteFile(big, append(good, append([]byte("#"), bytes.Repeat([]byte("x"), limit)...)...), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := p("dir")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"fifo": fifo, "dev-zero": "/dev/zero", "directory": sub, "oversize": big, "link": link}
}

// refusals are what each kind of path must be told.
var refusals = map[string]string{
	"fifo":      ": a FIFO, not a regular file",
	"dev-zero":  ": a character device, not a regular file",
	"directory": ": a directory, not a regular file",
	"oversize":  ": larger than ",
}

func TestOperatorFilesMustBeRegularAndBounded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(nil)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	srv.Close()
	for _, f := range []struct {
		flag  string
		good  []byte
		limit int
		// args run the command so that it stops before any network wait
		// once the file is accepted.
		args []string
	}{
		{"--config", []byte("strict: true\n"), 1 << 20, []string{"run", "--print-config"}},
		{"--baseline", []byte("rc-10-type-open accepted for now\n"), 1 << 20, []string{"run", "--print-config"}},
		{"--ca-file", caPEM, 4 << 20, []string{"run", "--target", "wss://127.0.0.1:1/", "--print-config"}},
		// A live run reads the journal (a pending one stops it) before
		// the preflight.
		{"--journal", []byte("{}\n"), 1 << 20, []string{"run", "--target", "ws://127.0.0.1:1/", "--response-timeout", "1s"}},
		{"--journal", []byte("{}\n"), 1 << 20, []string{"restore", "--response-timeout", "1s"}},
	} {
		paths := operatorFiles(t, strings.TrimPrefix(f.flag, "--"), f.good, f.limit)
		for _, kind := range []string{"fifo", "dev-zero", "directory", "oversize", "link"} {
			path := paths[kind]
			t.Run(f.args[0]+" "+f.flag+" "+kind, func(t *testing.T) {
				t.Parallel()
				args := append(append([]string{}, f.args...), f.flag, path)
				r := conformWithin(t, time.Minute, nil, args...)
				if kind == "link" {
					// Followed to the regular file and read: no refusal.
					if strings.Contains(r.stderr, "not a regular file") || strings.Contains(r.stderr, "larger than") {
						t.Errorf("a link to a regular file is refused: exit %d\n%s", r.code, r.stderr)
					}
					if f.flag != "--journal" && r.code != 0 {
						t.Errorf("exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
					}
					return
				}
				if r.code != 2 {
					t.Errorf("exit %d, want 2 (usage)\n%s%s", r.code, r.stdout, r.stderr)
				}
				if want := f.flag + " " + path + refusals[kind]; !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
				if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 {
					t.Errorf("want a one-line reason, got:\n%s", r.stderr)
				}
			})
		}
	}
}
