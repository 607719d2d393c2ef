package redact

import (
	"bytes"
	"slices"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// pattern is one folded form of a secret.
type pattern struct {
	text  []byte
	label string
	// lead and trail are bytes of text the pattern needs around the secret
	// but leaves in place (a value's quotes: ValueOnly).
	lead, trail int
}

// level is an immutable Aho-Corasick automaton over a set of patterns.
//
// The automaton is built over keys, not whole patterns: each pattern's
// shortest prefix that no other pattern of the level shares (the whole
// pattern when it is a prefix of another). A key hit is then verified
// against its one pattern. Tokens are long and random, so keys are a few
// bytes and the automaton stays small and fast however many secrets a run
// collects; a shared prefix (every token starting "1*") is stored once.
type level struct {
	patterns []pattern // in key order
	keys     [][]byte
	ac       ahocorasick.AhoCorasick
}

func newLevel(ps []pattern) *level {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b pattern) int { return bytes.Compare(a.text, b.text) })
	keys := make([][]byte, len(ps))
	for i, p := range ps {
		k := 0
		if i > 0 {
			k = max(k, commonPrefix(p.text, ps[i-1].text))
		}
		if i+1 < len(ps) {
			k = max(k, commonPrefix(p.text, ps[i+1].text))
		}
		keys[i] = p.text[:min(len(p.text), k+1)]
	}
	// No DFA: a run searches most text once (the reports) but builds a
	// level whenever new tokens came since the last search; the DFA's
	// 256-wide tables made the builds cost more than all the searching
	// (docs/performance.md).
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.StandardMatch})
	return &level{patterns: ps, keys: keys, ac: b.BuildByte(keys)}
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// hit is one occurrence of a pattern, as a span of raw text.
type hit struct {
	start, end int
	label      string
	size       int // the pattern's length: the longest names a merged span
}

// find appends every occurrence of the level's patterns in v.
func (l *level) find(v view, hits []hit) []hit {
	it := l.ac.IterOverlappingByte(v.b)
	for m := it.Next(); m != nil; m = it.Next() {
		p := l.patterns[m.Pattern()]
		at := m.Start()
		if at+len(p.text) > len(v.b) || !bytes.Equal(v.b[at:at+len(p.text)], p.text) {
			continue
		}
		last := at + len(p.text) - 1 - p.trail
		hits = append(hits, hit{start: v.rawStart(at + p.lead), end: v.rawEnd(last), label: p.label, size: len(p.text)})
	}
	return hits
}

// levels is a log-structured set of automata: new patterns go to a small
// pending list (its own small automaton, rebuilt when it changed); full
// pending lists become levels, and two levels of about the same size merge,
// like the digits of a binary counter. Adding n patterns costs O(n log n)
// in builds in all, and a search runs over O(log n) automata, so neither
// grows with the product of secrets and text.
//
// Many levels make every search pay once per level, so when the searching
// done since the levels last changed outweighs what rebuilding them as one
// would cost, they are compacted: a run that collects thousands of tokens
// and then writes its reports searches one automaton, not ten.
type levels struct {
	built    []*level // sizes strictly decreasing, roughly halving
	pending  []pattern
	pendingL *level // automaton over pending; nil when stale
	size     int    // bytes of all built patterns
	searched int    // bytes searched since built last changed
}

// pendingMax is how many patterns wait before they become a level.
const pendingMax = 64

func (ls *levels) add(p pattern) {
	ls.pending = append(ls.pending, p)
	ls.pendingL = nil
}

// settle turns waiting patterns into levels, merging the levels no more
// than twice their size: called when a search is about to use them, so
// that a burst of additions between two searches (a token in every answer)
// costs one build, not one per pendingMax patterns.
func (ls *levels) settle() {
	if len(ls.pending) < pendingMax {
		return
	}
	merged := ls.pending
	ls.pending = nil
	for n := len(ls.built); n > 0 && len(ls.built[n-1].patterns) <= 2*len(merged); n = len(ls.built) {
		merged = append(merged, ls.built[n-1].patterns...)
		ls.built = ls.built[:n-1]
	}
	ls.built = append(ls.built, newLevel(merged))
	for _, p := range merged {
		ls.size += len(p.text)
	}
	ls.searched = 0
}

// searching notes that n bytes are about to be searched, and compacts the
// built levels into one when the extra passes over those bytes have cost
// more than a rebuild would.
func (ls *levels) searching(n int) {
	ls.settle()
	passes := len(ls.built)
	if len(ls.pending) > 0 {
		passes++
	}
	if passes < 2 {
		return
	}
	ls.searched += n * (passes - 1)
	if ls.searched < ls.size {
		return
	}
	all := ls.pending
	for _, l := range ls.built {
		all = append(all, l.patterns...)
	}
	for _, p := range ls.pending {
		ls.size += len(p.text)
	}
	ls.built, ls.pending, ls.pendingL = []*level{newLevel(all)}, nil, nil
	ls.searched = 0
}

// snapshot returns the automata to search, building the pending one if it
// is stale. The result is immutable and safe to use without a lock.
func (ls *levels) snapshot() []*level {
	if ls.pendingL == nil && len(ls.pending) > 0 {
		ls.pendingL = newLevel(ls.pending)
	}
	out := slices.Clone(ls.built)
	if ls.pendingL != nil {
		out = append(out, ls.pendingL)
	}
	return out
}
