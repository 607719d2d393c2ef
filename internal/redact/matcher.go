package redact

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"slices"
	"sort"
	"strings"
)

// pattern is one folded form of a secret. head and tail are what may
// stand before and after it, and is redacted with it as far as it does:
// the characters at the ends of a base64 form that encode bits of the
// secret but share their 3-byte group with bytes around it ('?' stands for
// any base64 character, where the bits of a neighbour mix in).
type pattern struct {
	text       string
	label      string
	head, tail string
	// lead and trail are bytes of text the pattern needs around the secret
	// but leaves in place (a value's quotes: ValueOnly).
	lead, trail int
}

// MaxNodes bounds the nodes of all the automata together (about 70 MiB;
// 29 bytes a node while a level is built): what the matcher holds grows
// with them, not with the bytes of the patterns, which share nodes when
// they share prefixes. Secrets built to share long prefixes in pairs make
// a node of nearly every byte; past the bound the Redactor overflows, as
// it does past MaxSecrets. MaxSecrets ordinary tokens with all their forms
// need about 140,000 (TestOrdinaryTokensFit).
const MaxNodes = 4 << 20

// errTooLarge and errTooMuchWork end redaction: the text is withheld.
var (
	errTooLarge    = errors.New("the automaton would exceed its bound")
	errTooMuchWork = errors.New("matching would exceed its bound on work")
)

// level is an immutable Aho-Corasick automaton over a set of patterns.
//
// The automaton is built over keys, not whole patterns: each pattern's
// shortest prefix that no other pattern of the level shares (the whole
// pattern when it is a prefix of another). A key hit is then verified
// against its one pattern. Tokens are long and random, so keys are a few
// bytes and the automaton stays small and fast however many secrets a run
// collects; a shared prefix (every token starting "1*") is stored once.
//
// The trie is laid out breadth first, so the children of a node are
// consecutive nodes, and stored as arrays: a node costs 17 bytes, whatever
// its fan-out. Matches are found by output links (the nearest suffix that
// ends a key), never copied into each state, so the automaton is linear in
// its nodes even when keys are suffixes of each other.
type level struct {
	patterns []pattern // in key order; pattern i has key patterns[i].text[:keyLen[i]]
	keyLen   []int32
	restHash []uint64 // of a pattern's rest after its key, when longer than shortRest
	restPow  []uint64 // hashBase to the length of that rest
	label    []byte   // label[n]: the byte on the edge into node n
	first    []int32  // children of n: nodes first[n] .. first[n+1]-1 (len nodes+1)
	fail     []int32  // the longest proper suffix of n's string that is a node
	out      []int32  // the key that ends at n, or -1
	dict     []int32  // the nearest node on n's failure chain that ends a key, 0 for none
	root     [256]int32
}

// nodes is the number of nodes of the level's trie.
func (l *level) nodes() int { return len(l.label) }

// sortedKeys sorts ps and returns each pattern's key length (see level).
func sortedKeys(ps []pattern) []int32 {
	slices.SortFunc(ps, func(a, b pattern) int { return strings.Compare(a.text, b.text) })
	keys := make([]int32, len(ps))
	for i, p := range ps {
		k := 0
		if i > 0 {
			k = max(k, commonPrefix(p.text, ps[i-1].text))
		}
		if i+1 < len(ps) {
			k = max(k, commonPrefix(p.text, ps[i+1].text))
		}
		keys[i] = int32(min(len(p.text), k+1))
	}
	return keys
}

// trieNodes counts the nodes of the trie over the keys, root included,
// without building it: each key adds the bytes it does not share with the
// one before (sorted keys share most with their neighbour).
func trieNodes(ps []pattern, keys []int32) int {
	n := 1
	for i := range ps {
		k := ps[i].text[:keys[i]]
		shared := 0
		if i > 0 {
			shared = commonPrefix(k, ps[i-1].text[:keys[i-1]])
		}
		n += len(k) - shared
	}
	return n
}

