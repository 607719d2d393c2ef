package engine

import (
	"math"
	"strconv"
	"time"

	"github.com/roomconform/conform/caselang"
)

// What a case may wait on, at most: every dial, exchange, close, quiet
// window and HTTP request the engine makes for it, the ones it adds to the
// case's own steps included (the state probes after every auth exchange,
// observe.go; the ordering barriers, barrier.go; the token exercises,
// exercise.go; the closes; the check that the target is still there,
// runner.go). Each is bounded on its own (the target's dial and response
// timeouts, the quiet window), so their sum bounds the case, and a spec
// timeout made of it never cuts off a target that answers in time.
// The restore of a reconfiguring case is bounded apart (RestoreBound), the
// waits for lifetimes and lockouts too (the case's settings say them).
//
// Keep it in step with the engine: a new request the engine sends, or a
// new wait, is counted here. TestBoundCoversWhatCasesDo holds the count
// to what every case does against the reference server.

// Bound counts what a case may wait on, by kind of wait.
type Bound struct {
	// Dials are WebSocket handshakes, each within the dial timeout.
	Dials int
	// Exchanges are requests written and answers awaited (a frame written
	// alone counts as one), each within the response timeout.
	Exchanges int
	// Closes are connections ended: the close handshake within the
	// response timeout, then the wait for the server to finish with it
	// (settle: the response timeout where the target can tell, else
	// closeSettle).
	Closes int
	// Quiet are quiet windows: listening after an answer for what a target
	// not known to order its output may still send.
	Quiet int
	// HTTP are HTTP requests (the HTTP server, config.json), each within
	// the response timeout, its dial included.
	HTTP int
	// Estimate says part of the bound is an estimate, not a maximum: an
	// exploration's walks have a random length (rapid draws them by their
	// average) and its shrinking is bounded by time (Wait).
	Estimate bool
	// Wait is real time the case may spend beyond its exchanges (an
	// exploration shrinking a walk).
	Wait time.Duration
}

// Add returns the sum of b and o.
func (b Bound) Add(o Bound) Bound {
	return Bound{Dials: satAdd(b.Dials, o.Dials), Exchanges: satAdd(b.Exchanges, o.Exchanges), Closes: satAdd(b.Closes, o.Closes),
		Quiet: satAdd(b.Quiet, o.Quiet), HTTP: satAdd(b.HTTP, o.HTTP), Estimate: b.Estimate || o.Estimate, Wait: satDur(b.Wait, o.Wait)}
}

// Max returns the larger of b and o in each kind of wait.
func (b Bound) Max(o Bound) Bound {
	return Bound{Dials: max(b.Dials, o.Dials), Exchanges: max(b.Exchanges, o.Exchanges), Closes: max(b.Closes, o.Closes),
		Quiet: max(b.Quiet, o.Quiet), HTTP: max(b.HTTP, o.HTTP), Estimate: b.Estimate || o.Estimate, Wait: max(b.Wait, o.Wait)}
}

// Times returns b n times over.
func (b Bound) Times(n int) Bound {
	return Bound{Dials: satMul(b.Dials, n), Exchanges: satMul(b.Exchanges, n), Closes: satMul(b.Closes, n),
		Quiet: satMul(b.Quiet, n), HTTP: satMul(b.HTTP, n), Estimate: b.Estimate, Wait: satDur(0, time.Duration(satMul(int(b.Wait), n)))}
}

// Time is how long b may take against target t, at most: each wait at its
// bound. It saturates: absurd settings make a long time, never a negative
// one.
func (b Bound) Time(t Target) time.Duration {
	t = t.withDefaults()
	settle := closeSettle
	if t.Gone != nil {
		settle = t.ResponseTimeout
	}
	total := b.Wait
	for _, w := range []struct {
		n    int
		each time.Duration
	}{
		{b.Dials, t.DialTimeout},
		{b.Exchanges, t.ResponseTimeout},
		{b.Closes, satDur(t.ResponseTimeout, settle)},
		{b.Quiet, t.QuietWindow},
		{b.HTTP, t.ResponseTimeout},
	} {
		total = satDur(total, mulDur(w.each, w.n))
	}
	return total
}

