// Package modelserver turns the model of the reading into a server: every
// answer it gives is one the model accepts, chosen by a policy among all
// the model accepts (the first, the last, or at random). It is how the
// suite checks its own cases against the reading: a case that fails
// against it expects something the reading does not demand.
//
// It is a test instrument, not a stand-in for a device (that is refserver):
// it implements nothing the model does not say, and where the model accepts
// anything it picks whatever the policy says.
package modelserver

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/model"
)

// Policy chooses one of n accepted answers (0 <= result < n).
type Policy func(n int) int

// First picks the first accepted answer, Last the last; Random picks with
// a seeded generator (so that a failure can be replayed).
var (
	First Policy = func(int) int { return 0 }
	Last  Policy = func(n int) int { return n - 1 }
)

// Random returns a policy that picks at random, from seed.
func Random(seed uint64) Policy {
	r := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var mu sync.Mutex
	return func(n int) int {
		mu.Lock()
		defer mu.Unlock()
		return r.IntN(n)
	}
}

// Config is a model server's setup.
type Config struct {
	Profile  caselang.Profile
	Secrets  map[caselang.SecretKind]string
	Settings caselang.Settings
	Now      func() time.Time
	Policy   Policy
	// Listen makes the three listeners (nil: net.Listen); the tests that
	// run every case against the model listen in memory (internal/memnet).
	Listen func(network, addr string) (net.Listener, error)
}

// Server is a running model server: the WebSocket API, the embedded HTTP
// server and the web manager's config.json, each on its own port.
type Server struct {
	URL, HTTPURL, WebURL string

	cfg   Config
	mu    sync.Mutex
	m     *model.Model
	n     int
	conns map[string]*conn
	errs  []string
	srvs  []*http.Server
	// byRemote counts the open connections per peer address; gone is
	// closed and replaced whenever one ends (WaitGone).
	byRemote map[string]int
	gone     chan struct{}
}

type conn struct {
	name string
	ws   *websocket.Conn
	ctx  context.Context
}

// Start starts a model server on loopback ports.
func Start(cfg Config) (*Server, error) {
	if cfg.Policy == nil {
		cfg.Policy = First
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, conns: map[string]*conn{}, byRemote: map[string]int{}, gone: make(chan struct{}),
		m: model.New(model.Config{Profile: cfg.Profile, Secrets: cfg.Secrets, Settings: cfg.Settings})}
	listen := cfg.Listen
	if listen == nil {
		listen = net.Listen
	}
	var lns []net.Listener
	for range 3 {
		ln, err := listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range lns {
				_ = l.Close()
			}
			return nil, fmt.Errorf("modelserver: listen: %w", err)
		}
		lns = append(lns, ln)
	}
	s.URL = "ws://" + lns[0].Addr().String() + "/"
	s.HTTPURL = "http://" + lns[1].Addr().String()
	s.WebURL = "http://" + lns[2].Addr().String()
	handlers := []http.Handler{http.HandlerFunc(s.serveWS), http.HandlerFunc(s.serveHTTP), s.config(lns[0], lns[1])}
	for i, h := range handlers {
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		s.srvs = append(s.srvs, hs)
		go func() { _ = hs.Serve(lns[i]) }()
	}
	return s, nil
}

// WaitGone waits until the server has finished with every connection from
// remote (its last request handled), as the reference server's does: the
// engine's next case then never races the server's handling of a dropped
// one (engine.Target.Gone).
func (s *Server) WaitGone(ctx context.Context, remote string) error {
	for {
		s.mu.Lock()
		present := s.byRemote[remote] > 0
		gone := s.gone
		s.mu.Unlock()
		if !present {
			return nil
		}
		select {
		case <-gone:
		case <-ctx.Done():
			return fmt.Errorf("modelserver: connection from %s still open: %w", remote, ctx.Err())
		}
	}
}

// Close stops the server.
func (s *Server) Close() {
	for _, hs := range s.srvs {
		_ = hs.Close()
	}
}

// Errors returns what went wrong inside the server: requests for which the
// model's rules accept no answer at all (a contradiction in the model).
func (s *Server) Errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

