// Package wire is the WebSocket JSON client for the control API: bounded waits, notifications kept
// apart, redacted transcript.
//
// A conformance client must survive everything a broken server can do: answer late, answer twice,
// answer with a wrong requestId, send garbage, send an endless stream of notifications, or never
// answer at all. So every wait here is bounded, nothing a server sends is fatal to the client, every
// list a server can grow is capped, and everything on the wire is recorded in a Transcript whose
// payloads pass through a Redactor before they are read.
//
// coder/websocket closes a connection when a context deadline interrupts Conn.Read, so each Client
// runs exactly one read pump goroutine that reads with no deadline and hands messages over under a
// mutex; the waits (Call, Next, WaitEvent, Quiet) time out on their own without touching the
// connection.
package wire

import (
	"crypto/tls"
	"errors"
	"time"

	"github.com/roomconform/conform/internal/redact"
)

// ErrTimeout is wrapped by every wait that ran out (errors.Is works), so callers can tell a silent
// server from a broken connection.
var ErrTimeout = errors.New("timeout")

// ErrClosed is wrapped by every error caused by the connection having ended.
var ErrClosed = errors.New("connection closed")

// Errors wrapped by Message.Err; they say why a received frame has no Fields.
var (
	// ErrInvalidJSON: the text frame is not valid JSON (including invalid UTF-8 and trailing data).
	ErrInvalidJSON = errors.New("invalid JSON")
	// ErrNotObject: the text frame is valid JSON but not an object.
	ErrNotObject = errors.New("JSON value is not an object")
	// ErrBinaryFrame: the frame arrived as a binary frame; the API uses text frames only.
	ErrBinaryFrame = errors.New("binary frame")
)

// Defaults for Options; exported so that callers (flags, docs) can show them.
const (
	DefaultName            = "a"
	DefaultDialTimeout     = 5 * time.Second
	DefaultResponseTimeout = 5 * time.Second
	DefaultCloseTimeout    = 1 * time.Second
	DefaultReadLimit       = 1 << 20
	DefaultMaxEvents       = 1000
	// DefaultMaxStoredBytes bounds what one connection keeps of what it received (notifications,
	// queued, unsolicited and second answers; storedCost): a legitimate run keeps a few KiB.
	DefaultMaxStoredBytes = 8 << 20
)

// maxKept caps every other list a server can grow (queued, unsolicited and duplicate messages,
// remembered requestIds), for the same reason MaxEvents exists.
const maxKept = 1000

// DefaultAutoRedact lists the response fields that carry credentials in this API: tokens issued
// by auth and getTokenForHttpServer, and PINs from setAuthParams and getAuthInfo.
var DefaultAutoRedact = []string{"token", "tokenForHttpServer", "overlayHttpToken", "newPin", "pin"}

// Options configures Dial. The zero value is usable: every zero field takes its default.
type Options struct {
	// Name labels the connection in the transcript ("a", "b"), so a case that opens several
	// connections and shares one transcript stays readable. Default "a".
	Name string
	// DialTimeout bounds the WebSocket handshake (TCP, TLS and HTTP upgrade). Default 5 s.
	DialTimeout time.Duration
	// ResponseTimeout is the default bound for Call, Next and WaitEvent, and for writes. Default 5 s.
	ResponseTimeout time.Duration
	// CloseTimeout bounds the close handshake; after it the TCP connection is dropped. Default 1 s.
	CloseTimeout time.Duration
	// ReadLimit is the largest frame accepted from the server; a bigger one ends the connection
	// (reported in Err and the transcript). Default 1 MiB; negative means unlimited.
	ReadLimit int64
	// MaxEvents is how many notifications are kept; beyond that they are counted and dropped, so an
	// endless stream cannot eat memory. Default 1000; negative keeps none.
	MaxEvents int
	// MaxStoredBytes bounds the bytes (storedCost) of the messages the connection keeps:
	// notifications, messages queued for Call and Next, unsolicited and second answers. Beyond it
	// they are counted and dropped like notifications beyond MaxEvents; the queue always takes one
	// message when it is empty, so that an answer is never dropped for its size alone. Default
	// DefaultMaxStoredBytes.
	MaxStoredBytes int
	// Stored is the run's bound on what all its connections keep of what they received (kept
	// notifications, unsolicited and second answers); nil: each connection's own bound only.
	Stored *Budget
	// TLSConfig is used for wss:// (custom roots, InsecureSkipVerify).
	TLSConfig *tls.Config
	// Dial opens the connection (nil: the system's dialer).
	Dial DialFunc
	// Transcript is shared by the connections of one case; nil means a new one using Redactor.
	Transcript *Transcript
	// Redactor receives auto-redacted secrets. Nil means the Transcript's Redactor; when both are
	// nil, a private Redactor is created so that received tokens still never reach the transcript.
	Redactor *redact.Redactor
	// AutoRedact lists JSON field names whose string values in RECEIVED messages are registered
	// with the Redactor (label = field name) before the frame is recorded, at any depth of the
	// message (userAuth.pin, a token in a list). Number values count too (a PIN sent as 396).
	// Payloads that are not a JSON object are searched for "name":"value" text. nil means
	// DefaultAutoRedact; an empty non-nil slice disables auto-redaction.
	AutoRedact []string
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.ResponseTimeout <= 0 {
		o.ResponseTimeout = DefaultResponseTimeout
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = DefaultCloseTimeout
	}
	if o.ReadLimit == 0 {
		o.ReadLimit = DefaultReadLimit
	} else if o.ReadLimit < 0 {
		o.ReadLimit = -1
	}
	if o.MaxEvents == 0 {
		o.MaxEvents = DefaultMaxEvents
	} else if o.MaxEvents < 0 {
		o.MaxEvents = 0
	}
	if o.MaxStoredBytes <= 0 {
		o.MaxStoredBytes = DefaultMaxStoredBytes
	}
	if o.AutoRedact == nil {
		o.AutoRedact = DefaultAutoRedact
	}
	if o.Redactor == nil && o.Transcript != nil {
		o.Redactor = o.Transcript.red
	}
	if o.Transcript == nil {
		if o.Redactor == nil {
			o.Redactor = redact.New()
		}
		o.Transcript = NewTranscript(o.Redactor)
	}
	return o
}
