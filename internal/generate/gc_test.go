package generate

import (
	"os"
	"runtime/debug"

	// The collector at four times the live heap (internal/testmain)...
	_ "github.com/roomconform/conform/internal/testmain"
)

// ...and here at ten times, unless GOGC is set: the exploration clones a
// model at every branch and keeps almost none of them (30 CPU-s at 400,
// 26 at 1000, for some 800 MiB at the peak; docs/performance.md).
func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(1000)
	}
}
