package engine_test

import (
	"testing"

	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/wire"
)

// TestInteropOf: what counts as a refusal without error and as an answer a
// notification came before, frame by frame, in a transcript built by hand.
func TestInteropOf(t *testing.T) {
	type fr struct {
		conn    string
		dir     wire.Direction
		payload string
	}
	const (
		req1     = `{"method":"auth","requestId":"1","type":"unsecured"}`
		ans1     = `{"method":"auth","requestId":"1","result":true,"resultCode":0}`
		event    = `{"method":"event","event":"appStateChanged","appState":3}`
		authNeed = `{"method":"event","event":"authorizationNeeded","cause":1}`
	)
	for _, tc := range []struct {
		name                 string
		frames               []fr
		refusals, eventFirst int
	}{
		{"a refusal with error", []fr{{"a", wire.Received, `{"method":"auth","requestId":"1","result":false,"resultCode":1,"error":"no"}`}}, 0, 0},
		{"a refusal without error", []fr{{"a", wire.Received, `{"method":"auth","requestId":"1","result":false,"resultCode":1}`}}, 1, 0},
		{"a refusal of another method without error", []fr{{"a", wire.Received, `{"method":"getAuthInfo","result":false}`}}, 1, 0},
		{"a success without error", []fr{{"a", wire.Received, ans1}}, 0, 0},
		{"result false as a string is no refusal", []fr{{"a", wire.Received, `{"method":"auth","result":"false"}`}}, 0, 0},
		{"a notification with result false is no answer", []fr{{"a", wire.Received, `{"method":"event","event":"x","result":false}`}}, 0, 0},
		{"a refusal in a frame that is not JSON", []fr{{"a", wire.Received, `{"result":false`}}, 0, 0},
		{"a notification before the answer", []fr{{"a", wire.Sent, req1}, {"a", wire.Received, event}, {"a", wire.Received, ans1}}, 0, 1},
		{"a notification after the answer", []fr{{"a", wire.Sent, req1}, {"a", wire.Received, ans1}, {"a", wire.Received, event}}, 0, 0},
		{"a notification before the request", []fr{{"a", wire.Received, event}, {"a", wire.Sent, req1}, {"a", wire.Received, ans1}}, 0, 0},
		{"a notification on another connection", []fr{{"a", wire.Sent, req1}, {"b", wire.Received, event}, {"a", wire.Received, ans1}}, 0, 0},
		{"authorizationNeeded may cross a request", []fr{{"a", wire.Sent, req1}, {"a", wire.Received, authNeed}, {"a", wire.Received, ans1}}, 0, 0},
		{"an answer that never comes", []fr{{"a", wire.Sent, req1}, {"a", wire.Received, event}}, 0, 0},
		{"a request without requestId", []fr{{"a", wire.Sent, `{"method":"auth","type":"unsecured"}`}, {"a", wire.Received, event},
			{"a", wire.Received, `{"method":"auth","result":true}`}}, 0, 0},
		{"an earlier unanswered request does not count for a later one", []fr{{"a", wire.Sent, `{"method":"x","requestId":"9"}`},
			{"a", wire.Received, event}, {"a", wire.Sent, req1}, {"a", wire.Received, ans1}}, 0, 0},
		{"pipelined: the second answer after a notification", []fr{{"a", wire.Sent, req1}, {"a", wire.Sent, `{"method":"getAppState","requestId":2}`},
			{"a", wire.Received, ans1}, {"a", wire.Received, event}, {"a", wire.Received, `{"method":"getAppState","requestId":2,"appState":3}`}}, 0, 1},
		{"a numeric requestId echoed as a string", []fr{{"a", wire.Sent, `{"method":"auth","requestId":7}`}, {"a", wire.Received, event},
			{"a", wire.Received, `{"method":"auth","requestId":"7","result":false}`}}, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := wire.NewTranscript(nil)
			for _, f := range tc.frames {
				tr.Add(f.conn, f.dir, "text", f.payload)
			}
			tr.Notef("a", `a note {"result":false}`)
			refusals, eventFirst := engine.InteropOf(tr)
			if refusals != tc.refusals || eventFirst != tc.eventFirst {
				t.Errorf("refusals without error %d, answers after a notification %d; want %d, %d", refusals, eventFirst, tc.refusals, tc.eventFirst)
			}
		})
	}
}
