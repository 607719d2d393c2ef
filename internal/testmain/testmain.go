// Package testmain is what the test binaries of the heavier packages set
// before their tests run. It is for tests only.
package testmain

import (
	"os"
	"runtime/debug"
)

// CollectLessOften makes the garbage collector run at four times the live
// heap instead of twice, unless GOGC is set. These binaries allocate much
// and keep little (models cloned at every branch of the exploration, whole
// runs over embedded servers): measured, it saves a third of the
// exploration's CPU and a seventh of the engine's, for a few hundred MiB
// (docs/performance.md). A runtime setting, not a test's: verdicts and
// coverage are the same.
func CollectLessOften() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
