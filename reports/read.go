package reports

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/roomconform/conform/internal/opfile"
)

// Document is a results document as read back: a single target's run or
// a fleet's, exactly one of them set.
type Document struct {
	Run   *Run
	Fleet *Fleet
}

// ReadResults reads the results.json at path (bounded: opfile.ResultsLimit,
// never a FIFO or a device), a single target's or a fleet's. A document of
// another schema is refused: its fields may mean something else.
func ReadResults(path string) (Document, error) {
	b, err := opfile.ReadFile(path, opfile.ResultsLimit)
	if err != nil {
		return Document{}, fmt.Errorf("read results: %w", err)
	}
	return ParseResults(b, path)
}

// ParseResults parses a results document; name is where it came from, for
// the errors.
func ParseResults(b []byte, name string) (Document, error) {
	var head struct {
		Schema string `json:"schema"`
		Kind   string `json:"kind"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return Document{}, fmt.Errorf("%s: not a results document: %w", name, err)
	}
	if head.Schema != Schema {
		return Document{}, fmt.Errorf("%s: schema %q, want %q", name, head.Schema, Schema)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	switch head.Kind {
	case "":
		var r Run
		if err := dec.Decode(&r); err != nil {
			return Document{}, fmt.Errorf("%s: %w", name, err)
		}
		return Document{Run: &r}, nil
	case KindFleet:
		var f Fleet
		if err := dec.Decode(&f); err != nil {
			return Document{}, fmt.Errorf("%s: %w", name, err)
		}
		return Document{Fleet: &f}, nil
	}
	return Document{}, fmt.Errorf("%s: unknown kind %q", name, head.Kind)
}
