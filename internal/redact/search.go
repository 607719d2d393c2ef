package redact

import "sort"

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
