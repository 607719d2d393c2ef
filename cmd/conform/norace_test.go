//go:build !race

package main

// raceBuilt: see race_test.go.
const raceBuilt = false
