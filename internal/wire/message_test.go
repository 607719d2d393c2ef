package wire

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/roomconform/conform/internal/redact"
)

func TestParseMessage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		raw    string
		binary bool
		err    error
	}{
		{name: "object", raw: `{"method":"auth","requestId":"1","resultCode":0}`},
		{name: "trailing newline", raw: "{\"method\":\"auth\"}\n"},
		{name: "truncated", raw: `{"method":"auth",`, err: ErrInvalidJSON},
		{name: "empty", raw: ``, err: ErrInvalidJSON},
		{name: "two objects", raw: `{"a":1}{"b":2}`, err: ErrInvalidJSON},
		{name: "trailing garbage", raw: `{"a":1} x`, err: ErrInvalidJSON},
		{name: "invalid UTF-8", raw: "{\"a\":\"\xff\"}", err: ErrInvalidJSON},
		{name: "array", raw: `[1,2]`, err: ErrNotObject},
		{name: "string", raw: `"auth"`, err: ErrNotObject},
		{name: "null", raw: `null`, err: ErrNotObject},
		{name: "binary", raw: `{"method":"auth"}`, binary: true, err: ErrBinaryFrame},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := ParseMessage([]byte(tc.raw), tc.binary)
			if tc.err == nil {
				if m.Err != nil || m.Fields == nil {
					t.Fatalf("Err = %v, Fields = %v", m.Err, m.Fields)
				}
				return
			}
			if !errors.Is(m.Err, tc.err) || m.Fields != nil {
				t.Fatalf("Err = %v, want %v; Fields = %v", m.Err, tc.err, m.Fields)
			}
			if m.Binary != tc.binary || string(m.Raw) != tc.raw {
				t.Fatal("Raw/Binary not kept")
			}
		})
	}
}

func TestMessageAccessors(t *testing.T) {
	m := ParseMessage([]byte(`{"method":"event","event":"authorizationNeeded","cause":1,"requestId":7}`), false)
	if !m.IsEvent() || m.Method() != "event" || m.Event() != "authorizationNeeded" {
		t.Fatalf("accessors: %q %q", m.Method(), m.Event())
	}
	if id, ok := m.RequestID(); !ok || id != json.Number("7") {
		t.Fatalf("RequestID = %v %v", id, ok)
	}
	if m.Fields["cause"] != json.Number("1") {
		t.Fatalf("numbers must stay json.Number: %T", m.Fields["cause"])
	}
	odd := ParseMessage([]byte(`{"method":1,"event":true,"requestId":null}`), false)
	if odd.Method() != "" || odd.Event() != "" || odd.IsEvent() {
		t.Fatal("non-string method/event must read as empty")
	}
	if id, ok := odd.RequestID(); !ok || id != nil {
		t.Fatal("a null requestId is present")
	}
	if _, ok := (Message{}).RequestID(); ok {
		t.Fatal("no Fields, no requestId")
	}
}

func TestIDMatches(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	for _, tc := range []struct {
		sent, got any
		want      bool
	}{
		{"abc", "abc", true},
		{"abc", "ABC", false},
		{"7", n("7"), false}, // a string id echoed as a number is a different id
		{"", "", true},
		{n("7"), n("7"), true},
		{n("7"), "7", true}, // numeric id echoed as a string
		{n("7"), n("7.0"), true},
		{n("1e3"), n("1000"), true},
		{n("1e3"), "1000", true},
		{n("7"), n("8"), false},
		{n("7"), "07", false},
		{n("7"), "x", false},
		{n("7"), nil, false},
		{n("1e999"), n("1e998"), false},
		{n("1e99999999"), "1e99999999", true}, // same text, no arithmetic
		{n("1e99999999"), n("1e99999998"), false},
		{nil, nil, true},
		{true, true, true},
		{true, "true", false},
		{map[string]any{"a": n("1")}, map[string]any{"a": n("1")}, true},
	} {
		if got := IDMatches(tc.sent, tc.got); got != tc.want {
			t.Errorf("IDMatches(%#v, %#v) = %v, want %v", tc.sent, tc.got, got, tc.want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.Name != "a" || o.DialTimeout != DefaultDialTimeout || o.ResponseTimeout != DefaultResponseTimeout ||
		o.CloseTimeout != DefaultCloseTimeout || o.ReadLimit != DefaultReadLimit || o.MaxEvents != DefaultMaxEvents {
		t.Fatalf("defaults: %+v", o)
	}
	if o.Transcript == nil || o.Redactor == nil || o.Transcript.Redactor() != o.Redactor {
		t.Fatal("a transcript with a redactor must be created")
	}
	if len(o.AutoRedact) != len(DefaultAutoRedact) {
		t.Fatal("AutoRedact default")
	}
	r := redact.New()
	o = Options{Transcript: NewTranscript(r), ReadLimit: -5, MaxEvents: -1, AutoRedact: []string{}}.withDefaults()
	if o.Redactor != r || o.ReadLimit != -1 || o.MaxEvents != 0 || len(o.AutoRedact) != 0 {
		t.Fatalf("explicit values: %+v", o)
	}
}
