package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/wire"
)

// The step kinds beyond one WebSocket request: waiting for a moment in a
// token's life, asking the embedded HTTP server, awaiting a notification,
// sending a raw frame, discovering ports, polling through a lockout.

// EffectiveSettings returns the run's settings, the spec's where unset.
func (r *Runner) EffectiveSettings() cases.Settings { return r.settings() }

// settings returns the run's settings, the spec's where unset.
func (r *Runner) settings() cases.Settings { return r.Settings.WithDefaults() }

func (r *Runner) count(c cases.Count) int {
	if c == cases.LockoutAttempts {
		return r.settings().LockoutAttempts
	}
	return 1
}

// special runs a step that is not a plain request; handled is false for
// plain requests (and Abort, which is a request that is never read).
func (x *execution) special(ctx context.Context, s cases.Step, name string) (handled bool, err error) {
	switch {
	case s.HTTP != nil:
		return true, x.httpProbe(ctx, s, name)
	case s.Await != "":
		return true, x.await(ctx, s, name)
	case s.Raw != nil:
		return true, x.raw(ctx, s, name)
	case s.Discover:
		return true, x.discover(ctx, s, name)
	case s.PollUntilAccepted != "":
		return true, x.poll(ctx, s, name)
	}
	return false, nil
}

// httpProbe asks the embedded HTTP server's probe path with a token.
func (x *execution) httpProbe(ctx context.Context, s cases.Step, name string) error {
	v, err := s.HTTP.Resolve(x)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	token, _ := v.V.(string)
	if v.Secret != "" {
		x.r.Redactor.Add(v.Secret, token)
	}
	dl, err := x.tm.deadline(s, true)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	if err := x.tm.wait(ctx, dl, name); err != nil {
		return err
	}
	o := cases.Observation{Step: name, Profile: x.r.Profile, Earlier: x.responses}
	x.tm.sent[name] = x.tm.clock.Now()
	status, err := x.get(ctx, x.target.HTTP, x.r.settings().ProbePath, token)
	x.tm.answered[name] = x.tm.clock.Now()
	if err != nil {
		// No HTTP answer at all: the suite cannot judge the token (a wrong
		// --http, a firewall); that is an ERROR, not the target's FAIL.
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	if err := x.tm.check(dl, name, x.tm.answered[name]); err != nil {
		return err
	}
	o.HTTPStatus = status
	x.evaluate(s, o)
	return nil
}

// get performs one bounded GET of base+path with the token appended as
// the token query parameter; it returns the status code.
func (x *execution) get(ctx context.Context, base, path, token string) (int, error) {
	if base == "" {
		return 0, errors.New("the embedded HTTP server's address is unknown (give --http or --web)")
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	u := strings.TrimSuffix(base, "/") + path + sep + "token=" + url.QueryEscape(token)
	ctx, cancel := context.WithTimeout(ctx, x.target.ResponseTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("HTTP probe: %w", err)
	}
	x.tr.Add("http", wire.Sent, "text", "GET "+strings.TrimSuffix(base, "/")+path+sep+"token="+token)
	resp, err := httpClient(x.target).Do(req)
	if err != nil {
		err = fmt.Errorf("GET %s%s: %w", strings.TrimSuffix(base, "/"), path, unwrapURL(err))
		x.tr.Add("http", wire.Received, "error", err.Error())
		return 0, err
	}
	defer resp.Body.Close()
	// As much as the transcript keeps: it redacts the whole before it cuts.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, wire.MaxStored))
	x.tr.Add("http", wire.Received, "text", fmt.Sprintf("HTTP %d %s", resp.StatusCode, bytes.TrimSpace(body)))
	if err := redirected(resp); err != nil {
		return 0, fmt.Errorf("GET %s%s: %w", strings.TrimSuffix(base, "/"), path, err)
	}
	return resp.StatusCode, nil
}

// redirected is the error for a redirect answer: never followed (it could
// carry a token elsewhere), and no verdict either (the suite could not ask
// what it meant to ask).
func redirected(resp *http.Response) error {
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return nil
	}
	return &wire.RedirectError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
}

// unwrapURL drops url.Error's repetition of the URL (which holds the token).
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func httpClient(t Target) *http.Client {
	tr := &http.Transport{Proxy: nil, TLSClientConfig: t.TLS, DisableKeepAlives: true,
		DialContext: (&net.Dialer{Timeout: t.DialTimeout}).DialContext}
	return &http.Client{Transport: tr, Timeout: t.ResponseTimeout,
		// A redirect could carry the token elsewhere: never follow one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// await waits on the step's connection for a notification.
func (x *execution) await(ctx context.Context, s cases.Step, name string) error {
	conn, ok := x.conns[s.ConnName()]
	if !ok {
		return fmt.Errorf("step %s: connection %s is not open", name, s.ConnName())
	}
	o := cases.Observation{Step: name, Profile: x.r.Profile, Earlier: x.responses}
	ev, err := conn.WaitEvent(ctx, func(m wire.Message) bool { return m.Event() == s.Await })
	if err != nil {
		o.ResponseErr = fmt.Sprintf("no %s notification: %v", s.Await, err)
		o.Closed = errors.Is(err, wire.ErrClosed)
	} else {
		o.Response = ev.Fields
	}
	x.evaluate(s, o)
	return nil
}

// raw sends a frame as it is and records the reaction within the quiet
// window: an answer, a close, or nothing.
func (x *execution) raw(ctx context.Context, s cases.Step, name string) error {
	conn, err := x.dialFor(ctx, s)
	if err != nil {
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	if s.Binary {
		err = conn.SendBinary(ctx, s.Raw)
	} else {
		err = conn.SendText(ctx, s.Raw)
	}
	o := cases.Observation{Step: name, Profile: x.r.Profile, Earlier: x.responses}
	if err != nil {
		o.ResponseErr = "send failed: " + err.Error()
		o.Closed = true
	} else {
		// The first answer or the close ends the wait; silence costs the window.
		wctx, cancel := context.WithTimeout(ctx, reactionWindow(x.target))
		m, err := conn.Next(wctx)
		cancel()
		switch {
		case err == nil && m.Err != nil:
			o.ResponseErr = "answered with a malformed frame: " + m.Err.Error()
		case err == nil:
			o.Response = m.Fields
		case errors.Is(err, wire.ErrClosed):
			o.Closed, o.ResponseErr = true, err.Error()
		}
	}
	x.evaluate(s, o)
	return nil
}

// reactionWindow is how long a robustness step waits for an answer or a
// close before it records "nothing".
func reactionWindow(t Target) time.Duration {
	return max(t.QuietWindow, min(t.ResponseTimeout, time.Second))
}

// discover fetches config.json from the web manager (DISC-1).
func (x *execution) discover(ctx context.Context, s cases.Step, name string) error {
	o := cases.Observation{Step: name, Profile: x.r.Profile, Earlier: x.responses}
	x.tr.Add("web", wire.Sent, "text", "GET "+strings.TrimSuffix(x.target.Web, "/")+ConfigPath)
	doc, err := FetchConfig(ctx, x.target, x.target.Web)
	var redirect *wire.RedirectError
	if errors.As(err, &redirect) {
		x.tr.Add("web", wire.Received, "error", err.Error())
		return fmt.Errorf("step %s: %w", name, err)
	}
	if err != nil {
		o.ResponseErr = err.Error()
		x.tr.Add("web", wire.Received, "error", err.Error())
	} else {
		b, _ := json.Marshal(doc)
		x.tr.Add("web", wire.Received, "text", string(b))
		o.Response = doc
		if u, err := DiscoveredURL(x.target.Web, doc); err == nil {
			x.discovered = u
		}
	}
	x.evaluate(s, o)
	if s.Name != "" && o.Response != nil {
		x.responses[s.Name] = o.Response
	}
	return nil
}

// ConfigPath is where the web manager publishes the ports.
const ConfigPath = "/public/default/config.json"

// FetchConfig GETs config.json from the web manager at web and decodes it.
func FetchConfig(ctx context.Context, t Target, web string) (map[string]any, error) {
	t = t.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, t.ResponseTimeout)
	defer cancel()
	u := strings.TrimSuffix(web, "/") + ConfigPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	resp, err := httpClient(t).Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, unwrapURL(err))
	}
	defer resp.Body.Close()
	if err := redirected(resp); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, 1<<20))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("GET %s: not a JSON object: %w", u, err)
	}
	return doc, nil
}

