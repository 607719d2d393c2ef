package jsonnum

import (
	"encoding/json"
	"testing"
)

func TestInt(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want int
		ok   bool
	}{
		{json.Number("8"), 8, true},
		{json.Number("-1"), -1, true},
		{json.Number("8.0"), 0, false},
		{json.Number("1e3"), 0, false},
		{json.Number("99999999999999999999"), 0, false},
		{float64(8), 8, true},
		{8.5, 0, false},
		{7, 7, true},
		{"8", 0, false},
		{nil, 0, false},
		{true, 0, false},
	} {
		got, ok := Int(tt.v)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Int(%#v) = %d, %v; want %d, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}
