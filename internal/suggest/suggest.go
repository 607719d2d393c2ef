// Package suggest finds the known word nearest to a misspelt one, for
// "did you mean" in usage errors (subcommands, flags, case and
// requirement IDs).
package suggest

import (
	"strings"

	"github.com/agnivade/levenshtein"
)

// Nearest returns the candidate closest to s by edit distance (letter case
// ignored), or "" when none is close enough to be a likely misspelling: a
// third of the word's length in edits, at least 2 (a swap of two letters)
// and at most 3; a word shorter than 3 gets none. Ties go to the earlier
// candidate.
func Nearest(s string, candidates []string) string {
	if len(s) < 3 {
		return "" // "x" is near too much to mean anything
	}
	best, bestD := "", 0
	limit := min(max(len(s)/3, 2), 3)
	for _, c := range candidates {
		d := Distance(s, c)
		if d <= limit && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the edit distance between a and b (insertions, deletions
// and substitutions of runes), letter case ignored: for callers with a
// bound of their own (a misspelt CONFORM_* variable is one within two
// edits of a known name).
func Distance(a, b string) int {
	return levenshtein.ComputeDistance(strings.ToLower(a), strings.ToLower(b))
}
