package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/wire"
)

// httpGet runs an HTTPGet step: it asks the embedded HTTP server's probe
// path with a token and judges the status.
func (x *execution) httpGet(ctx context.Context, s caselang.Step, a caselang.HTTPGet, name string) error {
	var token string
	if a.Token != nil {
		v, err := a.Token.Resolve(x)
		if err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
		token, _ = v.V.(string)
		if v.Secret != "" {
			x.r.cfg.Redactor.Add(v.Secret, token)
		}
	}
	// What the server is shown as its token parameter: nothing, in the
	// shapes that carry none.
	presented := ""
	if a.Shape.Presents() {
		presented = token
	}
	dl, err := x.tm.deadline(s, true)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	if err := x.tm.wait(ctx, dl, name); err != nil {
		return err
	}
	o := x.observation(name)
	x.tm.sent[name] = x.tm.clock.Now()
	state, class := x.m.State("", x.tm.sent[name]), a.Shape.Class(x.m.HTTPClass(presented, x.tm.sent[name]))
	hx := x.m.ExpectHTTP(name, presented, x.tm.sent[name])
	status, err := x.get(ctx, x.target.HTTP, x.set.ProbePath, token, a.Shape)
	x.tm.answered[name] = x.tm.clock.Now()
	if err != nil {
		// No HTTP answer at all: the suite cannot judge the token (a wrong
		// --http, a firewall, a redirect); that is an ERROR, not the target's
		// FAIL.
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	if err := x.tm.check(dl, name, x.tm.answered[name]); err != nil {
		return err
	}
	o.HTTPStatus = status
	x.coverTransition(state, class)
	if step, shared := x.m.SharedToken(token); shared {
		// AUTH-5 broken at that step: the HTTP token is also an API token,
		// so the HTTP server's verdict on it is not the HTTP token's life.
		x.evaluateBlocked(s, o, blocker{req: "AUTH-5", step: step})
	} else {
		x.evaluate(s, o)
	}
	x.judged(s, o, hx.Judge(status, x.tm.answered[name]), false)
	return nil
}

// get performs one bounded GET of base+path with the token as the token
// query parameter, in the request shape shape; it returns the status code.
func (x *execution) get(ctx context.Context, base, path, token string, shape caselang.HTTPShape) (int, error) {
	if base == "" {
		return 0, errors.New("the embedded HTTP server's address is unknown (give --http or --web)")
	}
	base = strings.TrimSuffix(base, "/")
	u, shown := httpURL(base, path, token, shape)
	ctx, cancel := context.WithTimeout(ctx, x.target.ResponseTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("HTTP probe: %w", err)
	}
	x.tr.Add("http", wire.Sent, "text", "GET "+shown)
	resp, err := wire.HTTPClient(x.target.TLS, x.target.Dial, x.target.DialTimeout, x.target.ResponseTimeout).Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, and with it the token
		}
		err = fmt.Errorf("GET %s%s: %w", base, path, err)
		x.tr.Add("http", wire.Received, "error", err.Error())
		return 0, err
	}
	defer resp.Body.Close()
	// As much as a frame may have: the transcript redacts it whole before it cuts.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, wire.DefaultReadLimit))
	x.tr.Add("http", wire.Received, "text", fmt.Sprintf("HTTP %d %s", resp.StatusCode, bytes.TrimSpace(body)))
	if err := wire.Redirected(resp); err != nil {
		return 0, fmt.Errorf("GET %s%s: %w", base, path, err)
	}
	return resp.StatusCode, nil
}

// httpURL is the URL of a GET of path with token in shape, and the same
// unescaped for the transcript (which redacts the token).
func httpURL(base, path, token string, shape caselang.HTTPShape) (u, shown string) {
	p, query, _ := strings.Cut(path, "?")
	params := []string{}
	if query != "" {
		params = append(params, query)
	}
	var param, value string
	switch shape {
	case caselang.HTTPNoToken:
	case caselang.HTTPEmptyToken:
		param = "token"
	case caselang.HTTPParamCase:
		param, value = "Token", token
	default:
		param, value = "token", token
	}
	join := func(v string) string {
		ps := slices.Clone(params)
		if param != "" {
			kv := param + "=" + v
			if shape == caselang.HTTPTokenFirst {
				ps = append([]string{kv}, ps...)
			} else {
				ps = append(ps, kv)
			}
		}
		if len(ps) == 0 {
			return base + p
		}
		return base + p + "?" + strings.Join(ps, "&")
	}
	return join(url.QueryEscape(value)), join(value)
}
