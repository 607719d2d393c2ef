package generate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// The transition tour. Exploration walks the simulated target breadth
// first from its initial state over every input of the alphabet on two
// connections; a node is the abstract state of both connections and the
// lockout counter, with the classes of the tokens held (which inputs can
// be sent). Every (abstract state, input class) pair met is reachable; an
// input whose accepted answers lead to different abstract states (the
// reading allows either mode, or a refusal) is a leaf: a tour may end with
// it, never go on from it, so that the tour is valid for every conformant
// target, not only for the model's first answer.
//
// The tour then covers every reachable pair: from the initial state it
// takes an uncovered pair where one is at hand, else walks the explored
// graph to the nearest node that has one, and starts again from the
// initial state when none is reachable or the sequence is long enough.

// conns are the connections a tour uses: two, so that one can hold a mode
// while the other is displaced, fails, or holds the other mode.
var conns = []string{"a", "b"}

// instance is an input of the alphabet made concrete in one state: on a
// connection, with a token of one class.
type instance struct {
	id    string // input name, connection, token class: unique in a node
	input caselang.Input
	step  caselang.Step
}

// instances are the inputs that can be sent in s's state.
func instances(s *sim, open map[string]bool) []instance {
	var out []instance
	for i, conn := range conns {
		other := conns[1-i]
		var held []heldToken
		for _, h := range s.latest(conn) {
			h.whose = "own"
			held = append(held, h)
		}
		for _, h := range s.latest(other) {
			if !h.http { // the other's HTTP token: the pairwise rows send those
				h.whose = "other's"
				held = append(held, h)
			}
		}
		for _, in := range caselang.Tour {
			switch {
			case in.Close:
				if open[conn] {
					out = append(out, instance{id: in.Name + " " + conn, input: in, step: caselang.Step{Conn: conn, Do: caselang.Close{Abrupt: in.Abrupt}}})
				}
			case in.HTTP && in.Tokens == "":
				if conn == conns[0] { // the HTTP server has no connection: once
					out = append(out, instance{id: in.Name, input: in, step: caselang.Step{Do: caselang.HTTPGet{Shape: in.Shape}}})
				}
			case in.HTTP:
				for _, h := range held {
					if h.whose == "own" && h.http == (in.Tokens == "http") && (h.http || strings.HasSuffix(h.class, " sure)")) {
						out = append(out, instance{id: in.Name + " " + conn + " " + h.class, input: in,
							step: caselang.Step{Do: caselang.HTTPGet{Token: h.v, Shape: in.Shape}}})
					}
				}
			case in.Tokens != "":
				for _, h := range held {
					if h.http || !strings.HasSuffix(h.class, " sure)") {
						// An HTTP token as API credentials, a token whose
						// fate the reading leaves open: the covering array
						// and the TOK cases send those; here they would
						// end the tour.
						continue
					}
					r := in.Request
					r.Credentials = h.v
					out = append(out, instance{id: in.Name + " " + conn + " " + h.whose + " " + h.class, input: in,
						step: caselang.Step{Conn: conn, Do: caselang.Send{Request: r}}})
				}
			default:
				out = append(out, instance{id: in.Name + " " + conn, input: in,
					step: caselang.Step{Conn: conn, Do: caselang.Send{Request: in.Request}}})
			}
		}
	}
	return out
}

// node is an explored state.
type node struct {
	key string
	// path is how the exploration reached it from the initial state: the
	// instance ids, in order.
	path []string
	// pairs are the reachable pairs of this node by instance id, next the
	// node each instance leads to.
	pairs map[string]string
	next  map[string]string
	// disrupt says the instance displaces a connection or clears tokens.
	disrupt map[string]bool
	order   []string // instance ids in order
}

// pair is a transition: an abstract state and an input class.
type pair struct{ state, class string }

func (p pair) String() string { return p.state + " :: " + p.class }

// explored is the graph of one profile.
type explored struct {
	nodes map[string]*node
	root  string
	// reach is every reachable pair; reqs the requirements the model
	// judges each under (for the cases' citations).
	reach map[string]bool
	reqs  map[string][]string
	// open are the pairs whose next state the answer decides.
	open map[string]bool
	// accepted is what the reading accepts for each pair, as first met;
	// coarse lists the pairs for which another concrete state of the same
	// abstract state accepts something else (the abstraction is too
	// coarse there).
	accepted map[string]string
	coarse   []string
}

