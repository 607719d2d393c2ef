// Package discovery reads the web manager's /public/default/config.json,
// which names the ports of a device's WebSocket control API and embedded
// HTTP server. The run uses it to find its target from --web; the case
// DISC-1 judges it.
package discovery

import (
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

	"github.com/roomconform/conform/internal/jsonnum"
	"github.com/roomconform/conform/internal/wire"
)

// Path is where the web manager publishes the ports.
const Path = "/public/default/config.json"

// Fetch GETs config.json from the web manager at web with client (which
// must not follow redirects, as wire.HTTPClient does not) and decodes it.
func Fetch(ctx context.Context, client *http.Client, web string) (map[string]any, error) {
	u := strings.TrimSuffix(web, "/") + Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL
		}
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	if err := wire.Redirected(resp); err != nil {
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

// WebSocketURL is the control API's URL config.json names, on the web
// manager's host (wss:// behind an https:// web manager).
func WebSocketURL(web string, doc map[string]any) (string, error) {
	return portURL(web, doc, "websocket", map[string]string{"https": "wss"}, "ws")
}

// HTTPURL is the embedded HTTP server's base URL config.json names.
func HTTPURL(web string, doc map[string]any) (string, error) {
	return portURL(web, doc, "http", nil, "http")
}

// portURL is scheme://<web's host>:<config.section.port>, the scheme chosen
// by web's scheme (schemes) or else def.
func portURL(web string, doc map[string]any, section string, schemes map[string]string, def string) (string, error) {
	cfg, _ := doc["config"].(map[string]any)
	sec, _ := cfg[section].(map[string]any)
	p, ok := jsonnum.Int(sec["port"])
	if !ok || p < 1 || p > 65535 {
		return "", fmt.Errorf("config.%s.port is not a port number", section)
	}
	u, err := url.Parse(web)
	if err != nil {
		return "", fmt.Errorf("web manager URL %q: %w", web, err)
	}
	scheme := def
	if s, ok := schemes[u.Scheme]; ok {
		scheme = s
	}
	end := ""
	if scheme == "ws" || scheme == "wss" {
		end = "/" // the API lives at "/"
	}
	return fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(u.Hostname(), strconv.Itoa(p)), end), nil
}
