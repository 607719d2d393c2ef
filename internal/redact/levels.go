package redact

import "slices"

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
//
// Every build is held to MaxNodes with the levels it joins: a set that
// would exceed it is an error, and the Redactor overflows.
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

// builtNodes counts the nodes of the built levels but the last skip.
func (ls *levels) builtNodes(skip int) int {
	n := 0
	for _, l := range ls.built[:len(ls.built)-skip] {
		n += l.nodes()
	}
	return n
}

// settle turns waiting patterns into levels, merging the levels no more
// than twice their size: called when a search is about to use them, so
// that a burst of additions between two searches (a token in every answer)
// costs one build, not one per pendingMax patterns.
func (ls *levels) settle() error {
	if len(ls.pending) < pendingMax {
		return nil
	}
	merged := slices.Clone(ls.pending)
	skip := 0
	for n := len(ls.built); n > skip && len(ls.built[n-1-skip].patterns) <= 2*len(merged); {
		merged = append(merged, ls.built[n-1-skip].patterns...)
		skip++
	}
	l, err := newLevel(merged, MaxNodes-ls.builtNodes(skip))
	if err != nil {
		return err
	}
	ls.built = append(ls.built[:len(ls.built)-skip], l)
	for _, p := range ls.pending {
		ls.size += len(p.text)
	}
	ls.pending, ls.pendingL = nil, nil
	ls.searched = 0
	return nil
}

// searching notes that n bytes are about to be searched, and compacts the
// built levels into one when the extra passes over those bytes have cost
// more than a rebuild would.
func (ls *levels) searching(n int) error {
	if err := ls.settle(); err != nil {
		return err
	}
	passes := len(ls.built)
	if len(ls.pending) > 0 {
		passes++
	}
	if passes < 2 {
		return nil
	}
	ls.searched += n * (passes - 1)
	if ls.searched < ls.size {
		return nil
	}
	all := slices.Clone(ls.pending)
	for _, l := range ls.built {
		all = append(all, l.patterns...)
	}
	l, err := newLevel(all, MaxNodes)
	if err != nil {
		return err
	}
	for _, p := range ls.pending {
		ls.size += len(p.text)
	}
	ls.built, ls.pending, ls.pendingL = []*level{l}, nil, nil
	ls.searched = 0
	return nil
}

// snapshot returns the automata to search, building the pending one if it
// is stale. The result is immutable and safe to use without a lock.
func (ls *levels) snapshot() ([]*level, error) {
	if ls.pendingL == nil && len(ls.pending) > 0 {
		l, err := newLevel(ls.pending, MaxNodes-ls.builtNodes(0))
		if err != nil {
			return nil, err
		}
		ls.pendingL = l
	}
	out := slices.Clone(ls.built)
	if ls.pendingL != nil {
		out = append(out, ls.pendingL)
	}
	return out, nil
}