// state is a sim with the connections open so far; recover says a
// success is owed (a wrong credential, or an answer the tour could not
// predict, came since the last).
type state struct {
	s       *sim
	open    map[string]bool
	recover bool
	// inputs name the steps taken; disrupted says one displaced a
	// connection or cleared tokens (the case is then disruptive).
	inputs    []string
	disrupted bool
	// wrong counts the wrong credentials the segment sends.
	wrong int
}

func (st state) clone() state {
	o := map[string]bool{}
	for k, v := range st.open {
		o[k] = v
	}
	return state{s: st.s.clone(), open: o, recover: st.recover, inputs: slices.Clone(st.inputs), disrupted: st.disrupted}
}

// nodeKey is the abstract state with the token classes held.
func (st state) nodeKey() string {
	var held []string
	for _, c := range conns {
		for _, h := range st.s.latest(c) {
			if h.http || strings.HasSuffix(h.class, " sure)") { // the tokens the tour sends
				held = append(held, c+":"+h.class)
			}
		}
	}
	var open []string
	for _, c := range conns {
		if st.open[c] {
			open = append(open, c)
		}
	}
	return fmt.Sprintf("%s open=%s held=%s recover=%t", st.s.key(), strings.Join(open, ","), strings.Join(held, ","), st.recover)
}

// distinct reports whether the branches end in different abstract states.
func distinct(nexts []*sim) bool {
	for _, n := range nexts[1:] {
		if n.key() != nexts[0].key() {
			return true
		}
	}
	return false
}

// maxNodes bounds the exploration: a model change that makes the graph
// explode fails the generator instead of running for ever.
const maxNodes = 20000

// explore explores the graph of a simulated profile.
func explore(newState func() state) (*explored, error) {
	root := newState()
	probe := root.clone()
	canRecover := probe.try("login-admin", "a", false) || probe.try("login-user", "a", false)
	e := &explored{nodes: map[string]*node{}, root: root.nodeKey(), reach: map[string]bool{}, reqs: map[string][]string{}, open: map[string]bool{}, accepted: map[string]string{}}
	type item struct {
		st   state
		path []string
	}
	queue := []item{{root, nil}}
	e.nodes[e.root] = &node{key: e.root}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		n := e.nodes[it.st.nodeKey()]
		n.path = it.path
		n.pairs, n.next, n.disrupt = map[string]string{}, map[string]string{}, map[string]bool{}
		for _, in := range instances(it.st.s, it.st.open) {
			mo, ok := it.st.s.peek(in.step, false)
			if !ok {
				continue
			}
			nexts, reqs, open := it.st.s.branches(in.step)
			if len(nexts) == 0 {
				continue // the model contradicts itself: its own tests say so
			}
			if in.step.SendsWrongCredential() && (it.st.recover || !canRecover) {
				// A wrong credential before the last was recovered from
				// (cases.Validate: a device may lock out after two), or
				// where nothing can log in to recover from it.
				continue
			}
			nx := it.st.clone()
			nx.take(in.step, in.input.Name)
			if nx.s.m.Streak() >= 2 {
				// Two wrong credentials in a row: from here a server may
				// refuse anything with 6 for a while (RC-6). The RC-6
				// cases go there; a tour does not.
				continue
			}
			p := pair{mo.state, mo.class}.String()
			if was, ok := e.accepted[p]; !ok {
				e.accepted[p] = mo.accepted
			} else if was != mo.accepted {
				e.coarse = append(e.coarse, fmt.Sprintf("%s: %s in one state, %s in another (reached by %s)", p, was, mo.accepted, strings.Join(it.path, "; ")))
			}
			if open || distinct(nexts) || strings.Contains(nx.s.key(), "unknown") {
				// The answer decides what follows (the reading allows a
				// success or a refusal, or says nothing): not a transition
				// of the tour. The covering array sends such requests.
				e.open[p] = true
				continue
			}
			n.order = append(n.order, in.id)
			n.pairs[in.id] = p
			n.disrupt[in.id] = in.input.Disruptive || displaces(it.st.s, nx.s, in.step.ConnName())
			e.reach[p] = true
			for _, r := range reqs {
				if !slices.Contains(e.reqs[p], r) {
					e.reqs[p] = append(e.reqs[p], r)
				}
			}
			k := nx.nodeKey()
			n.next[in.id] = k
			if _, seen := e.nodes[k]; !seen {
				if len(e.nodes) >= maxNodes {
					return nil, errTooBig
				}
				e.nodes[k] = &node{key: k}
				queue = append(queue, item{nx, append(slices.Clone(it.path), in.id)})
			}
		}
	}
	return e, nil
}

// errTooBig says the abstraction grew beyond maxNodes.
var errTooBig = fmt.Errorf("generate: the explored graph has more than %d nodes: the abstraction is too fine", maxNodes)