// newLevel builds the automaton over ps, unless its trie would have more
// than budget nodes.
func newLevel(ps []pattern, budget int) (*level, error) {
	ps = slices.Clone(ps)
	keyLen := sortedKeys(ps)
	n := trieNodes(ps, keyLen)
	if n > budget {
		return nil, errTooLarge
	}
	l := &level{patterns: ps, keyLen: keyLen, restHash: make([]uint64, len(ps)), restPow: make([]uint64, len(ps)),
		label: make([]byte, 1, n), first: make([]int32, 1, n+1), fail: make([]int32, n), out: make([]int32, 1, n), dict: make([]int32, n)}
	for i, p := range ps {
		if rest := p.text[keyLen[i]:]; len(rest) > shortRest {
			l.restHash[i], l.restPow[i] = hashOf(rest), power(len(rest))
		}
	}
	l.out[0] = -1
	// Breadth first: node i stands for the keys lo[i]..hi[i]-1, which
	// share its string of depth[i] bytes. Keys are sorted and distinct, so
	// the one that ends at a node comes first, and children come out in
	// byte order.
	lo, hi, depth := make([]int32, 1, n), make([]int32, 1, n), make([]int32, 1, n)
	hi[0] = int32(len(ps))
	for i := 0; i < len(l.label); i++ {
		a, b, d := lo[i], hi[i], depth[i]
		if a < b && keyLen[a] == d {
			l.out[i] = a
			a++
		}
		for a < b {
			c := ps[a].text[d]
			e := a + 1
			for e < b && ps[e].text[d] == c {
				e++
			}
			l.label = append(l.label, c)
			l.out = append(l.out, -1)
			lo, hi, depth = append(lo, a), append(hi, e), append(depth, d+1)
			a = e
		}
		l.first = append(l.first, int32(len(l.label)))
	}
	// first[i+1] is where node i's children end, and so where node i+1's
	// begin; the root's begin at node 1.
	l.first[0] = 1
	for c := l.first[0]; c < l.first[1]; c++ {
		l.root[l.label[c]] = c
	}
	// Failure and output links, breadth first: a node's failure is found
	// from its parent's, which is shallower.
	for u := int32(0); u < int32(len(l.label)); u++ {
		for v := l.first[u]; v < l.first[u+1]; v++ {
			f := int32(0)
			if u != 0 {
				f = l.next(l.fail[u], l.label[v])
			}
			l.fail[v] = f
			if l.out[f] >= 0 {
				l.dict[v] = f
			} else {
				l.dict[v] = l.dict[f]
			}
		}
	}
	return l, nil
}

// child returns the child of n along c, or -1.
func (l *level) child(n int32, c byte) int32 {
	if n == 0 {
		if t := l.root[c]; t != 0 {
			return t
		}
		return -1
	}
	a, b := l.first[n], l.first[n+1]
	if b-a <= 8 {
		for t := a; t < b; t++ {
			if l.label[t] == c {
				return t
			}
		}
		return -1
	}
	t := a + int32(sort.Search(int(b-a), func(i int) bool { return l.label[a+int32(i)] >= c }))
	if t < b && l.label[t] == c {
		return t
	}
	return -1
}

// next is the goto function: the state after reading c in state n.
func (l *level) next(n int32, c byte) int32 {
	for {
		if t := l.child(n, c); t >= 0 {
			return t
		}
		if n == 0 {
			return 0
		}
		n = l.fail[n]
	}
}

