package main

import (
	"strings"
	"testing"

	"github.com/roomconform/conform/refserver"
)

// displacedLine is the start of the header's warning for a live run.
const displacedLine = "warning: controllers connected in admin and user mode"

// TestLiveHeaderWarnsOfDisplacedControllers: a live run's header says that
// the controllers connected in the modes it logs in to are displaced and
// must authorize again; the embedded run's does not (nobody else is there).
func TestLiveHeaderWarnsOfDisplacedControllers(t *testing.T) {
	t.Parallel()
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sec := srv.Server.Secrets()
	env := []string{"CONFORM_ADMIN_PASSWORD=" + sec.AdminPassword, "CONFORM_USER_PIN=" + sec.UserPIN}
	r, _ := inProcessRun(t, env, "run", "--target", srv.URL, "--case", "rc-10-type-open", "--report-dir", t.TempDir())
	header, _, _ := strings.Cut(r.stdout, "\n\n")
	if !strings.Contains(header, displacedLine) || !strings.Contains(header, "re-authorize") {
		t.Errorf("the live run's header does not warn of displaced controllers (exit %d):\n%s\n%s", r.code, header, r.stderr)
	}
	r, _ = inProcessRun(t, nil, "run", "--case", "rc-10-type-open", "--report-dir", t.TempDir())
	if r.code != exitOK || strings.Contains(r.stdout, "displaced") {
		t.Errorf("the embedded run: exit %d, or it warns of displaced controllers:\n%s", r.code, r.stdout)
	}
}
