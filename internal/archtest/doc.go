// Package archtest keeps the package table of docs/architecture.md complete
// and true: every package of the module has its row, no package imports one
// the table lists above it ("dependencies point one way, down this list"),
// and refserver imports nothing of the suite. It has no code of its own: its
// test reads the table and the source tree (go/parser, import clauses only)
// and says, when they disagree, which row to add or move. It also holds two
// rules of the source: only internal/explore/rapidflags.go imports testing
// outside tests, and no non-test file lowers reconf.CheckCost.
package archtest