// configPort reads config.<section>.port as an integer.
func configPort(doc map[string]any, section string) (int, error) {
	cfg, _ := doc["config"].(map[string]any)
	sec, _ := cfg[section].(map[string]any)
	n, ok := sec["port"].(json.Number)
	if !ok {
		return 0, fmt.Errorf("config.%s.port is not a number", section)
	}
	p, err := strconv.Atoi(n.String())
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("config.%s.port %s is not a port", section, n)
	}
	return p, nil
}

// DiscoveredURL is the WebSocket URL config.json names, on the web
// manager's host.
func DiscoveredURL(web string, doc map[string]any) (string, error) {
	p, err := configPort(doc, "websocket")
	if err != nil {
		return "", err
	}
	u, err := url.Parse(web)
	if err != nil {
		return "", fmt.Errorf("web manager URL %q: %w", web, err)
	}
	scheme := "ws"
	if u.Scheme == "https" {
		scheme = "wss"
	}
	return fmt.Sprintf("%s://%s/", scheme, net.JoinHostPort(u.Hostname(), strconv.Itoa(p))), nil
}

// DiscoveredHTTP is the embedded HTTP server's base URL config.json names.
func DiscoveredHTTP(web string, doc map[string]any) (string, error) {
	p, err := configPort(doc, "http")
	if err != nil {
		return "", err
	}
	u, err := url.Parse(web)
	if err != nil {
		return "", fmt.Errorf("web manager URL %q: %w", web, err)
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(u.Hostname(), strconv.Itoa(p))), nil
}

