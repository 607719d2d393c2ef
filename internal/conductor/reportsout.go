package conductor

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/reports"
)

// writeReports writes the reports so that every one that could be written
// says the exit code the run ends with: the files first, then those
// streamed to standard output (written once, with the final verdict). When
// one cannot be written the run is an infrastructure error (or interrupted,
// when a signal or the time bound ended the writing), and the files are
// written again to say so.
func writeReports(ctx context.Context, r *reports.Run, f reports.Files) error {
	var files, out reports.Files
	for _, p := range []struct{ from, file, stdout *string }{
		{&f.JUnit, &files.JUnit, &out.JUnit}, {&f.JSON, &files.JSON, &out.JSON},
		{&f.HTML, &files.HTML, &out.HTML}, {&f.Summary, &files.Summary, &out.Summary},
		{&f.Baseline, &files.Baseline, &out.Baseline},
	} {
		if *p.from == reports.Stdout {
			*p.stdout = *p.from
		} else {
			*p.file = *p.from
		}
	}
	failed := func() {
		if why := interruption(ctx); why != "" {
			r.Interrupted = why + " while the reports were written"
		} else if r.InfrastructureError == "" {
			r.InfrastructureError = "the reports could not all be written"
		}
		r.Tally(cases.Catalogue())
		_ = reports.WriteAll(ctx, *r, files)
	}
	err := reports.WriteAll(ctx, *r, files)
	if err != nil {
		failed()
	}
	if serr := reports.WriteAll(ctx, *r, out); serr != nil {
		if err == nil {
			failed()
		}
		err = errors.Join(err, serr)
	}
	return err
}

// reportReserve is the share of --timeout kept for writing the reports:
// a tenth, between 100 ms and 5 s.
func reportReserve(timeout time.Duration) time.Duration {
	return min(max(timeout/10, 100*time.Millisecond), 5*time.Second, timeout/2)
}

// reportCtx bounds the report writing: by the end of --timeout, but never
// less than a short grace (reports of a run that used all its time are
// still written; only a FIFO nobody reads can make it wait that long), and
// by a signal that comes while they are written.
func (cfg Config) reportCtx(start time.Time) (context.Context, context.CancelFunc) {
	end := start.Add(cfg.Timeout)
	if time.Until(end) < 100*time.Millisecond {
		end = time.Now().Add(100 * time.Millisecond)
	}
	ctx, cancel := context.WithDeadline(context.Background(), end)
	if !cfg.Signals {
		return ctx, cancel
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	return ctx, func() { stop(); cancel() }
}

// interruption says why ctx ended: a signal or the run's time bound.
func interruption(ctx context.Context) string {
	switch {
	case ctx.Err() == nil:
		return ""
	case errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		return "the run's --timeout elapsed"
	}
	return "interrupted by a signal"
}
