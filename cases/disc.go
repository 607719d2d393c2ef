package cases

import . "github.com/roomconform/conform/caselang"

// DISC: port discovery through the web manager.

var discCases = []Case{
	{
		ID: "disc-1-config-json", Title: "the web manager's config.json names integer ports, and the WebSocket answers on the one it names",
		Requirements: []string{"DISC-1"},
		Needs:        []Need{HasWeb},
		Steps: []Step{
			{Name: "config", Do: Discover{}, Expect: []Check{ConfigPorts("DISC-1")}},
			// An auth answer (type "open" gets 10), not just any JSON: it is the control API there.
			{Name: "websocket", Conn: "d", Do: Send{Request: Request{Type: Str("open")}, ViaDiscovered: true}, Expect: []Check{Method("DISC-1", "auth"), Code("DISC-1", 10)}},
		},
	},
}
