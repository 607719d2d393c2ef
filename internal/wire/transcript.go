package wire

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits that keep a transcript readable and bounded whatever the server sends.
const (
	// MaxPayload is the longest payload kept in a Frame; longer ones are cut with a note.
	MaxPayload = 4 << 10
	// MaxFrames is the most frames a Transcript keeps (the last one being a note that says so).
	MaxFrames = 10000
)

// Direction says who produced a transcript line.
type Direction string

// Directions of a Frame.
const (
	Sent     Direction = "send"
	Received Direction = "recv"
	Note     Direction = "note"
)

// Frame is one transcript line. Payload is already redacted.
type Frame struct {
	Conn    string        `json:"conn,omitempty"` // connection label (Options.Name)
	Dir     Direction     `json:"dir"`
	At      time.Duration `json:"at"`   // offset from the transcript's start
	Kind    string        `json:"kind"` // "text", "binary", "close", "error", "note"
	Payload string        `json:"payload"`
}

// Transcript records the frames of one or more connections (a case may open several and share one
// transcript). Payloads are redacted when recorded and again when read, so a secret registered after
// a frame was recorded is still hidden. Concurrency safe; a nil *Transcript records nothing.
type Transcript struct {
	red   *Redactor
	start time.Time

	mu      sync.Mutex
	frames  []Frame
	omitted int
}

// NewTranscript starts a transcript now; r may be nil (no redaction).
func NewTranscript(r *Redactor) *Transcript {
	return &Transcript{red: r, start: time.Now()}
}

// Redactor returns the Redactor the transcript uses (may be nil).
func (t *Transcript) Redactor() *Redactor {
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

// Add records one frame. It redacts payload; payloads longer than MaxPayload are truncated with a
// note "...(N bytes total)". Redaction happens before the cut, so a cut never leaves part of a secret.
func (t *Transcript) Add(conn string, dir Direction, kind, payload string) {
	if t == nil {
		return
	}
	at := t.Elapsed()
	payload = t.prepare(payload)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case len(t.frames) < MaxFrames-1:
		t.frames = append(t.frames, Frame{Conn: conn, Dir: dir, At: at, Kind: kind, Payload: payload})
	case len(t.frames) == MaxFrames-1:
		t.frames = append(t.frames, Frame{Conn: conn, Dir: Note, At: at, Kind: "note",
			Payload: fmt.Sprintf("transcript limit of %d frames reached; later frames are not recorded", MaxFrames)})
		t.omitted++
	default:
		t.omitted++
	}
}

func (t *Transcript) prepare(payload string) string {
	if len(payload) <= MaxPayload {
		return t.red.Redact(payload)
	}
	limit := MaxPayload
	for limit > 0 && !utf8.RuneStart(payload[limit]) {
		limit--
	}
	out, _ := t.red.redactUpTo(payload, limit)
	return fmt.Sprintf("%s...(%d bytes total)", out, len(payload))
}

// full reports whether the transcript has stopped recording.
func (t *Transcript) full() bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.frames) >= MaxFrames
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

// Frames returns a copy of the recorded frames.
func (t *Transcript) Frames() []Frame {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	out := make([]Frame, len(t.frames))
	copy(out, t.frames)
	t.mu.Unlock()
	for i := range out {
		out[i].Payload = t.red.Redact(out[i].Payload)
	}
	return out
}

// String renders one line per frame: "+0.012s a > {json}" ('>' sent, '<' received, '#' note).
// Frames other than text, binary and note are prefixed with their kind ("< close code 1000 ...").
// Line breaks inside a payload are escaped so that one frame stays one line.
func (t *Transcript) String() string {
	var b strings.Builder
	for _, f := range t.Frames() {
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
		payload = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(payload)
		fmt.Fprintf(&b, "+%.3fs %s %s %s\n", f.At.Seconds(), conn, arrow, payload)
	}
	return b.String()
}
