package fleet

import "fmt"

// DefaultParallel is how many targets run at once without --parallel. A
// target's run is serial and spends most of its time waiting for its
// device's answers, so several per core keep the machine busy; 8 keeps
// two cores (what CI runners have) busy against the in-process reference
// servers too, while memory stays bounded (20 runs at once took 430 MiB,
// issue 22) and a network or a fleet of devices behind one firewall sees
// no burst of connections. More is one flag away.
const DefaultParallel = 8

// Open files a running target may hold, and what the process keeps for
// itself. A target holds one WebSocket connection per control mode a case
// uses (two or three; a few more while a token is exercised or the
// preflight probes), the embedded HTTP server's connections, and one
// report or journal file at a time: 32 is that with a margin of two, an
// estimate, not a measurement (the fleet benchmark measures, issue 22
// item 5). The reserve is the process's own: the binary, standard
// streams, the resolver, the fleet's reports.
const (
	FilesPerTarget = 32
	FilesReserve   = 64
)

// Parallel is how many of targets run at once: requested (--parallel; 0:
// DefaultParallel), never more than the targets, and within limit, the
// process's open-files limit (OpenFilesLimit). An explicit --parallel
// that does not fit is a usage error naming the limit; the default
// shrinks to fit.
func Parallel(requested, targets int, limit uint64) (int, error) {
	if requested < 0 {
		return 0, fmt.Errorf("--parallel %d: want 1 or more (0: the default, %d)", requested, DefaultParallel)
	}
	fit := 0
	if limit > FilesReserve {
		fit = int(min((limit-FilesReserve)/FilesPerTarget, 1<<20))
	}
	n := requested
	if n == 0 {
		n = min(DefaultParallel, max(fit, 0))
	}
	n = min(n, targets)
	if targets == 0 {
		return 0, nil
	}
	if n > fit || n == 0 {
		want := max(n, 1)
		return 0, fmt.Errorf("%d targets at once need about %d open files (%d a target and %d for the process); the open-files limit (ulimit -n) is %d: run at most %d at once (--parallel), or raise the limit",
			want, FilesReserve+want*FilesPerTarget, FilesPerTarget, FilesReserve, limit, fit)
	}
	return n, nil
}
