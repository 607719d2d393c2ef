package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/roomconform/conform/caselang"
)

// poll runs a Poll step: the request on fresh connections, every poll
// interval of the run's clock, until it succeeds or the limit passes (RC-6:
// how long the lockout lasts).
func (x *execution) poll(ctx context.Context, s caselang.Step, a caselang.Poll, name string) error {
	limit, ok := a.Limit.Of(x.set)
	if !ok {
		return fmt.Errorf("step %s: no setting %q", name, a.Limit)
	}
	clk := x.tm.clock
	start := clk.Now()
	deadline := start.Add(limit)
	if limit > 10*time.Second && x.r.cfg.Progress != nil && !clk.Virtual() {
		fmt.Fprintf(x.r.cfg.Progress, "\n%s: polling every %s, at most %s, until the right credentials are accepted again\n", x.c.ID, x.set.PollInterval, limit)
	}
	o := x.observation(name)
	for {
		o.Attempts++
		payload, _, err := x.build(a.Request, x.nextID())
		if err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
		x.closeConn(s.ConnName())
		conn, err := x.conn(ctx, s.ConnName())
		if err != nil {
			x.troubled = true
			return fmt.Errorf("step %s: %w", name, err)
		}
		var req map[string]any
		_ = json.Unmarshal(payload, &req)
		xm := x.m.Expect(s.ConnName(), fmt.Sprintf("%s (attempt %d)", name, o.Attempts), req, clk.Now())
		resp, err := conn.Call(ctx, payload)
		o.Waited = clk.Now().Sub(start)
		if err != nil || resp.Err != nil {
			x.m.Lost(s.ConnName())
		}
		if err == nil && resp.Err == nil {
			x.r.svc.Answers.count(resp.Fields)
			resp.Fields = x.legacyAnswer(name, resp.Fields)
			// Each attempt is judged like any answer (the lockout's 6 is one
			// the model accepts after wrong credentials).
			for _, f := range xm.Judge(resp.Fields, clk.Now()).Broken() {
				f.Note = joinNote(f.Note, invariantNote)
				x.add(f)
			}
			xm.Apply(resp.Fields, clk.Now())
			o.Response = resp.Fields
			if ok, _ := resp.Fields["result"].(bool); ok {
				break
			}
		}
		if clk.Now().Add(x.set.PollInterval).After(deadline) {
			break
		}
		if err := clk.Sleep(ctx, x.set.PollInterval); err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
	}
	x.tr.Notef(s.ConnName(), "step %s: %d attempts over %s", name, o.Attempts, o.Waited.Round(time.Millisecond))
	x.evaluate(s, o)
	if ok, _ := o.Response["result"].(bool); !ok {
		// Still locked out: not a verdict on the target (the lockout's
		// length is open), but nothing after this can log in.
		why := fmt.Sprintf("the target still refused the right credentials after --lockout-wait %s (%d attempts); wait for the lockout to end", limit, o.Attempts)
		x.r.svc.Health.giveUp(why)
		return fmt.Errorf("step %s: %s", name, why)
	}
	return nil
}
