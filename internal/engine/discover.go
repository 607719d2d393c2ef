package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/discovery"
	"github.com/roomconform/conform/internal/wire"
)

// discover runs a Discover step: it fetches config.json from the web
// manager (DISC-1); the checks see the document, and a later Send with
// ViaDiscovered dials the WebSocket it names.
func (x *execution) discover(ctx context.Context, s caselang.Step, name string) error {
	o := x.observation(name)
	x.tr.Add("web", wire.Sent, "text", "GET "+strings.TrimSuffix(x.target.Web, "/")+discovery.Path)
	ctx, cancel := context.WithTimeout(ctx, x.target.ResponseTimeout)
	defer cancel()
	doc, err := discovery.Fetch(ctx, wire.HTTPClient(x.target.TLS, x.target.Dial, x.target.DialTimeout, x.target.ResponseTimeout), x.target.Web)
	var redirect *wire.RedirectError
	switch {
	case errors.As(err, &redirect):
		x.tr.Add("web", wire.Received, "error", err.Error())
		return fmt.Errorf("step %s: %w", name, err)
	case err != nil:
		o.ResponseErr = err.Error()
		x.tr.Add("web", wire.Received, "error", err.Error())
	default:
		b, _ := json.Marshal(doc)
		x.tr.Add("web", wire.Received, "text", string(b))
		o.Response = doc
		if u, err := discovery.WebSocketURL(x.target.Web, doc); err == nil {
			x.discovered = u
		}
	}
	x.evaluate(s, o)
	if s.Name != "" && o.Response != nil {
		x.responses[s.Name] = o.Response
	}
	return nil
}
