package wire

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
)

// autoREs caches the compiled expression for each list of AutoRedact
// fields: every connection of a run has the same list, and compiling it
// per dial cost more than the dial's own JSON work.
var autoREs sync.Map // strings.Join(fields, "\x00") -> *regexp.Regexp

func (c *Client) setAutoRedact(fields []string) {
	if len(fields) == 0 {
		return
	}
	c.autoFields = map[string]bool{}
	for _, f := range fields {
		c.autoFields[f] = true
	}
	key := strings.Join(fields, "\x00")
	if re, ok := autoREs.Load(key); ok {
		c.autoRE = re.(*regexp.Regexp)
		return
	}
	quoted := make([]string, 0, len(fields))
	for _, f := range fields {
		quoted = append(quoted, regexp.QuoteMeta(f))
	}
	re, _ := autoREs.LoadOrStore(key, regexp.MustCompile(`"(`+strings.Join(quoted, "|")+`)"\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)`))
	c.autoRE = re.(*regexp.Regexp)
}

// autoRedact registers the values of the AutoRedact fields before the frame is recorded, at any
// depth of the message: a token is a secret wherever a target puts it.
func (c *Client) autoRedact(m Message) {
	if c.red == nil || c.autoFields == nil || m.Binary {
		return
	}
	if m.Fields == nil {
		// Not an object (e.g. a truncated reply): still keep what looks like a credential out.
		for _, sub := range c.autoRE.FindAllSubmatch(m.Raw, -1) {
			val := string(sub[2])
			var s string
			if json.Unmarshal(sub[2], &s) == nil {
				val = s
			} else {
				val = strings.Trim(val, `"`)
			}
			c.red.Add(string(sub[1]), val)
		}
		return
	}
	c.autoRedactIn(m.Fields)
}

func (c *Client) autoRedactIn(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			c.autoRedactField(k, x)
			c.autoRedactIn(x)
		}
	case []any:
		for _, x := range t {
			c.autoRedactIn(x)
		}
	}
}

func (c *Client) autoRedactField(k string, v any) {
	if !c.autoFields[k] {
		return
	}
	switch s := v.(type) {
	case string:
		c.red.Add(k, s)
	case json.Number: // a PIN sent as a number is still a PIN
		c.red.Add(k, s.String())
	}
}
