package clock

import (
	"context"
	"testing"
	"time"
)

func TestVirtualMovesOnlyBySleep(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := NewVirtual(start)
	if !v.Virtual() || !v.Now().Equal(start) {
		t.Fatal("a virtual clock reads its start")
	}
	before := time.Now()
	if err := v.Sleep(context.Background(), 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if time.Since(before) > time.Second {
		t.Error("a virtual sleep waited for real")
	}
	if got := v.Now().Sub(start); got != 30*24*time.Hour {
		t.Errorf("moved %v", got)
	}
	v.Oversleep = time.Minute
	_ = SleepUntil(context.Background(), v, v.Now().Add(time.Second))
	if got := v.Now().Sub(start); got != 30*24*time.Hour+time.Second+time.Minute {
		t.Errorf("oversleep: moved %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v.Sleep(ctx, time.Hour) == nil {
		t.Error("a cancelled sleep succeeded")
	}
}

func TestRealSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := (Real{}).Sleep(ctx, time.Hour); err == nil {
		t.Fatal("the context did not end the sleep")
	}
}