func (s *Server) config(ws, http_ net.Listener) http.Handler {
	port := func(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }
	body := fmt.Sprintf(`{"config":{"websocket":{"port":%d},"http":{"port":%d}}}`, port(ws), port(http_))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/public/default/config.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}

// serveHTTP is the embedded HTTP server: a token the model says must work
// gets 200, one that must not 401, and the policy decides the rest.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := s.cfg.Now()
	accept := s.m.ExpectHTTP("", r.URL.Query().Get("token"), now).Decide(now, s.cfg.Policy)
	s.mu.Unlock()
	if !accept {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	_, _ = w.Write([]byte("frame"))
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	// Counted before the handshake completes (WaitGone must not miss a
	// connection whose client already has its 101).
	s.mu.Lock()
	s.byRemote[r.RemoteAddr]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.byRemote[r.RemoteAddr]--; s.byRemote[r.RemoteAddr] <= 0 {
			delete(s.byRemote, r.RemoteAddr)
		}
		close(s.gone)
		s.gone = make(chan struct{})
		s.mu.Unlock()
	}()
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	s.mu.Lock()
	s.n++
	c := &conn{name: "c" + strconv.Itoa(s.n), ws: ws, ctx: r.Context()}
	s.conns[c.name] = c
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.m.Closed(c.name)
		delete(s.conns, c.name)
		s.mu.Unlock()
	}()
	for {
		typ, b, err := ws.Read(r.Context())
		if err != nil {
			return
		}
		var req map[string]any
		if typ != websocket.MessageText || json.Unmarshal(b, &req) != nil {
			s.mu.Lock()
			s.m.Lost(c.name)
			s.mu.Unlock()
			if s.write(c, map[string]any{"method": "", "result": false, "error": "Invalid JSON"}) != nil {
				return
			}
			continue
		}
		answers, displaced := s.answer(c, req)
		// Each displaced connection is told before this request is
		// answered, so the notification precedes the answer to anything
		// its client asks afterwards (the ordering the suite relies on to
		// call one missing without waiting).
		for _, d := range displaced {
			_ = s.write(d, map[string]any{"method": "event", "event": "authorizationNeeded", "cause": 1})
		}
		for _, out := range answers {
			if s.write(c, out) != nil {
				return
			}
		}
	}
}

func (s *Server) write(c *conn, msg map[string]any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// answer works out the answer to req on c, and the connections it
// displaced (to be told, SEC-3).
func (s *Server) answer(c *conn, req map[string]any) ([]map[string]any, []*conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	before := s.m.Snapshot()
	x := s.m.Expect(c.name, "", req, now)
	out := map[string]any{"method": x.Method}
	if id, ok := req["requestId"]; ok {
		out["requestId"] = id
	} else {
		out["requestId"] = ""
	}
	switch x.Method {
	case "auth":
		s.auth(x, out, now)
	default:
		for k, v := range x.Answer(now, s.cfg.Policy) {
			out[k] = v
		}
		if tok, ok := out["token"].(string); ok && tok == "" {
			out["token"] = newToken()
		}
	}
	x.Apply(out, now)
	return []map[string]any{out}, s.displaced(c, before)
}

func (s *Server) auth(x *model.Exchange, out map[string]any, now time.Time) {
	candidates, err := x.Candidates(now)
	if err != nil {
		s.errs = append(s.errs, err.Error())
		out["result"], out["resultCode"] = false, 1
		return
	}
	o := candidates[s.cfg.Policy(len(candidates))]
	if o.Success {
		out["result"], out["resultCode"], out["previleges"] = true, 0, o.Mode.Previleges()
		out["token"], out["tokenForHttpServer"] = newToken(), newToken()
		return
	}
	out["result"], out["resultCode"], out["error"] = false, o.Codes[0], "refused"
}

// displaced returns every other connection that lost its mode (SEC-3).
// s.mu must be held.
func (s *Server) displaced(sender *conn, before map[string]string) []*conn {
	var out []*conn
	for name, sig := range s.m.Snapshot() {
		if name == sender.name || before[name] == sig {
			continue
		}
		if c, ok := s.conns[name]; ok && s.m.Displaced(name) {
			out = append(out, c)
		}
	}
	return out
}

// newToken is a fresh random token.
func newToken() string {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return "mt-" + n.Text(36)
}