// CaseBound is what case c may wait on, at most, with settings set (the
// repeat counts, the poll's limit and interval) and, when virtual, on a
// virtual clock (where a token's life is exercised too). It is derived
// from the steps alone, so it holds whatever the target answers, in time.
func CaseBound(c caselang.Case, set caselang.Settings, virtual bool) Bound {
	set = set.WithDefaults()
	b, conns, tokens := stepsBound(c, set)
	if tokens > 0 {
		// Every token the case obtained may be exercised, each as costly
		// as the costliest kind of token. The case's connections are
		// closed first; each exercise opens a connection of its own, left
		// open until the end.
		per, perConns := exerciseBound(set, virtual)
		b = b.Add(Bound{Closes: conns}).Add(per.Times(tokens)).Add(Bound{Closes: satMul(perConns, tokens)})
	}
	return b
}

// stepsBound is what case c may wait on without its token exercises: its
// steps and its end, where every connection still open is closed and,
// after a failed dial or a wait that ran out, the engine checks that the
// target is still there (a dial and one exchange). It also returns how
// many connections the steps use and the most tokens their answers can
// carry.
func stepsBound(c caselang.Case, set caselang.Settings) (b Bound, conns, tokens int) {
	names := map[string]bool{}
	for _, s := range c.Steps {
		b = b.Add(stepBound(s, set))
		if usesConnection(s) {
			names[s.ConnName()] = true
		}
		if a, ok := s.Do.(caselang.Send); ok {
			tokens = satAdd(tokens, satMul(repeats(a, set), tokensIn(a.Request.MethodName())))
		}
	}
	return b.Add(Bound{Closes: len(names), Dials: 1, Exchanges: 1}), len(names), tokens
}

// tokensIn is how many tokens the answer to a request of method can carry
// that the engine may exercise: the tokens the model registers (an auth
// answer's token, tokenForHttpServer and overlayHttpToken;
// getTokenForHttpServer's token).
func tokensIn(method string) int {
	switch method {
	case "auth":
		return 3
	case "getTokenForHttpServer":
		return 1
	}
	return 0
}

// exerciseBound is the most one token's exercises may wait on, whatever
// the token's kind (caselang.HTTPExercises, APIExercises, LifeExercises: the
// life only on a virtual clock), and how many connections they open.
func exerciseBound(set caselang.Settings, virtual bool) (Bound, int) {
	var most Bound
	mostConns := 0
	for _, ref := range []caselang.TokenRef{
		{Step: "s", Field: "token", Mode: caselang.Admin, Root: "s", Floor: caselang.APITokenLife}, {Step: "s", Field: "token", Mode: caselang.User, Root: "s", Floor: caselang.PINTokenFloor},
		{Step: "s", Field: "tokenForHttpServer", HTTP: true, Mode: caselang.Admin}, {Step: "s", Field: "tokenForHttpServer", HTTP: true, Mode: caselang.User},
		{Step: "s", Field: "token", Mode: caselang.User, Leaked: true}, {Step: "s", Field: "tokenForHttpServer", HTTP: true, Leaked: true},
	} {
		n := 0
		next := func() string {
			n++
			return "x" + strconv.Itoa(n)
		}
		steps := caselang.HTTPExercises(ref)
		safe, risky := caselang.APIExercises(ref, next)
		steps = append(append(steps, safe...), risky...)
		if virtual {
			steps = append(steps, caselang.LifeExercises(ref, next)...)
		}
		var b Bound
		for _, s := range steps {
			b = b.Add(stepBound(s, set))
		}
		most = most.Max(b)
		mostConns = max(mostConns, n)
	}
	return most, mostConns
}

// usesConnection reports whether step s opens or uses its WebSocket
// connection (an HTTP request or config.json does not).
func usesConnection(s caselang.Step) bool {
	switch s.Do.(type) {
	case caselang.HTTPGet, caselang.Discover, caselang.Explore:
		return false
	}
	return true
}

// repeats is how many times a Send step sends its request.
func repeats(a caselang.Send, set caselang.Settings) int {
	if a.RepeatFor != "" {
		n, _ := a.RepeatFor.Of(set)
		return max(1, n)
	}
	return max(1, a.Repeat)
}

