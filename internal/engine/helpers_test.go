package engine_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/explore"
	"github.com/roomconform/conform/internal/redact"
)

// closeFrame, among a fake's answers, closes the connection instead;
// a frame that starts with laterPrefix is sent 50 ms later (only ever a
// wait that a correct engine outlasts by far: it never decides a verdict).
const (
	closeFrame  = "\x00close"
	laterPrefix = "\x00later:"
)

// fake is a WebSocket target for the step kinds' tests: answer gets each
// request (decoded) and returns the frames to send back.
type fake struct {
	URL   string
	mu    sync.Mutex
	conns int
	got   []map[string]any
}

func newFake(t *testing.T, answer func(req map[string]any) []string) *fake {
	t.Helper()
	f := &fake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		f.mu.Lock()
		f.conns++
		f.mu.Unlock()
		for {
			_, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			var req map[string]any
			_ = json.Unmarshal(b, &req)
			f.mu.Lock()
			f.got = append(f.got, req)
			f.mu.Unlock()
			for _, out := range answer(req) {
				if out == closeFrame {
					_ = c.Close(websocket.StatusNormalClosure, "authorization failed")
					return
				}
				if later, ok := strings.CutPrefix(out, laterPrefix); ok {
					// After the frames that follow: a frame that trails them,
					// however fast the client reads.
					go func() {
						time.Sleep(50 * time.Millisecond)
						_ = c.Write(r.Context(), websocket.MessageText, []byte(later))
					}()
					continue
				}
				if c.Write(r.Context(), websocket.MessageText, []byte(out)) != nil {
					return
				}
			}
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
	return f
}

func (f *fake) connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns
}

func (f *fake) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.got...)
}

// authAnswer answers an auth request with resultCode code (0: success
// with previleges 2 and tokens), echoing its requestId.
func authAnswer(req map[string]any, code int) string {
	m := map[string]any{"method": "auth", "requestId": req["requestId"], "result": code == 0, "resultCode": code}
	if code == 0 {
		m["previleges"], m["token"], m["tokenForHttpServer"] = 2, "tok-"+time.Now().Format("150405.000000000"), "http-tok"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// option changes a test's runner configuration before the runner is made.
type option func(*engine.Config)

// newRunner makes the runner of cfg changed by opts, with no budget (no
// limit) and the exploration's explorer.
func newRunner(cfg engine.Config, opts ...option) *engine.Runner {
	for _, o := range opts {
		o(&cfg)
	}
	return engine.New(cfg, engine.Services{Explorer: explore.Explorer{}})
}

// runner is a runner against url with a fixed profile (no preflight).
func runner(url string, opts ...option) *engine.Runner {
	return newRunner(engine.Config{
		Target:  engine.Target{URL: url, ResponseTimeout: 2 * time.Second, QuietWindow: 20 * time.Millisecond},
		Profile: caselang.Profile{Admin: caselang.Unsecured, User: caselang.Unsecured, Plan: caselang.Pro}, Redactor: redact.New(),
	}, opts...)
}

// timeout sets the target's response timeout.
func timeout(d time.Duration) option { return func(c *engine.Config) { c.Target.ResponseTimeout = d } }

// oneCase wraps steps into a case citing the requirements their checks cite.
func oneCase(steps ...caselang.Step) caselang.Case {
	reqs := map[string]bool{}
	var list []string
	for _, s := range steps {
		for _, ch := range s.Expect {
			if !reqs[ch.Req] {
				reqs[ch.Req] = true
				list = append(list, ch.Req)
			}
		}
	}
	return caselang.Case{ID: "test-case", Title: "test", Requirements: list, Steps: steps}
}

func run(t *testing.T, r *engine.Runner, steps ...caselang.Step) engine.Outcome {
	t.Helper()
	return r.Run(context.Background(), oneCase(steps...))
}

var openType = caselang.Request{Type: caselang.Str("open")}

// findingOf returns the finding of step step under requirement req.
func findingOf(o engine.Outcome, step, req string) (caselang.Finding, bool) {
	for _, f := range o.Findings {
		if f.Step == step && f.Requirement == req {
			return f, true
		}
	}
	return caselang.Finding{}, false
}
