package fleet

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/roomconform/conform/reports"
)

// MaxShards bounds N: more shards than that is a typo.
const MaxShards = 10000

// ShardOf is the shard (1..n) of the target named name: the first 8 bytes
// of SHA-256(name) as a big-endian integer, mod n, plus 1. It depends on
// the name alone, so adding or removing targets never moves another, and
// any tool can compute it (`printf %s NAME | sha256sum`: the first 16 hex
// digits, mod N, plus 1).
func ShardOf(name string, n int) int {
	sum := sha256.Sum256([]byte(name))
	return int(binary.BigEndian.Uint64(sum[:8])%uint64(n)) + 1
}

// Assign returns every target with its shard (1 for all when shard is
// nil: the whole fleet in one run) and the targets of shard, in the
// file's order.
func Assign(ts []Target, shard *reports.Shard) (all []reports.Assigned, mine []Target) {
	all = make([]reports.Assigned, 0, len(ts))
	for _, t := range ts {
		k := 1
		if shard != nil {
			k = ShardOf(t.Name, shard.N)
		}
		all = append(all, reports.Assigned{Name: t.Name, Shard: k})
		if shard == nil || k == shard.K {
			mine = append(mine, t)
		}
	}
	return all, mine
}

// SelectShard is the shard this run is: --shard K/N (flag, 1-based);
// without it GitLab's CI_NODE_INDEX/CI_NODE_TOTAL (1-based, set by
// `parallel:`); or Kubernetes' JOB_COMPLETION_INDEX (0-based, an Indexed
// Job), which does not say the total: --shard-total N gives it. nil: not
// sharded. Every error is one line (exit 2).
func SelectShard(flag string, total int, getenv func(string) string) (*reports.Shard, error) {
	if total < 0 || total > MaxShards {
		return nil, fmt.Errorf("--shard-total %d: want 1..%d", total, MaxShards)
	}
	if flag != "" {
		if total != 0 {
			return nil, fmt.Errorf("--shard and --shard-total do not go together: --shard K/N says the total (--shard-total is for JOB_COMPLETION_INDEX)")
		}
		k, n, ok := strings.Cut(flag, "/")
		s, err := shardOf(k, n, 1)
		if !ok || err != nil {
			return nil, fmt.Errorf("--shard %s: want K/N, 1 <= K <= N <= %d (1-based, e.g. 2/3)", flag, MaxShards)
		}
		return s, nil
	}
	if idx := getenv("JOB_COMPLETION_INDEX"); total != 0 || (idx != "" && getenv("CI_NODE_TOTAL") == "") {
		switch {
		case idx == "":
			return nil, fmt.Errorf("--shard-total %d is the total of a Kubernetes Indexed Job: JOB_COMPLETION_INDEX is not set (use --shard K/N elsewhere)", total)
		case total == 0:
			return nil, fmt.Errorf("JOB_COMPLETION_INDEX=%q is set (a Kubernetes Indexed Job) but the shard count is not: give --shard-total N (the Job's completions)", idx)
		}
		s, err := shardOf(idx, strconv.Itoa(total), 0)
		if err != nil {
			return nil, fmt.Errorf("JOB_COMPLETION_INDEX=%q with --shard-total %d: want 0 <= index < %d", idx, total, total)
		}
		return s, nil
	}
	idx, n := getenv("CI_NODE_INDEX"), getenv("CI_NODE_TOTAL")
	if idx == "" {
		// GitLab sets CI_NODE_TOTAL=1 in every job, CI_NODE_INDEX only in
		// a `parallel:` one: without the index the job is not sharded.
		return nil, nil
	}
	if n == "" {
		return nil, fmt.Errorf("CI_NODE_INDEX=%q is set but CI_NODE_TOTAL is not (GitLab sets both in a parallel job)", idx)
	}
	s, err := shardOf(idx, n, 1)
	if err != nil {
		return nil, fmt.Errorf("CI_NODE_INDEX=%q, CI_NODE_TOTAL=%q: want 1 <= index <= total <= %d", idx, n, MaxShards)
	}
	return s, nil
}

// shardOf parses an index (base: 0 or 1) and a total into a 1-based shard.
func shardOf(k, n string, base int) (*reports.Shard, error) {
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	ki += 1 - base
	if err1 != nil || err2 != nil || ni < 1 || ni > MaxShards || ki < 1 || ki > ni {
		return nil, fmt.Errorf("bad shard %s/%s", k, n)
	}
	return &reports.Shard{K: ki, N: ni}, nil
}
