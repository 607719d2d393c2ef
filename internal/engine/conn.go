package engine

import (
	"context"
	"errors"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/wire"
)

// conn returns the named connection, dialling it on first use.
func (x *execution) conn(ctx context.Context, name string) (*wire.Client, error) {
	if c, ok := x.conns[name]; ok {
		return c, nil
	}
	c, err := Dial(ctx, x.target, name, x.tr, x.r.cfg.Redactor)
	if err != nil {
		return nil, err
	}
	x.conns[name] = c
	return c, nil
}

// dialFor returns the step's connection; viaDiscovered dials the WebSocket
// a Discover step found instead of the target.
func (x *execution) dialFor(ctx context.Context, s caselang.Step, viaDiscovered bool) (*wire.Client, error) {
	if !viaDiscovered {
		return x.conn(ctx, s.ConnName())
	}
	if c, ok := x.conns[s.ConnName()]; ok {
		return c, nil
	}
	if x.discovered == "" {
		return nil, errors.New("config.json named no usable WebSocket port")
	}
	t := x.target
	t.URL = x.discovered
	c, err := Dial(ctx, t, s.ConnName(), x.tr, x.r.cfg.Redactor)
	if err != nil {
		return nil, err
	}
	x.conns[s.ConnName()] = c
	return c, nil
}

// Dial opens a connection to the target with the run's bounds, recording
// into tr.
func Dial(ctx context.Context, t Target, name string, tr *wire.Transcript, red *redact.Redactor) (*wire.Client, error) {
	t = t.withDefaults()
	c, err := wire.Dial(ctx, t.URL, wire.Options{
		Name: name, DialTimeout: t.DialTimeout, ResponseTimeout: t.ResponseTimeout, CloseTimeout: t.ResponseTimeout,
		TLSConfig: t.TLS, Dial: t.Dial, Transcript: tr, Redactor: red, Stored: t.Stored,
	})
	if err != nil {
		return nil, &UnreachableError{Err: err}
	}
	return c, nil
}

// UnreachableError means the suite could not reach the target at all, or
// it does not answer like the control API: exit 3.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }
