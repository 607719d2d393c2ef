package wire

import "sync"

// DefaultRunStoredBytes is the bound of a Budget made with NewBudget(0).
const DefaultRunStoredBytes = 128 << 20

// Budget bounds, in bytes (storedCost), what the connections of one run keep of what they
// received and never give back: notifications, unsolicited and second answers. Each connection
// has its own bound too (Options.MaxStoredBytes); the Budget keeps a target from multiplying it by
// the connections a run opens. It counts, never releases: a run's connections keep their messages
// as long as the run keeps its cases' results. Safe for concurrent use; a nil *Budget bounds
// nothing.
type Budget struct {
	mu   sync.Mutex
	max  int
	used int
}

// NewBudget returns a Budget of max bytes (<= 0: DefaultRunStoredBytes).
func NewBudget(max int) *Budget {
	if max <= 0 {
		max = DefaultRunStoredBytes
	}
	return &Budget{max: max}
}

// take charges n bytes, or reports false when they do not fit.
func (b *Budget) take(n int) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

// What decoded JSON costs beyond its raw bytes, measured: about 35 bytes a value in an array
// (the interface, the boxed number or string header), and about 300 bytes an object (a Go map,
// however small). A 1 MiB array of small numbers decodes to 17 MiB, a 1 MiB array of {"k":1}
// objects to 44 MiB.
const (
	valueCost  = 48
	objectCost = 320
)

// storedCost estimates what keeping m costs: its raw bytes and its decoded values.
func storedCost(m Message) int {
	if m.Fields == nil {
		return len(m.Raw)
	}
	values, objects := countValues(m.Fields)
	return len(m.Raw) + valueCost*values + objectCost*objects
}

// countValues counts the JSON values in v, v included, and the objects among them.
func countValues(v any) (values, objects int) {
	switch t := v.(type) {
	case map[string]any:
		values, objects = 1, 1
		for _, x := range t {
			v, o := countValues(x)
			values, objects = values+v, objects+o
		}
	case []any:
		values = 1
		for _, x := range t {
			v, o := countValues(x)
			values, objects = values+v, objects+o
		}
	default:
		values = 1
	}
	return values, objects
}
