package cases

// DISC: port discovery through the web manager.

var discCases = []Case{
	{
		ID: "disc-1-config-json", Title: "the web manager's config.json names integer ports, and the WebSocket answers on the one it names",
		Requirements: []string{"DISC-1"},
		Needs:        []Need{HasWeb},
		Steps: []Step{
			{Name: "config", Discover: true, Expect: []Check{ConfigPorts("DISC-1")}},
			{Name: "websocket", Conn: "d", ViaDiscovered: true, Send: Request{Type: Str("open")}, Expect: []Check{Answered("DISC-1")}},
		},
	},
}
