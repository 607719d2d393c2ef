package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"regexp"
	"time"
	"unicode/utf8"
)

// Message is one frame received from the server.
type Message struct {
	Raw    []byte         // raw payload (not redacted; callers must not print it, they print transcripts)
	Binary bool           // arrived as a binary frame
	Fields map[string]any // the JSON object, decoded with json.Decoder.UseNumber(); nil when not a JSON object
	Err    error          // why Fields is nil: invalid JSON, JSON that is not an object, or binary frame
	At     time.Duration  // transcript offset when received

	cost int // what keeping it costs (storedCost), set when it is received
}

// Method returns Fields["method"] if it is a string, else "".
func (m Message) Method() string {
	s, _ := m.Fields["method"].(string)
	return s
}

// IsEvent reports whether the message is a notification (method "event"), which is never a response.
func (m Message) IsEvent() bool { return m.Method() == "event" }

// Event returns Fields["event"] if it is a string, else "".
func (m Message) Event() string {
	s, _ := m.Fields["event"].(string)
	return s
}

// RequestID returns Fields["requestId"] and whether it is present (a present null gives nil, true).
func (m Message) RequestID() (any, bool) {
	v, ok := m.Fields["requestId"]
	return v, ok
}

// ParseMessage decodes a received payload the way the client does: exactly one JSON object in a text
// frame, numbers kept as json.Number. Anything else leaves Fields nil and says why in Err.
func ParseMessage(raw []byte, binary bool) Message {
	m := Message{Raw: raw, Binary: binary}
	if binary {
		m.Err = fmt.Errorf("%w (%d bytes); the API uses text frames", ErrBinaryFrame, len(raw))
		return m
	}
	m.Fields, m.Err = decodeObject(raw)
	return m
}

// decodeObject decodes exactly one JSON object. UseNumber keeps numbers as written, so a requestId
// or resultCode like 1.0 or 1e0 is not silently turned into 1.
func decodeObject(raw []byte) (map[string]any, error) {
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalidJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty payload", ErrInvalidJSON)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidJSON, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the first JSON value", ErrInvalidJSON)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: got %s", ErrNotObject, jsonKind(v))
	}
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// IDMatches reports whether a response's requestId got answers a request sent with requestId sent.
// Strings match exactly. A number matches a number or a string with the same text or the same value,
// because some servers echo numeric ids as strings (or re-format them: 1e3 as 1000). Other values
// (null, booleans, objects) match when deeply equal.
func IDMatches(sent, got any) bool {
	switch s := sent.(type) {
	case string:
		g, ok := got.(string)
		return ok && g == s
	case json.Number:
		var text string
		switch g := got.(type) {
		case json.Number:
			text = g.String()
		case string:
			text = g
		default:
			return false
		}
		return text == s.String() || sameNumber(s.String(), text)
	}
	return reflect.DeepEqual(sent, got)
}

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$`)

func sameNumber(a, b string) bool {
	if len(a) > 100 || len(b) > 100 || !jsonNumberRE.MatchString(a) || !jsonNumberRE.MatchString(b) {
		return false // bounded length and exponent: big.Rat must not allocate without bound
	}
	ra, ok1 := new(big.Rat).SetString(a)
	rb, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && ra.Cmp(rb) == 0
}

// idText renders a requestId for messages (errors, notes).
func idText(id any) string {
	b, err := json.Marshal(id)
	if err != nil {
		return fmt.Sprint(id)
	}
	return string(b)
}
