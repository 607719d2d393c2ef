package redact

import (
	"bytes"
	"io"
	"sync"
)

// writerSoftLimit is how much a Writer holds back when no newline comes, so
// that output that never prints a newline cannot grow without bound; past
// it, all but the last writerTail bytes (which may hold the start of a
// secret) are forwarded.
const (
	writerSoftLimit = 128 << 10
	writerTail      = 64 << 10
)

// Writer redacts what is written to it and forwards it, line by line, to
// an underlying writer (the console). It holds text back up to the last
// newline so that a secret split across two writes is still caught; Flush
// writes the rest. Filter, if set, runs on every redacted chunk before it
// is forwarded (terminal escaping). Safe for concurrent use.
//
// Once the Redactor has overflowed, a Writer forwards the Withheld marker
// once, on a line of its own, and nothing after it.
type Writer struct {
	r        *Redactor
	w        io.Writer
	filter   func(string) string
	mu       sync.Mutex
	buf      []byte
	withheld bool
}

// NewWriter returns a Writer that redacts with r (nil: nothing) and
// forwards to w, applying filter (nil: none) after redaction.
func NewWriter(r *Redactor, w io.Writer, filter func(string) string) *Writer {
	return &Writer{r: r, w: w, filter: filter}
}

// Write buffers p, then forwards the redacted text up to the last newline.
// It returns len(p) when the bytes were accepted, with the underlying
// writer's error if forwarding failed.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	var err error
	if i := bytes.LastIndexByte(w.buf, '\n'); i >= 0 {
		out, n := w.r.RedactPrefix(string(w.buf[:i+1]), i+1)
		err = w.emit(out, n)
	}
	if err == nil && len(w.buf) > writerSoftLimit {
		// No newline for long: forward all but a tail that may hold the
		// start of a secret.
		out, n := w.r.RedactPrefix(string(w.buf), len(w.buf)-writerTail)
		err = w.emit(out, n)
	}
	return len(p), err
}

// emit forwards out and drops the first n bytes of the buffer.
func (w *Writer) emit(out string, n int) error {
	w.buf = append(w.buf[:0], w.buf[n:]...)
	if w.r.Overflowed() {
		if w.withheld {
			return nil
		}
		w.withheld = true
		out = "\n" + Withheld + "\n"
	}
	if out == "" {
		return nil
	}
	if w.filter != nil {
		out = w.filter(out)
	}
	_, err := io.WriteString(w.w, out)
	return err
}

// Flush forwards the held-back text, redacted.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	return w.emit(w.r.Redact(string(w.buf)), len(w.buf))
}
