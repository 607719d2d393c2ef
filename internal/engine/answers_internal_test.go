package engine

import (
	"encoding/json"
	"testing"
)

// TestAnswersCount: a success is "result": true (the boolean); it lacks
// resultCode when the field is absent, whatever its value when present.
func TestAnswersCount(t *testing.T) {
	var a Answers
	for _, fields := range []map[string]any{
		{"result": true}, // success, no resultCode
		{"result": true, "resultCode": json.Number("0")},  // success
		{"result": true, "resultCode": nil},               // success, resultCode null: present
		{"result": false, "resultCode": json.Number("8")}, // failure
		{"result": "true"},                                // not a boolean: not a success
		nil,                                               // no answer
	} {
		a.count(fields)
	}
	if n, without := a.Counts(); n != 3 || without != 1 {
		t.Errorf("counted %d successes, %d without resultCode; want 3 and 1", n, without)
	}
}
