package cases

import (
	"strings"

	. "github.com/roomconform/conform/caselang"
)

// ROB: the server survives bad input; what the same connection got is
// recorded (ROB-2), and a new connection must still authorize (ROB-1).

// oneMiB is a 1 MiB text frame holding a JSON auth request padded to size.
var oneMiB = padded(1 << 20)

// padded is a JSON auth request padded to n bytes.
func padded(n int) []byte {
	head, tail := `{"method":"auth","requestId":"conform-rob-big","pad":"`, `"}`
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

// survives is the second half of every robustness case.
func survives() Step {
	return Step{Name: "new-connection", Conn: "b", Do: Send{Request: Login(Admin), MustConnect: true}, Expect: granted("ROB-1", Admin)}
}

var robCases = []Case{
	{
		ID: "rob-1-invalid-json", Title: "a frame of invalid JSON; then a new connection still authorizes",
		Requirements: []string{"ROB-1", "ROB-2"}, Labels: []string{"robustness"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Name: "bad", Do: Raw{Payload: []byte(`{"method":"auth","type":`)}, Expect: []Check{RecordReaction("ROB-2")}}, survives()},
	},
	{
		ID: "rob-1-binary-frame", Title: "a binary frame; then a new connection still authorizes",
		Requirements: []string{"ROB-1", "ROB-2"}, Labels: []string{"robustness"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Name: "bad", Do: Raw{Payload: []byte{0x00, 0xff, 0x7b, 0x22}, Binary: true}, Expect: []Check{RecordReaction("ROB-2")}}, survives()},
	},
	{
		ID: "rob-1-one-mib-frame", Title: "a 1 MiB text frame; then a new connection still authorizes",
		Requirements: []string{"ROB-1", "ROB-2"}, Labels: []string{"robustness"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Name: "big", Do: Raw{Payload: oneMiB}, Expect: []Check{RecordReaction("ROB-2")}}, survives()},
	},
	{
		// Just past the reading's 1 MiB: a server's frame limit is often
		// exactly there, and what happens beyond it matters as much.
		ID: "rob-1-just-over-one-mib-frame", Title: "a text frame of 1 MiB and one byte; then a new connection still authorizes",
		Requirements: []string{"ROB-1", "ROB-2"}, Labels: []string{"robustness"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Name: "big", Do: Raw{Payload: padded(1<<20 + 1)}, Expect: []Check{RecordReaction("ROB-2")}}, survives()},
	},
	{
		ID: "rob-1-invalid-utf8", Title: "a text frame that is not valid UTF-8; then a new connection still authorizes",
		Requirements: []string{"ROB-1", "ROB-2"}, Labels: []string{"robustness"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Name: "bad", Do: Raw{Payload: []byte("{\"method\":\"auth\",\"requestId\":\"\xff\xfe\",\"type\":\"open\"}")}, Expect: []Check{RecordReaction("ROB-2")}}, survives()},
	},
	{
		ID: "rob-1-abrupt-close", Title: "an auth request followed at once by a dropped TCP connection; then a new connection still authorizes",
		Requirements: []string{"ROB-1"}, Labels: []string{"robustness"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Name: "dropped", Do: Abort{Request: Login(Admin)}}, survives()},
	},
}
