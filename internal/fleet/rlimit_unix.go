//go:build unix

package fleet

import (
	"fmt"
	"syscall"
)

// OpenFilesLimit is the process's soft limit on open files (Go raises it
// to the hard limit at start on Linux and macOS).
func OpenFilesLimit() (uint64, error) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, fmt.Errorf("read the open-files limit: %w", err)
	}
	return r.Cur, nil
}
