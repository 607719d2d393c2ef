package fleet

import (
	"fmt"
	"math"
)

// DefaultParallel is how many targets run at once without --parallel. A
// target's run is serial and spends most of its time waiting for its
// device's answers, so several per core keep the machine busy; 8 keeps
// two cores (what CI runners have) busy against the in-process reference
// servers too, while memory stays bounded (docs/performance.md, "Fleets":
// 50 targets at 8 at once peak at about 420 MiB resident, servers
// included) and a network or a fleet of devices behind one firewall sees
// no burst of connections. More is one flag away.
const DefaultParallel = 8

// What a running target needs, measured (BenchmarkFleet, docs/
// performance.md "Fleets": 500 targets at once against reference servers
// in the same process peaked at 3.9 open files and 18.6 MiB resident a
// target, the servers' ends included) with a margin, and what the process
// keeps for itself (the catalogue, the runtime, standard streams, the
// resolver, the fleet's reports: one target alone peaks at 60 MiB).
const (
	FilesPerTarget  = 8
	FilesReserve    = 64
	MemoryPerTarget = 24 << 20
	MemoryReserve   = 128 << 20
)

// Limits are the machine's bounds a fleet must run within.
type Limits struct {
	// OpenFiles is the process's open-files limit (OpenFilesLimit).
	OpenFiles uint64
	// Memory is the memory the process may use (MemoryLimit): the
	// container's limit or what the system has available, whichever is
	// lower; 0 when neither is known.
	Memory uint64
}

// Parallel is how many of targets run at once: requested (--parallel; 0:
// DefaultParallel), never more than the targets, and within the limits.
// An explicit --parallel that does not fit is a usage error naming the
// limit (one line), so that a fleet too large for the machine fails at
// once and clearly, never later by running out of files (errors on every
// connection) or of memory (killed); the default shrinks to fit.
func Parallel(requested, targets int, lim Limits) (int, error) {
	if requested < 0 {
		return 0, fmt.Errorf("--parallel %d: want 1 or more (0: the default, %d)", requested, DefaultParallel)
	}
	if targets == 0 {
		return 0, nil
	}
	files := fits(lim.OpenFiles, FilesReserve, FilesPerTarget)
	memory := fits(lim.Memory, MemoryReserve, MemoryPerTarget)
	if lim.Memory == 0 {
		memory = math.MaxInt
	}
	fit := min(files, memory)
	n := requested
	if n == 0 {
		n = min(DefaultParallel, fit)
	}
	n = min(n, targets)
	if n <= fit && n > 0 {
		return n, nil
	}
	want := max(n, 1)
	if files < want {
		return 0, fmt.Errorf("%d targets at once need about %d open files (%d a target and %d for the process); the open-files limit (ulimit -n) is %d: run at most %d at once (--parallel), or raise the limit",
			want, FilesReserve+want*FilesPerTarget, FilesPerTarget, FilesReserve, lim.OpenFiles, files)
	}
	return 0, fmt.Errorf("%d targets at once need about %d MiB of memory (%d MiB a target and %d for the process); %d MiB are available (the container's limit or the system's free memory): run at most %d at once (--parallel)",
		want, (MemoryReserve+uint64(want)*MemoryPerTarget)>>20, MemoryPerTarget>>20, MemoryReserve>>20, lim.Memory>>20, memory)
}

// fits is how many targets of per each fit in limit beside reserve.
func fits(limit, reserve, per uint64) int {
	if limit <= reserve {
		return 0
	}
	return int(min((limit-reserve)/per, 1<<20))
}
