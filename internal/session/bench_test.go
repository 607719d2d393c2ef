package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/testnet"
)

// BenchmarkDefaultCatalogue runs the default selection against the embedded
// reference server, as `conform run` does without a target (session,
// preflight, every case, no Ginkgo and no reports), and reports its time
// beside the network floor of the connections and messages it made,
// measured in the same process: x-floor is the ratio (docs/performance.md).
func BenchmarkDefaultCatalogue(b *testing.B) {
	selected := defaultSelection(b)
	floor := testnet.MeasureFloor(b, 201)
	ctx := context.Background()
	var st struct{ conns, msgs uint64 }
	var runs int
	b.ResetTimer()
	for b.Loop() {
		s, err := session.Open(ctx, session.Config{})
		if err != nil {
			b.Fatal(err)
		}
		s.Budget.Plan(s.Runner.Profile(), selected)
		for _, c := range selected {
			if o := s.Runner.Run(ctx, c); o.Verdict != caselang.Pass && o.Verdict != caselang.Skip {
				b.Fatalf("%s: %s: %s", c.ID, o.Verdict, o.Reason)
			}
		}
		got, _ := s.ServerStats()
		st.conns += got.Connections
		st.msgs += got.Messages
		runs++
		s.Close()
	}
	b.StopTimer()
	perRun := b.Elapsed() / time.Duration(runs)
	conns, msgs := st.conns/uint64(runs), st.msgs/uint64(runs)
	b.ReportMetric(float64(conns), "conns/op")
	b.ReportMetric(float64(msgs), "msgs/op")
	b.ReportMetric(float64(perRun.Nanoseconds())/float64(conns), "ns/conn")
	b.ReportMetric(float64(floor.Of(conns, msgs).Nanoseconds())/float64(conns), "floor-ns/conn")
	b.ReportMetric(float64(perRun)/float64(floor.Of(conns, msgs)), "x-floor")
}

// BenchmarkOneCase runs one ordinary case over and over against the
// embedded reference server: the cost of a case's connection (dial,
// requests, answers, checks, state probes, transcript) beside the floor of
// as many connections and messages, measured in the same process.
func BenchmarkOneCase(b *testing.B) {
	c, ok := cases.Lookup(oneCaseID)
	if !ok {
		b.Fatalf("no case %s", oneCaseID)
	}
	floor := testnet.MeasureFloor(b, 201)
	ctx := context.Background()
	s, err := session.Open(ctx, session.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Budget.Plan(s.Runner.Profile(), []caselang.Case{c})
	s.Runner.Run(ctx, c) // the run's first case also exercises each class of token once
	before, _ := s.ServerStats()
	b.ResetTimer()
	for b.Loop() {
		if o := s.Runner.Run(ctx, c); o.Verdict != caselang.Pass {
			b.Fatalf("%s: %s: %s", c.ID, o.Verdict, o.Reason)
		}
	}
	b.StopTimer()
	after, _ := s.ServerStats()
	conns, msgs := after.Connections-before.Connections, after.Messages-before.Messages
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(conns), "ns/conn")
	b.ReportMetric(float64(msgs)/float64(conns), "msgs/conn")
	b.ReportMetric(float64(b.Elapsed())/float64(floor.Of(conns, msgs)), "x-floor")
}

// oneCaseID is an ordinary case: one connection, one auth, its answer
// judged by its own checks, the invariants and the model, and the state
// probe after it.
const oneCaseID = "env-3-request-id-ascii"

// defaultSelection is what `conform run` runs against the embedded server.
func defaultSelection(b *testing.B) []caselang.Case {
	sel := conductor.Selection{}.ForTarget(false)
	cs, err := conductor.Select(sel)
	if err != nil {
		b.Fatal(err)
	}
	var out []caselang.Case
	for _, c := range cs {
		if sel.OptedIn(c) {
			out = append(out, c)
		}
	}
	return out
}