// dialFor returns the step's connection, dialling the discovered WebSocket
// instead of the target for ViaDiscovered steps.
func (x *execution) dialFor(ctx context.Context, s cases.Step) (*wire.Client, error) {
	if !s.ViaDiscovered {
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
	c, err := Dial(ctx, t, s.ConnName(), x.tr, x.r.Redactor)
	if err != nil {
		return nil, err
	}
	x.conns[s.ConnName()] = c
	return c, nil
}

// poll repeats the step's request on fresh connections until it succeeds
// or the limit passes (RC-6: how long the lockout lasts).
func (x *execution) poll(ctx context.Context, s cases.Step, name string) error {
	set := x.r.settings()
	clk := x.tm.clock
	start := clk.Now()
	deadline := start.Add(set.LockoutWait)
	if set.LockoutWait > 10*time.Second && x.r.Progress != nil && !clk.Virtual() {
		fmt.Fprintf(x.r.Progress, "\n%s: polling every %s, at most %s, until the right credentials are accepted again\n", x.c.ID, set.PollInterval, set.LockoutWait)
	}
	o := cases.Observation{Step: name, Profile: x.r.Profile, Earlier: x.responses}
	for {
		o.Attempts++
		payload, _, err := x.build(s.Send, fmt.Sprintf("%s/%s.%d", x.c.ID, name, o.Attempts))
		if err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
		x.closeConn(s.ConnName())
		conn, err := x.conn(ctx, s.ConnName())
		if err != nil {
			x.troubled = true
			return fmt.Errorf("step %s: %w", name, err)
		}
		resp, err := conn.Call(ctx, payload)
		o.Waited = clk.Now().Sub(start)
		if err == nil && resp.Err == nil {
			o.Response = resp.Fields
			if ok, _ := resp.Fields["result"].(bool); ok {
				break
			}
		}
		if clk.Now().Add(set.PollInterval).After(deadline) {
			break
		}
		if err := clk.Sleep(ctx, set.PollInterval); err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
	}
	x.tr.Notef(s.ConnName(), "step %s: %d attempts over %s", name, o.Attempts, o.Waited.Round(time.Millisecond))
	x.evaluate(s, o)
	if ok, _ := o.Response["result"].(bool); !ok {
		// Still locked out: not a verdict on the target (the lockout's
		// length is open), but nothing after this can log in.
		why := fmt.Sprintf("the target still refused the right credentials after --lockout-wait %s (%d attempts); wait for the lockout to end", set.LockoutWait, o.Attempts)
		x.r.markDead(why)
		return fmt.Errorf("step %s: %s", name, why)
	}
	return nil
}

// evaluate applies a step's checks to an observation and keeps it.
func (x *execution) evaluate(s cases.Step, o cases.Observation) {
	for _, ch := range s.Expect {
		x.findings = append(x.findings, ch.Evaluate(o))
	}
	x.all = append(x.all, o)
}
