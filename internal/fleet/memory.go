package fleet

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Where Linux says how much memory the process may use: the cgroup's
// limit (v2, then v1) and the system's available memory.
var (
	cgroupFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}
	meminfo     = "/proc/meminfo"
)

// MemoryLimit is the memory the process may use: the lower of its
// container's (cgroup) limit and the system's available memory, in bytes;
// 0 when neither is known (another system: no bound is applied).
// container is the cgroup's limit alone (0: none), which a fleet gives
// the garbage collector as its soft limit.
func MemoryLimit() (limit, container uint64) {
	for _, f := range cgroupFiles {
		if b, err := os.ReadFile(f); err == nil {
			if v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64); err == nil && v < 1<<60 {
				container = v // "max" or a huge v1 value: no limit
				break
			}
		}
	}
	limit = container
	if avail := available(); avail > 0 && (limit == 0 || avail < limit) {
		limit = avail
	}
	return limit, container
}

// available is MemAvailable of /proc/meminfo in bytes (0: unknown).
func available() uint64 {
	f, err := os.Open(meminfo)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
