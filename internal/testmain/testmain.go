// Package testmain is what the test binaries of the heavier packages set
// before their tests run: a test file of such a package imports it for
// its effect (import _ ".../internal/testmain"), so no package needs a
// TestMain of its own for it. It is for tests only.
package testmain

import (
	"os"
	"runtime/debug"
)

// The garbage collector runs at four times the live heap instead of
// twice, unless GOGC is set. These binaries allocate much and keep little
// (models cloned at every branch of the exploration, whole runs over
// embedded servers): measured, it saves a third of the exploration's CPU
// and a seventh of the engine's, for a few hundred MiB
// (docs/performance.md). A runtime setting, not a test's: verdicts and
// coverage are the same.
func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
