package wire

import (
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/term"
)

// Limits that keep a transcript readable and bounded whatever the server sends.
const (
	// MaxPayload is the longest payload shown for a Frame; longer ones are cut with a note.
	MaxPayload = 4 << 10
	// MaxStored is how much of a longer payload is kept, once the whole payload has been redacted
	// with every secret known when it was recorded: the shown MaxPayload bytes and room after them
	// for a secret registered later that crosses the cut (one that runs past what is kept is
	// still redacted from where it starts: redact.RedactCut).
	MaxStored = 8 << 10
	// MaxFrames is the most frames a Transcript keeps (the last one being a note that says so).
	MaxFrames = 10000
	// MaxBytes bounds the payload bytes a Transcript keeps in all; frames beyond are noted.
	MaxBytes = 16 << 20
)

// Direction says who produced a transcript line.
type Direction string

// Directions of a Frame.
const (
	Sent     Direction = "send"
	Received Direction = "recv"
	Note     Direction = "note"
)

// Frame is one transcript line.
type Frame struct {
	Conn    string        `json:"conn,omitempty"` // connection label (Options.Name)
	Dir     Direction     `json:"dir"`
	At      time.Duration `json:"at"`   // offset from the transcript's start
	Kind    string        `json:"kind"` // "text", "binary", "close", "error", "note"
	Payload string        `json:"payload"`
	// Size is the payload's length on the wire when it was cut (0: it was not).
	Size int `json:"size,omitempty"`
	// Step names the case's step whose request this frame is ("": none, or not a request).
	Step string `json:"step,omitempty"`

	cut    bool // what is kept of the payload is its beginning only
	show   int  // how much of what is kept is shown (a text payload cut when recorded)
	secret bool // a binary payload held a secret when it was recorded
}

// Transcript records the frames of one or more connections (a case may open several and share one
// transcript). It keeps payloads as they came and redacts them when they are read (Frames,
// String), once, with every secret the run knows by then: a secret registered after its frame was
// recorded is still hidden. Concurrency safe; a nil *Transcript records nothing.
type Transcript struct {
	red   *redact.Redactor
	start time.Time

	mu      sync.Mutex
	frames  []Frame
	bytes   int
	omitted int
	drops   map[string]*drops // per connection: what a Client did not store
	steps   map[string]string // per connection: the step whose request is the next frame sent
}

// drops counts the messages a connection dropped for its limits or the run's, and says what the
// limits were.
type drops struct {
	events, others int
	limits         string
}

// NewTranscript starts a transcript now; r may be nil (no redaction).
func NewTranscript(r *redact.Redactor) *Transcript {
	return &Transcript{red: r, start: time.Now()}
}

// Redactor returns the Redactor the transcript uses (may be nil).
func (t *Transcript) Redactor() *redact.Redactor {
	if t == nil {
		return nil
	}
	return t.red
}

// Elapsed is the offset from the transcript's start, the clock of Frame.At and Message.At.
func (t *Transcript) Elapsed() time.Duration {
	if t == nil {
		return 0
	}
	return time.Since(t.start)
}