// maxSteps is the length at which a tour sequence ends (and the next starts
// from the initial state): a case short enough to read.
const maxSteps = 120

// maxWrongPerCase bounds the wrong credentials of one generated case, so
// that a paced run (--pace, at most N-2 a lockout window) runs every one
// against a device whose lockout takes 5 or more, waiting only between
// cases.
const maxWrongPerCase = 3

// tour returns segments of steps, each from the initial state, that
// together cover every reachable pair of e: first those it can reach
// without displacing a connection or clearing tokens (cases a live target
// runs by default), then the rest (disruptive cases).
func (e *explored) tour(newState func() state) ([]segment, error) {
	uncovered := map[string]bool{}
	for p := range e.reach {
		uncovered[p] = true
	}
	var segs []segment
	for _, disrupt := range []bool{false, true} {
		s, err := e.tourPass(newState, uncovered, disrupt)
		if err != nil {
			return nil, err
		}
		segs = append(segs, s...)
	}
	if len(uncovered) > 0 {
		return nil, fmt.Errorf("generate: %d pairs the tour cannot reach, e.g. %s", len(uncovered), first(uncovered))
	}
	return segs, nil
}

// tourPass covers what it can of uncovered, with disruptive inputs or
// without.
func (e *explored) tourPass(newState func() state, uncovered map[string]bool, disrupt bool) ([]segment, error) {
	var segs []segment
	for len(uncovered) > 0 {
		st := newState()
		key := st.nodeKey()
		covers := 0
		for len(st.s.steps) < maxSteps {
			n := e.nodes[key]
			id := n.pick(uncovered, disrupt)
			if id == "" {
				id = e.toward(key, uncovered, disrupt)
				if id == "" {
					break
				}
			}
			in, ok := find(instances(st.s, st.open), id)
			if !ok {
				return nil, fmt.Errorf("generate: input %q of node %q is not there when the tour reaches it", id, key)
			}
			step := in.step
			if step.SendsWrongCredential() && st.wrong >= maxWrongPerCase {
				break // the rest in the next case
			}
			p := n.pairs[id]
			if uncovered[p] {
				delete(uncovered, p)
				covers++
			}
			if _, isClose := step.Do.(caselang.Close); !isClose {
				step.Expect = []caselang.Check{caselang.AsTheReadingSays(citationOf(step, e.reqs[p]))}
			}
			st.take(step, in.input.Name)
			if k := st.nodeKey(); k != n.next[id] {
				return nil, fmt.Errorf("generate: input %q from node %q reached %q, not %q", id, key, k, n.next[id])
			}
			key = n.next[id]
		}
		if covers == 0 {
			break // what is left needs the other pass
		}
		st.finish()
		segs = append(segs, segment{steps: st.s.steps, inputs: st.inputs, covers: covers, disruptive: st.disrupted, kind: "tour"})
	}
	return segs, nil
}

// pick returns the first input of the node whose pair is uncovered (not
// a disruptive one unless disrupt).
func (n *node) pick(uncovered map[string]bool, disrupt bool) string {
	for _, id := range n.order {
		if uncovered[n.pairs[id]] && (disrupt || !n.disrupt[id]) {
			return id
		}
	}
	return ""
}

// toward returns the first input on a shortest path from node key to a
// node with an uncovered pair, "" if there is none.
func (e *explored) toward(key string, uncovered map[string]bool, disrupt bool) string {
	type hop struct{ key, first string }
	seen := map[string]bool{key: true}
	queue := []hop{{key, ""}}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		n := e.nodes[h.key]
		if h.first != "" {
			if n.pick(uncovered, disrupt) != "" {
				return h.first
			}
		}
		for _, id := range n.order {
			k, ok := n.next[id]
			if !ok || seen[k] || (!disrupt && n.disrupt[id]) {
				continue
			}
			seen[k] = true
			f := h.first
			if f == "" {
				f = id
			}
			queue = append(queue, hop{k, f})
		}
	}
	return ""
}

func find(ins []instance, id string) (instance, bool) {
	for _, in := range ins {
		if in.id == id {
			return in, true
		}
	}
	return instance{}, false
}

func first(m map[string]bool) string {
	ks := slices.Sorted(maps.Keys(m))
	return ks[0]
}

// displaces reports whether a step on conn took another connection's mode
// from it (SEC-4): a case that does so is disruptive.
func displaces(before, after *sim, conn string) bool {
	for _, c := range conns {
		if c != conn && before.m.ConnClass(c, before.now) != "displaced" && after.m.ConnClass(c, after.now) == "displaced" {
			return true
		}
	}
	return false
}
