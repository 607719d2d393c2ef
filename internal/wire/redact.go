package wire

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// minSecretLen: shorter secrets would shred ordinary text ("1" would redact every digit).
const minSecretLen = 3

// writerSoftLimit is how much a RedactingWriter holds back when no newline comes, so that a console
// writer that never prints a newline cannot grow without bound.
const writerSoftLimit = 64 << 10

// Redactor replaces registered secrets in any text. Safe for concurrent use; one Redactor is shared
// by a whole run so that a token learned in one case is redacted in every artifact. A nil *Redactor
// redacts nothing.
type Redactor struct {
	mu      sync.RWMutex
	secrets []secret // longest first, so a secret containing another is redacted whole
	known   map[string]bool
	maxLen  int
}

type secret struct {
	text  string
	label string
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor {
	return &Redactor{known: map[string]bool{}}
}

// Add registers the secret s under a label; output shows "[REDACTED:label]". Secrets shorter than 3
// bytes are ignored (they would shred ordinary text). It also registers the secret's JSON-escaped forms
// (json.Marshal with and without HTML escaping, without the quotes) and its XML/HTML-escaped form
// (html.EscapeString), because transcripts hold raw JSON and reports hold XML/HTML, and its URL-escaped
// forms (query and path), because tokens travel in query strings. Adding a known
// secret again keeps its first label.
func (r *Redactor) Add(label, s string) {
	if r == nil || len(s) < minSecretLen {
		return
	}
	// URL-escaped forms too: a token travels in a query string (the HTTP
	// server's ?token=), and a server may echo the URL back.
	forms := []string{s, jsonEscape(s, true), jsonEscape(s, false), html.EscapeString(s), url.QueryEscape(s), url.PathEscape(s)}
	r.mu.Lock()
	defer r.mu.Unlock()
	added := false
	for _, f := range forms {
		if f == "" || r.known[f] {
			continue
		}
		r.known[f] = true
		r.secrets = append(r.secrets, secret{text: f, label: label})
		r.maxLen = max(r.maxLen, len(f))
		added = true
	}
	if added {
		sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i].text) > len(r.secrets[j].text) })
	}
}

// jsonEscape returns s as it appears inside a JSON string, without the quotes.
func jsonEscape(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		return ""
	}
	out := strings.TrimSuffix(b.String(), "\n")
	if len(out) < 2 {
		return ""
	}
	return out[1 : len(out)-1]
}

// Redact returns s with every registered secret replaced by "[REDACTED:label]". Occurrences that
// overlap are merged and replaced by one marker carrying the longest secret's label, so no byte of
// any secret survives, whatever the order of registration.
func (r *Redactor) Redact(s string) string {
	out, _ := r.redactUpTo(s, len(s))
	return out
}

// RedactBytes is Redact for byte slices.
func (r *Redactor) RedactBytes(b []byte) []byte {
	if r == nil || len(b) == 0 {
		return b
	}
	return []byte(r.Redact(string(b)))
}

// Contains reports whether s contains any registered secret (in any registered form).
func (r *Redactor) Contains(s string) bool {
	if r == nil {
		return false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, sec := range r.secrets {
		if strings.Contains(s, sec.text) {
			return true
		}
	}
	return false
}

// Len returns the number of registered strings (secrets and their escaped forms).
func (r *Redactor) Len() int {
	if r == nil {
		return 0
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.secrets)
}

type interval struct {
	start, end int
	label      string
	secretLen  int
}

// redactUpTo redacts the prefix s[:limit] of s. consumed (>= limit) is how many bytes of s the
// output covers: when a secret occurrence crosses limit, the whole occurrence is replaced and
// consumed extends to its end. That lets callers (transcript truncation, the streaming writer) cut
// text without ever leaving part of a secret that a whole-text redaction would have removed.
func (r *Redactor) redactUpTo(s string, limit int) (out string, consumed int) {
	limit = min(max(limit, 0), len(s))
	if r == nil {
		return s[:limit], limit
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.secrets) == 0 {
		return s[:limit], limit
	}
	// Every occurrence that starts before limit ends before limit+maxLen.
	region := s[:min(len(s), limit+r.maxLen)]
	var ivs []interval
	for _, sec := range r.secrets {
		for from := 0; from < limit; {
			i := strings.Index(region[from:], sec.text)
			if i < 0 || from+i >= limit {
				break
			}
			start := from + i
			ivs = append(ivs, interval{start: start, end: start + len(sec.text), label: sec.label, secretLen: len(sec.text)})
			from = start + len(sec.text)
		}
	}
	if len(ivs) == 0 {
		return s[:limit], limit
	}
	sort.Slice(ivs, func(i, j int) bool {
		if ivs[i].start != ivs[j].start {
			return ivs[i].start < ivs[j].start
		}
		return ivs[i].end > ivs[j].end
	})
	merged := ivs[:1]
	for _, iv := range ivs[1:] {
		last := &merged[len(merged)-1]
		if iv.start < last.end {
			last.end = max(last.end, iv.end)
			if iv.secretLen > last.secretLen {
				last.label, last.secretLen = iv.label, iv.secretLen
			}
			continue
		}
		merged = append(merged, iv)
	}
	consumed = limit
	var b strings.Builder
	b.Grow(limit)
	pos := 0
	for _, iv := range merged {
		b.WriteString(s[pos:iv.start])
		b.WriteString("[REDACTED:")
		b.WriteString(iv.label)
		b.WriteString("]")
		pos = iv.end
		consumed = max(consumed, iv.end)
	}
	if pos < consumed {
		b.WriteString(s[pos:consumed])
	}
	return b.String(), consumed
}

func (r *Redactor) maxSecretLen() int {
	if r == nil {
		return 0
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.maxLen
}

// Writer returns an io.Writer that redacts and forwards to w (used to wrap the console). It holds
// text back up to the last newline so that a secret split across two Write calls is still caught;
// Flush writes the rest. A secret that contains a newline can therefore escape it.
func (r *Redactor) Writer(w io.Writer) *RedactingWriter {
	return &RedactingWriter{r: r, w: w}
}

// RedactingWriter redacts what is written to it; see Redactor.Writer. Safe for concurrent use.
type RedactingWriter struct {
	r   *Redactor
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

// Write buffers p, then writes the redacted text up to the last newline. It returns len(p) when the
// bytes were accepted, with the underlying writer's error if forwarding failed.
func (w *RedactingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	var err error
	if i := bytes.LastIndexByte(w.buf, '\n'); i >= 0 {
		err = w.emit(w.r.Redact(string(w.buf[:i+1])), i+1)
	}
	if err == nil && len(w.buf) > writerSoftLimit {
		// No newline for a long time: write all but a tail that may hold the start of a secret.
		keep := max(w.r.maxSecretLen()-1, 0)
		out, consumed := w.r.redactUpTo(string(w.buf), len(w.buf)-keep)
		err = w.emit(out, consumed)
	}
	return len(p), err
}

// emit writes out and drops the first n bytes of the buffer.
func (w *RedactingWriter) emit(out string, n int) error {
	w.buf = append(w.buf[:0], w.buf[n:]...)
	if out == "" {
		return nil
	}
	_, err := io.WriteString(w.w, out)
	return err
}

// Flush writes the held-back text (redacted).
func (w *RedactingWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	return w.emit(w.r.Redact(string(w.buf)), len(w.buf))
}
