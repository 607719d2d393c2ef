//go:build race

package main

// raceBuilt: this test binary, and every run of it as conform, carries the
// race detector, which multiplies what a run computes.
const raceBuilt = true
