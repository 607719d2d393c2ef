// Package jsonnum reads JSON integers, the one way for the whole suite: a
// resultCode, a port, a requestId decoded with json.Decoder.UseNumber (or
// by encoding/json's default into float64) is an integer only when it is
// written as one.
package jsonnum

import (
	"encoding/json"
	"math"
	"strconv"
)

// Int returns v as an int if it is a JSON integer: a json.Number without a
// fraction or exponent that fits an int, a float64 with an integral value,
// or an int.
func Int(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := strconv.Atoi(n.String()); err == nil {
			return i, true
		}
	case float64:
		if n == math.Trunc(n) && n >= math.MinInt32 && n <= math.MaxInt32 {
			return int(n), true
		}
	case int:
		return n, true
	}
	return 0, false
}
