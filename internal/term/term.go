// Package term makes text from a target safe to show on a terminal: a
// target may send escape sequences (a new window title, cursor moves,
// hidden or overwritten text, bidirectional overrides) that would rewrite
// what the operator reads. Escape shows every such character as a visible
// escape instead of letting the terminal interpret it.
package term

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every control character except newline and tab,
// every C1 control, DEL, the Unicode format characters that reorder or hide
// text, and every byte that is not UTF-8 replaced by a visible escape
// (\x1b, \u202e). Text without such characters is returned unchanged.
func Escape(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafe(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func clean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if unsafe(rune(c)) {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n <= 1) || unsafe(r) {
			return false
		}
		i += n
	}
	return true
}

// unsafe reports whether a terminal could act on r instead of showing it.
func unsafe(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0 (ESC, CR, BS, BEL...), DEL, C1 (CSI 0x9b, OSC 0x9d...)
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0xfeff, r == 0x061c, r == 0x2028, r == 0x2029:
		return true // zero-width, bidirectional overrides and isolates, BOM, line separators
	}
	return false
}
