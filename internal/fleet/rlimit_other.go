//go:build !unix

package fleet

import "math"

// OpenFilesLimit is unbounded where the system has no such limit.
func OpenFilesLimit() (uint64, error) { return math.MaxUint64, nil }