// Add records one frame. A payload longer than MaxPayload is redacted whole now, with every
// secret known, and kept only as far as reading it needs (MaxStored bytes): no part of a secret,
// however long, is cut off from the rest of it before it is redacted.
func (t *Transcript) Add(conn string, dir Direction, kind, payload string) {
	if t == nil {
		return
	}
	at := t.Elapsed()
	f := Frame{Conn: conn, Dir: dir, At: at, Kind: kind, Payload: payload}
	if len(payload) > MaxPayload {
		f.Size = len(payload)
		f.Payload, f.show, f.cut, f.secret = t.keep(kind, payload)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if dir == Sent && t.steps[conn] != "" {
		f.Step = t.steps[conn]
		delete(t.steps, conn)
	}
	switch {
	case len(t.frames) < MaxFrames-1 && t.bytes+len(f.Payload) <= MaxBytes:
		t.frames = append(t.frames, f)
		t.bytes += len(f.Payload)
	case len(t.frames) < MaxFrames && t.omitted == 0:
		t.frames = append(t.frames, Frame{Conn: conn, Dir: Note, At: at, Kind: "note",
			Payload: fmt.Sprintf("transcript limit reached (%d frames or %d MiB); later frames are not recorded", MaxFrames, MaxBytes>>20)})
		t.omitted++
	default:
		t.omitted++
	}
}

// keep redacts a long payload whole and returns the beginning of it that reading needs, how much
// of that is shown (the first MaxPayload bytes, and any secret crossing the cut), whether that is
// less than the whole, and, for a binary payload (kept raw: it is shown as hex, or not at all),
// whether it held a secret.
func (t *Transcript) keep(kind, payload string) (kept string, show int, cut, secret bool) {
	if kind == "binary" {
		secret = t.red.Redact(payload) != payload
		return payload[:min(len(payload), MaxStored)], 0, len(payload) > MaxStored, secret
	}
	// The shown part is a prefix of the kept one: the same secrets replaced, up to a cut that no
	// secret crosses.
	// One search gives both.
	p := t.red.RedactPrefixes(payload, runeCut(payload, MaxPayload), runeCut(payload, MaxStored))
	shown, kept := p[0].Text, p[1].Text
	return kept, min(len(shown), len(kept)), p[1].Consumed < len(payload), false
}

// runeCut is the largest cut of s at most n that does not split a UTF-8 sequence.
func runeCut(s string, n int) int {
	n = min(n, len(s))
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// Step labels the next frame sent on connection conn as the request of the named step, so that a
// report can point at the frame a finding of that step is about; "" takes a label back that no
// frame took (a step that sent nothing).
func (t *Transcript) Step(conn, step string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if step == "" {
		delete(t.steps, conn)
		return
	}
	if t.steps == nil {
		t.steps = map[string]string{}
	}
	t.steps[conn] = step
}

// Notef records a note (Dir Note, Kind "note"), e.g. a timeout or a dropped late answer.
func (t *Transcript) Notef(conn, format string, args ...any) {
	t.Add(conn, Note, "note", fmt.Sprintf(format, args...))
}

// Scan calls fn with each frame recorded so far, in the order recorded, its payload as it was kept
// (not redacted: a caller reads its structure only and never shows it; Frames is what is shown).
// fn runs outside the transcript's lock.
func (t *Transcript) Scan(fn func(Frame)) {
	if t == nil {
		return
	}
	t.mu.Lock()
	frames := slices.Clone(t.frames)
	t.mu.Unlock()
	for _, f := range frames {
		fn(f)
	}
}

// Omitted is the number of frames not recorded because the transcript was full.
func (t *Transcript) Omitted() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.omitted
}

// dropped counts a message connection conn did not store (event: a notification) for the limits
// it names, for the note Frames ends with.
func (t *Transcript) dropped(conn string, event bool, limits string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.drops == nil {
		t.drops = map[string]*drops{}
	}
	d := t.drops[conn]
	if d == nil {
		d = &drops{}
		t.drops[conn] = d
	}
	if event {
		d.events++
	} else {
		d.others++
	}
	d.limits = limits
}

// Frames returns the recorded frames with their payloads redacted and cut to MaxPayload (a cut
// never leaves part of a secret, and never splits a UTF-8 sequence); a cut payload ends with
// "...(N bytes total)". When a connection dropped messages for its limits or the run's, a note
// per connection ends the frames and says how many ("a: 1200 notifications dropped ..."), also
// when the transcript itself is full.
func (t *Transcript) Frames() []Frame {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	out := make([]Frame, len(t.frames))
	copy(out, t.frames)
	notes := t.dropNotes()
	t.mu.Unlock()
	for i := range out {
		out[i].Payload = t.render(out[i])
	}
	if len(notes) > 0 && len(out) > 0 {
		for i := range notes {
			notes[i].At = out[len(out)-1].At
		}
	}
	return append(out, notes...)
}

// dropNotes are the notes of what each connection dropped, in the order of their names. t.mu
// must be held.
func (t *Transcript) dropNotes() []Frame {
	names := make([]string, 0, len(t.drops))
	for name := range t.drops {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []Frame
	for _, name := range names {
		d := t.drops[name]
		out = append(out, Frame{Conn: name, Dir: Note, Kind: "note", Payload: fmt.Sprintf(
			"%d notifications and %d other messages dropped on this connection, neither stored nor recorded (%s)",
			d.events, d.others, d.limits)})
	}
	return out
}

// render redacts a frame's payload and cuts it for reading: the redaction sees all that was kept,
// so a secret crossing the cut is redacted whole, and one registered after the frame was recorded
// that runs past what was kept is redacted from where it starts (RedactCut).
func (t *Transcript) render(f Frame) string {
	if f.Kind == "binary" {
		return t.binary(f)
	}
	if f.Size == 0 {
		return t.red.Redact(f.Payload)
	}
	var out string
	if f.cut {
		out, _ = t.red.RedactCut(f.Payload, f.show)
	} else {
		out, _ = t.red.RedactPrefix(f.Payload, f.show)
	}
	return fmt.Sprintf("%s...(%d bytes total)", out, f.Size)
}

// binary shows a binary payload as its size and the hex of its first bytes, unless the payload
// holds a secret: the hex of part of one would not be redacted.
func (t *Transcript) binary(f Frame) string {
	size := max(f.Size, len(f.Payload))
	redacted := t.red.Redact(f.Payload)
	if f.cut {
		redacted, _ = t.red.RedactCut(f.Payload, len(f.Payload))
	}
	if f.secret || redacted != f.Payload {
		return fmt.Sprintf("binary %d bytes (not shown: they hold a secret)", size)
	}
	b := []byte(f.Payload)
	return fmt.Sprintf("binary %d bytes: %s", size, hex.EncodeToString(b[:min(len(b), 32)]))
}

// String renders one line per frame: "+0.012s a > {json}" ('>' sent, '<' received, '#' note), for
// a terminal: frames other than text, binary and note are prefixed with their kind ("< close code
// 1000 ..."), line breaks inside a payload are escaped so that one frame stays one line, and
// control characters a target sent are shown escaped (term.Escape), never interpreted.
func (t *Transcript) String() string {
	var b strings.Builder
	for _, f := range t.Frames() {
		b.WriteString(FrameLine(f))
		b.WriteByte('\n')
	}
	return b.String()
}

// FrameLine renders one frame as String does.
func FrameLine(f Frame) string {
	arrow := "#"
	switch f.Dir {
	case Sent:
		arrow = ">"
	case Received:
		arrow = "<"
	}
	conn := f.Conn
	if conn == "" {
		conn = "-"
	}
	payload := f.Payload
	if f.Kind != "text" && f.Kind != "binary" && f.Kind != "note" {
		payload = f.Kind + " " + payload
	}
	payload = term.Escape(strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(payload))
	return fmt.Sprintf("+%.3fs %s %s %s", f.At.Seconds(), conn, arrow, payload)
}

// Append records every frame of other after t's own, as they are (the
// shortest failing walk of an exploration joins its case's transcript),
// within t's limits, and what other's connections dropped.
func (t *Transcript) Append(other *Transcript) {
	if t == nil || other == nil {
		return
	}
	other.mu.Lock()
	frames := append([]Frame(nil), other.frames...)
	dropped := map[string]drops{}
	for name, d := range other.drops {
		dropped[name] = *d
	}
	other.mu.Unlock()
	shift := other.start.Sub(t.start)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, f := range frames {
		f.At += shift
		if len(t.frames) >= MaxFrames-1 || t.bytes+len(f.Payload) > MaxBytes {
			t.omitted++
			continue
		}
		t.frames = append(t.frames, f)
		t.bytes += len(f.Payload)
	}
	for name, d := range dropped {
		if t.drops == nil {
			t.drops = map[string]*drops{}
		}
		mine := t.drops[name]
		if mine == nil {
			mine = &drops{}
			t.drops[name] = mine
		}
		mine.events += d.events
		mine.others += d.others
		mine.limits = d.limits
	}
}
