package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roomconform/conform/refserver"
)

// TestSecretsNeverLeak plants canary values in every CONFORM_* secret and
// makes the reference server put a canary into every token it issues, then
// runs the suite with -v and every report, against conformant servers and
// against servers whose faults leak (credentials echoed in errors, tokens in
// failures, the PIN shown to users), and checks that no byte written, on the
// console or in a file, contains a canary in any letter case. (The test's
// name stays free of the word: t.TempDir paths reach the console.)
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	const tag = "CanaryTok"
	type run struct {
		profile string
		faults  []string
		secrets refserver.Secrets
	}
	allAtOnce(t, shortFirst(t, []run{
		{"admin-password-user-pin", nil, refserver.Secrets{AdminPassword: "canary-7Q", AdminPIN: "canary-pin-1", UserPIN: "canaryUP9"}},
		{"admin-password-user-password", nil, refserver.Secrets{AdminPassword: "canary-7Q", UserPassword: "canary<&>\"pw"}},
		{"admin-password-user-pin", []string{"credentials-echoed", "token-on-failure", "pin-shown-to-user", "request-id-invented"},
			refserver.Secrets{AdminPassword: "canary-7Q", AdminPIN: "canary-pin-1", UserPIN: "canaryUP9"}},
	}), func(tt run) string { return strings.Join(append([]string{tt.profile}, tt.faults...), "+") },
		func(t *testing.T, tt run) { // a run on the wall clock: it mostly waits
			extra := []string{"-vv"}
			if testing.Short() {
				// CI's race stage: the hand-written cases only (the plain
				// stage runs the generated ones too).
				extra = append(extra, "--label-filter", "(!slow || disruptive) && !generated")
			}
			r, _ := runAgainst(t, tt.profile, tt.faults, nil, false, func(o *refserver.Options) {
				o.Secrets, o.TokenTag = tt.secrets, tag
			}, extra...)
			if tt.faults == nil && r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if tt.faults != nil && r.code != 1 {
				t.Fatalf("exit %d with faults on, want 1\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "[REDACTED:") {
				t.Error("-vv shows no redacted value at all: the test no longer looks at transcripts")
			}
			leak := func(where string, b []byte) {
				low := bytes.ToLower(b)
				if i := bytes.Index(low, []byte("canary")); i >= 0 {
					from, to := max(0, i-60), min(len(b), i+40)
					t.Errorf("a canary appears in %s: ...%s...", where, b[from:to])
				}
			}
			leak("stdout", []byte(r.stdout))
			leak("stderr", []byte(r.stderr))
			files := 0
			filepath.WalkDir(r.dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				leak(path, b)
				return nil
			})
			if files != 4 {
				t.Errorf("%d report files written, want junit.xml, results.json, report.html and summary.md", files)
			}
		})
}
