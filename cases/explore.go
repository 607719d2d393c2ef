package cases

import . "github.com/roomconform/conform/caselang"

// Exploration: seeded random walks of requests over a few connections,
// each answer judged by the model of the reading, a failing walk shrunk to
// the shortest that still fails and reported as a case to paste into the
// catalogue. Opt-in on a live target (label explore); always in CI against
// the embedded server.

// JudgedEverywhere are the requirements the invariants of every answer and
// the model of the reading judge wherever they apply, in any case, a near
// miss or an exploration step (INFO requirements, only recorded, aside).
// The model imports this package, so the list cannot be computed here:
// TestJudgedEverywhereIsDerived (internal/explain) holds it to the code.
var JudgedEverywhere = []string{
	"ENV-1", "ENV-2", "ENV-3", "ENV-4", "ENV-6", "ENV-7", "ENV-8", "ENV-9",
	"AUTH-1", "AUTH-2", "AUTH-5",
	"FAIL-1", "FAIL-2", "FAIL-4", "FAIL-5",
	"RC-2", "RC-3", "RC-4", "RC-4b", "RC-5", "RC-6", "RC-7", "RC-8", "RC-8b", "RC-9", "RC-9b",
	"RC-10", "RC-10b", "RC-11", "RC-12", "RC-13", "RC-14",
	"ROLE-1", "ROLE-2", "ROLE-4", "ROLE-5",
	"SW-1", "SW-2", "TOK-1", "TOK-2", "TOK-3",
	"LIFE-1", "LIFE-1b", "LIFE-2", "LIFE-3", "LIFE-4", "LIFE-5", "LIFE-6",
	"SEC-1", "SEC-2", "SEC-4",
}

var exploreCases = []Case{
	{
		ID: "explore-random-walks", Title: "seeded random walks of requests over three connections, every answer judged by the model of the reading; a failing walk is shrunk to the shortest that still fails",
		Requirements: JudgedEverywhere, Labels: []string{"explore"},
		Steps: []Step{{Name: "walks", Do: Explore{Walks: 30, Steps: 15}}},
	},
}
