// Package caselang is the language the conformance cases are written in:
// a Case and its Steps, the actions a step takes (Send, Abort, Close,
// HTTPGet, Await, Raw, Discover, Poll, Reconfigure, Explore), the Values a
// request is made of, the Checks that turn an Observation into Findings,
// the Needs a case has of the target's Profile, the run's Settings, the
// requirement registry (Requirements, LevelOf) and the Verdicts (Decide,
// and XFail for a known failure). It also holds what running any case
// takes beyond the case itself: the token exercises (HTTPExercises,
// APIExercises, LifeExercises), the input alphabet of the generated cases
// and the explorer (Tour, Factors), the order in which cases take a
// wrong-credential budget (OrderForBudget), and GoSyntax, which prints
// steps as a case to paste into the catalogue. Nothing here enumerates the
// catalogue's cases.
//
// Package cases is the catalogue written in this language: the tables,
// the generators, the generated cases, the requirements no case checks yet
// (NotYetCovered) and the catalogue's validation. The model of the reading
// (internal/model), the engine and the reports depend on this package and
// never on the catalogue (TestLanguageStandsApart): the catalogue is handed
// to them (cases.Catalogue(), cases.ReachOf) by whoever runs a suite.
//
// The catalogue's files dot-import this package, as Ginkgo suites
// dot-import ginkgo and gomega: a case table is a small language of its
// own, and an entry such as
//
//	{Name: "probe", Do: HTTPGet{Token: HTTPTokenOf("first")}, Expect: []Check{HTTPRefused("SEC-5")}}
//
// reads like the requirement it checks, where caselang.HTTPGet{Token:
// caselang.HTTPTokenOf("first")} would bury it in qualifiers. No other
// package dot-imports it; everywhere else a name of the language is
// written caselang.X, so that it is plain where it comes from.
package caselang