// stepBound is the most one step may wait on, by its kind (one file each:
// send.go, abort.go, close.go, httpget.go, await.go, raw.go, discover.go,
// poll.go, reconfigure.go; an exploration's walks are internal/explore's).
func stepBound(s caselang.Step, set caselang.Settings) Bound {
	switch a := s.Do.(type) {
	case caselang.Send:
		return sendBound(a, a.Request.MethodName() == "auth").Times(repeats(a, set))
	case caselang.Abort:
		// The request written, the connection dropped, the server's end
		// awaited (counted as a close).
		return Bound{Dials: 1, Exchanges: 1, Closes: 1}
	case caselang.Close:
		return Bound{Closes: 1}
	case caselang.HTTPGet, caselang.Discover:
		return Bound{HTTP: 1}
	case caselang.Await:
		// A barrier, then the quiet window once.
		return Bound{Exchanges: 1, Quiet: 1}
	case caselang.Raw:
		// The frame written, a barrier after it, the quiet window, the
		// server's end awaited if it closed.
		return Bound{Dials: 1, Exchanges: 2, Quiet: 1, Closes: 1}
	case caselang.Poll:
		limit, _ := a.Limit.Of(set)
		attempts := math.MaxInt32 // no interval: only the limit bounds it
		if set.PollInterval > 0 {
			attempts = satAdd(int(min(limit/set.PollInterval, math.MaxInt32)), 1)
		}
		// Each attempt on a fresh connection: the last one closed, a dial,
		// the request.
		return Bound{Closes: 1, Dials: 1, Exchanges: 1}.Times(attempts)
	case caselang.Explore:
		// Each move at most an auth request on one of the walk's three
		// connections and its probes, or a close; each walk ends with up to
		// two logins and its connections closed. rapid draws a walk's
		// length by its average (a.Steps, counted twice here) and retries
		// walks it skipped, and shrinks a failing one within its own time:
		// an estimate.
		move := sendBound(caselang.Send{}, true).Add(Bound{Closes: 1})
		walk := move.Times(satMul(2, a.Steps)).Add(sendBound(caselang.Send{}, true).Times(2)).Add(Bound{Closes: 5})
		b := walk.Times(max(1, a.Walks))
		b.Estimate, b.Wait = true, time.Minute
		return b
	case caselang.Reconfigure:
		// getAuthInfo and getSystemInfo before the first change (the
		// protection as found, the user PIN, the device's identity for the
		// journal), the change, getAuthInfo after it. The restore is bounded
		// apart (RestoreBound).
		return Bound{Dials: 1, Exchanges: 4}
	}
	// A kind not listed here: as much as an auth request.
	return sendBound(caselang.Send{}, true)
}

// sendBound is the most one request may wait on (sendOnce): a dial, the
// request (after a repetition's close), and then either the barrier that
// tells a skipped request from a slow one, or what follows an answer: the
// barrier and the quiet window of "exactly one response", and after an
// auth exchange the state probes (observe.go) on the connection and on the
// one other the exchange may have changed (the holder of the mode it
// granted: the model changes no other), each a getAuthInfo and, on a
// connection without a mode, a getTokenForHttpServer, and for a displaced
// one a barrier and the quiet window.
func sendBound(a caselang.Send, auth bool) Bound {
	after := 0
	quiet := 0
	if a.ExactlyOne != "" {
		after++
		quiet++
	}
	if auth {
		after += 2*2 + 1
		quiet++
	}
	b := Bound{Dials: 1, Exchanges: 1 + max(1, after), Quiet: quiet}
	if max(1, a.Repeat) > 1 || a.RepeatFor != "" {
		b.Closes = 1 // each repetition on a fresh connection
	}
	return b
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a > 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

func satDur(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// mulDur is d times n, saturating.
func mulDur(d time.Duration, n int) time.Duration {
	if d <= 0 || n <= 0 {
		return 0
	}
	if int64(n) > math.MaxInt64/int64(d) {
		return math.MaxInt64
	}
	return d * time.Duration(n)
}
