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

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
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