// around reports whether c, in a folded view, matches want of a head or
// tail: '?' matches any base64 character of either alphabet.
func around(c, want byte) bool {
	if want != '?' {
		return c == want
	}
	return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// matchLen is the length of the common prefix of b and p, compared a
// block at a time: it is the work of verifying a key hit.
func matchLen(b []byte, p string) int {
	n := min(len(b), len(p))
	i := 0
	for ; i+64 <= n; i += 64 {
		if string(b[i:i+64]) != p[i:i+64] {
			break
		}
	}
	for ; i < n && b[i] == p[i]; i++ {
	}
	return i
}

func commonPrefix(a, b string) int {
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

// search is the state of one redaction: the hits found so far (merged
// whenever they pile up, so that they stay within a few per byte of text
// however many secrets overlap) and the work left (key hits and the bytes
// compared to verify them) before the text is given up as built to make
// matching slow.
type search struct {
	hits    []hit
	compact int // merge the hits when there are more
	work    int
	cut     bool // the text is the beginning of a longer one (RedactCut)
	rawLen  int

	// Of the view being searched: the bytes of long rests compared, its
	// prefix hashes (nil until needed), and where the earliest secret found
	// to run past the cut starts.
	compared int
	prefix   []uint64
	tailFrom int
}

// newView readies s for searching v.
func (s *search) newView(v view) {
	s.compared, s.prefix = 0, nil
	s.tailFrom = len(v.b)
	s.work += workPerByte * len(v.b)
}

// Work allowed per byte of every view searched, and in any case: a key hit
// costs one step and the bytes compared to verify a short rest; many
// secrets that are suffixes of each other (a periodic text) would cost
// their number at every byte.
const (
	workPerByte = 32
	workBase    = 1 << 20
)

func (s *search) add(h hit) {
	if n := len(s.hits); n > 0 {
		// Matches ending at one byte come longest first: the later ones
		// are usually inside the first.
		if last := s.hits[n-1]; last.start <= h.start && h.end <= last.end && h.size <= last.size {
			return
		}
	}
	s.hits = append(s.hits, h)
	if len(s.hits) > s.compact {
		s.hits = merge(s.hits)
		s.compact = 2*len(s.hits) + 1024
	}
}

// cutSlack is how many bytes at the end of a cut view may differ from a
// secret that runs past the cut: an escape cut open is not decoded.
const cutSlack = 16

// find adds every occurrence of the level's patterns in v.
//
// A key hit is verified against the rest of its pattern by comparing bytes,
// as long as the bytes compared stay within a few times the view's length
// (occurrences of secrets lie side by side), and by a hash beyond: a long
// secret that repeats its key (a 4 KiB credential made of one PIN over and
// over) has a key hit every few bytes of its own occurrence, and comparing
// each would cost its length at every one of them. A hash collision can
// only redact more than a secret.
func (l *level) find(v view, s *search) error {
	state := int32(0)
	for i, c := range v.b {
		state = l.next(state, c)
		n := state
		if l.out[n] < 0 {
			n = l.dict[n]
		}
		for ; n > 0; n = l.dict[n] {
			k := l.out[n]
			pt := &l.patterns[k]
			p := pt.text
			kl := int(l.keyLen[k])
			at := i - kl + 1
			end := at + len(p)
			s.work--
			if s.work < 0 {
				return errTooMuchWork
			}
			switch {
			case end <= len(v.b):
				// Most key hits are told apart from their pattern within a
				// few bytes.
				rest := len(p) - kl
				first := min(rest, shortRest)
				same := matchLen(v.b[at+kl:at+kl+first], p[kl:kl+first])
				s.work -= same
				if same < first {
					continue
				}
				if rest > shortRest {
					if s.compared+rest <= 4*len(v.b)+compareBase {
						s.compared += rest
						if string(v.b[at+kl+first:end]) != p[kl+first:] {
							continue
						}
					} else if s.hash(v, at+kl, end, l.restPow[k]) != l.restHash[k] {
						continue
					}
				}
				for j := len(pt.head) - 1; j >= 0 && at > 0 && around(v.b[at-1], pt.head[j]); j-- {
					at--
				}
				for j := 0; j < len(pt.tail) && end < len(v.b) && around(v.b[end], pt.tail[j]); j++ {
					end++
				}
				s.add(hit{start: v.rawStart(at + pt.lead), end: v.rawEnd(end - 1 - pt.trail), label: pt.label, size: len(p)})
			case s.cut && at < s.tailFrom:
				// The secret may run past the cut: what the text has of it
				// (but an escape cut open at the very end) is its beginning.
				// Once one does, a later start adds nothing; and when
				// verifying would exceed the work left, it is taken as one.
				rest := v.b[at+kl:]
				if len(rest) <= s.work {
					same := matchLen(rest, p[kl:])
					s.work -= same
					if same < len(rest)-cutSlack {
						continue
					}
				}
				s.tailFrom = at
				s.add(hit{start: v.rawStart(at + pt.lead), end: s.rawLen, label: pt.label, size: len(p)})
			}
		}
	}
	return nil
}

// shortRest is how much of a pattern's rest after its key is compared
// first, and the longest rest verified byte by byte whatever the bytes
// compared so far; compareBase is how many bytes of longer rests are
// compared in any view before their hashes are.
const (
	shortRest   = 32
	compareBase = 64 << 10
)

// hashBase is the base of the polynomial hashes (mod 2^64) that verify
// long patterns, drawn for each process.
var hashBase = func() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) | 1
}()

// hashOf is the polynomial hash of b.
func hashOf(b string) uint64 {
	var h uint64
	for i := 0; i < len(b); i++ {
		h = h*hashBase + uint64(b[i])
	}
	return h
}

// power is hashBase to the n.
func power(n int) uint64 {
	r, b := uint64(1), hashBase
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r *= b
		}
		b *= b
	}
	return r
}

// hash is the hash of v.b[a:b], whose length has the power pw; the view's
// prefix hashes are made on first use.
func (s *search) hash(v view, a, b int, pw uint64) uint64 {
	if s.prefix == nil {
		s.prefix = make([]uint64, len(v.b)+1)
		for i, c := range v.b {
			s.prefix[i+1] = s.prefix[i]*hashBase + uint64(c)
		}
	}
	return s.prefix[b] - s.prefix[a]*pw
}

// merge sorts hits and merges the overlapping ones, each named after its
// longest secret.
func merge(hits []hit) []hit {
	if len(hits) == 0 {
		return hits
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].start != hits[j].start {
			return hits[i].start < hits[j].start
		}
		return hits[i].end > hits[j].end
	})
	merged := hits[:1]
	for _, h := range hits[1:] {
		last := &merged[len(merged)-1]
		if h.start < last.end {
			last.end = max(last.end, h.end)
			if h.size > last.size {
				last.label, last.size = h.label, h.size
			}
			continue
		}
		merged = append(merged, h)
	}
	return merged
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
