package engine

import (
	"strings"
	"sync"

	"github.com/roomconform/conform/internal/wire"
)

// Interop counts two conformant choices of the target that are known to
// break real clients (reports.InteropNotes says which, and how): a refusal
// ("result": false) without an error field, and a notification received on
// a connection after a request was sent on it and before that request's
// answer. Neither is a finding: they are counted from each case's
// transcript, the one record of every frame the case's connections sent
// and received (the getAuthInfo probes and barriers included), after the
// case. Safe for concurrent use.
type Interop struct {
	mu                           sync.Mutex
	refusals, eventsFirst        int
	refusalCase, eventsFirstCase string
}

// InteropSeen is how often one interop choice was seen, and the first case
// it was seen in.
type InteropSeen struct {
	Count   int
	Example string
}

// note counts what case caseID's transcript shows.
func (i *Interop) note(caseID string, tr *wire.Transcript) {
	refusals, eventsFirst := InteropOf(tr)
	if refusals+eventsFirst == 0 {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if refusals > 0 && i.refusalCase == "" {
		i.refusalCase = caseID
	}
	if eventsFirst > 0 && i.eventsFirstCase == "" {
		i.eventsFirstCase = caseID
	}
	i.refusals += refusals
	i.eventsFirst += eventsFirst
}

// Seen returns the refusals without error and the answers a notification
// came before, each with its first case.
func (i *Interop) Seen() (refusalsWithoutError, eventsBeforeAnswer InteropSeen) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return InteropSeen{i.refusals, i.refusalCase}, InteropSeen{i.eventsFirst, i.eventsFirstCase}
}

// InteropSeen returns what the runner's cases showed of the interop
// choices (Interop).
func (r *Runner) InteropSeen() (refusalsWithoutError, eventsBeforeAnswer InteropSeen) {
	return r.svc.Interop.Seen()
}

// InteropOf counts in a transcript the received answers that are refusals
// without error (a JSON object, not a notification, with "result": false
// and no "error" field), and the answers to a request with a requestId
// that came after a notification on the same connection which itself came
// after that request was sent. An answer is matched to its request by
// requestId (wire.IDMatches), so a request nothing answers, or one without
// requestId, never makes a later notification count. authorizationNeeded is
// not counted: another connection's login or change of protection sends it
// when that happens, and it may cross a request on the wire whatever order
// the target chooses (a displaced connection's notice does, on the
// reference server). Frames cut for their length are not read.
func InteropOf(tr *wire.Transcript) (refusalsWithoutError, eventsBeforeAnswer int) {
	// A request waiting for its answer, and whether a notification came
	// on its connection since it was sent.
	type waiting struct {
		id        any
		afterNote bool
	}
	// Most transcripts have neither choice, and every run reads every one
	// (a tenth of a run's processor time went to parsing them all again):
	// the answers are matched to their requests only when a notification
	// that counts came at all, and a refusal has the literal false in it.
	events := false
	tr.Scan(func(f wire.Frame) {
		if !events && f.Dir == wire.Received && f.Kind == "text" && f.Size == 0 && strings.Contains(f.Payload, `"event"`) {
			m := wire.ParseMessage([]byte(f.Payload), false)
			events = m.IsEvent() && m.Event() != "authorizationNeeded"
		}
	})
	pending := map[string][]waiting{}
	tr.Scan(func(f wire.Frame) {
		if f.Kind != "text" || f.Size > 0 {
			return
		}
		switch f.Dir {
		case wire.Sent:
			if !events || !strings.Contains(f.Payload, "requestId") {
				return // cheap: most frames decide here without a parse
			}
			if id, ok := wire.ParseMessage([]byte(f.Payload), false).RequestID(); ok {
				pending[f.Conn] = append(pending[f.Conn], waiting{id: id})
			}
		case wire.Received:
			if !events && !strings.Contains(f.Payload, "false") {
				return
			}
			m := wire.ParseMessage([]byte(f.Payload), false)
			if m.Fields == nil {
				return
			}
			if m.IsEvent() {
				if m.Event() == "authorizationNeeded" {
					// Another connection's login or change of protection
					// sends it at any moment: it may cross a request on the
					// wire whatever order the target chooses.
					return
				}
				for i := range pending[f.Conn] {
					pending[f.Conn][i].afterNote = true
				}
				return
			}
			if ok, isBool := m.Fields["result"].(bool); isBool && !ok {
				if _, has := m.Fields["error"]; !has {
					refusalsWithoutError++
				}
			}
			id, ok := m.RequestID()
			if !ok {
				return
			}
			ws := pending[f.Conn]
			for i, w := range ws {
				if wire.IDMatches(w.id, id) {
					if w.afterNote {
						eventsBeforeAnswer++
					}
					pending[f.Conn] = append(ws[:i:i], ws[i+1:]...)
					break
				}
			}
		}
	})
	return refusalsWithoutError, eventsBeforeAnswer
}
