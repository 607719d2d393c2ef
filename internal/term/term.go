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
func Escape(s string) string { return escape(s, false) }

// Line is Escape for a place that holds one line (a verdict's reason, an
// error, a finding, a table cell): newline and tab are escaped too (\n,
// \t), so that text from a target can never start a line of its own, such
// as a fake "result: conformant".
func Line(s string) string { return escape(s, true) }

func escape(s string, line bool) string {
	if clean(s, line) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case line && r == '\n':
			b.WriteString(`\n`)
		case line && r == '\t':
			b.WriteString(`\t`)
		case unsafe(r, line) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r, line):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func clean(s string, line bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if unsafe(rune(c), line) {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n <= 1) || unsafe(r, line) {
			return false
		}
		i += n
	}
	return true
}

// JSON returns the encoded JSON document b with every character Escape
// would escape that encoding/json leaves raw (the C1 controls, the
// bidirectional and zero-width format characters) written as a \uXXXX
// escape: the document means the same, and shown on a terminal (--json)
// nothing in it is interpreted. Such characters occur only inside strings,
// where \uXXXX is their JSON spelling.
func JSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError && r <= 0xffff && unsafe(r, false) {
			out = append(out, b[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + n
		}
		i += n
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// unsafe reports whether a terminal could act on r instead of showing it
// (in a single line, newline and tab as well).
func unsafe(r rune, line bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return line
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0 (ESC, CR, BS, BEL...), DEL, C1 (CSI 0x9b, OSC 0x9d...)
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0xfeff, r == 0x061c, r == 0x2028, r == 0x2029:
		return true // zero-width, bidirectional overrides and isolates, BOM, line separators
	}
	return false
}
