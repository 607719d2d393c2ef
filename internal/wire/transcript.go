package wire

import (
	"encoding/hex"
	"fmt"
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
	// MaxStored is how much of a payload is kept to be redacted when it is read: the shown
	// MaxPayload bytes and, after them, room for a secret that crosses the cut (an escaped token
	// is several times its length), so that it is redacted whole.
	MaxStored = 64 << 10
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

// Add records one frame. A payload longer than MaxPayload is kept only as far as reading it needs
// (MaxStored bytes).
func (t *Transcript) Add(conn string, dir Direction, kind, payload string) {
	if t == nil {
		return
	}
	at := t.Elapsed()
	f := Frame{Conn: conn, Dir: dir, At: at, Kind: kind, Payload: payload}
	if len(payload) > MaxPayload {
		f.Payload = payload[:min(len(payload), MaxStored)]
		f.Size = len(payload)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
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

// Notef records a note (Dir Note, Kind "note"), e.g. a timeout or a dropped late answer.
func (t *Transcript) Notef(conn, format string, args ...any) {
	t.Add(conn, Note, "note", fmt.Sprintf(format, args...))
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

// Frames returns the recorded frames with their payloads redacted and cut to MaxPayload (a cut
// never leaves part of a secret, and never splits a UTF-8 sequence); a cut payload ends with
// "...(N bytes total)".
func (t *Transcript) Frames() []Frame {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	out := make([]Frame, len(t.frames))
	copy(out, t.frames)
	t.mu.Unlock()
	for i := range out {
		out[i].Payload = t.render(out[i])
	}
	return out
}

// render redacts a frame's payload and cuts it for reading: the redaction sees the whole stored
// payload, so a secret crossing the cut is redacted whole, and the cut is in raw bytes, far before
// the end of what was stored (where a secret may have been cut by the storing).
func (t *Transcript) render(f Frame) string {
	if f.Kind == "binary" {
		return t.binary(f)
	}
	if f.Size == 0 {
		return t.red.Redact(f.Payload)
	}
	limit := MaxPayload
	for limit > 0 && limit < len(f.Payload) && !utf8.RuneStart(f.Payload[limit]) {
		limit--
	}
	out, _ := t.red.RedactPrefix(f.Payload, limit)
	return fmt.Sprintf("%s...(%d bytes total)", out, f.Size)
}

// binary shows a binary payload as its size and the hex of its first bytes, unless the payload
// holds a secret: the hex of part of one would not be redacted.
func (t *Transcript) binary(f Frame) string {
	size := max(f.Size, len(f.Payload))
	if t.red.Redact(f.Payload) != f.Payload {
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
// within t's limits.
func (t *Transcript) Append(other *Transcript) {
	if t == nil || other == nil {
		return
	}
	other.mu.Lock()
	frames := append([]Frame(nil), other.frames...)
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
}
