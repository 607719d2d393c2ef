package engine

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/roomconform/conform/caselang"
)

// build resolves a request into its JSON payload (fields in the documented
// order) and the credential values it carries, registering secrets with
// the redactor before anything is sent or recorded.
func (x *execution) build(req caselang.Request, id string) ([]byte, []string, error) {
	type kv struct {
		k string
		v caselang.Value
	}
	fields := []kv{{"requestId", req.RequestID}, {"type", req.Type}, {"role", req.Role}, {"credentials", req.Credentials}}
	if req.RequestID == nil {
		fields[0].v = caselang.Str(id)
	}
	for _, f := range req.Extra {
		fields = append(fields, kv{f.Name, f.Value})
	}
	var b bytes.Buffer
	b.WriteString(`{"method":`)
	writeJSON(&b, req.MethodName())
	var sent []string
	for _, f := range fields {
		if f.v == nil {
			continue
		}
		v, err := f.v.Resolve(x)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.k, err)
		}
		if !v.Present {
			continue
		}
		if s, ok := v.V.(string); ok && v.Secret != "" {
			x.r.cfg.Redactor.Add(v.Secret, s)
		}
		if s, ok := v.V.(string); ok && f.k == "credentials" && s != "" && !caselang.IsToken(f.v) {
			sent = append(sent, s)
		}
		b.WriteByte(',')
		writeJSON(&b, f.k)
		b.WriteByte(':')
		writeJSON(&b, v.V)
	}
	b.WriteByte('}')
	return b.Bytes(), sent, nil
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings, numbers and booleans cannot fail
	b.Truncate(b.Len() - 1)
}
