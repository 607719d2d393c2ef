package console

import (
	"fmt"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// Displaced is the header's line for a live run: a device keeps one
// authorized connection per control mode, so each login of the run (the
// preflight's included) displaces the controller connected in that mode,
// which gets authorizationNeeded and must authorize again (real clients
// were seen not to). It names the modes profile p lets the run enter; ""
// when it enters none. One line, within 100 columns.
func Displaced(p caselang.Profile) string {
	var modes []string
	for _, m := range []caselang.Mode{caselang.Admin, caselang.User} {
		if p.CanLogin(m) {
			modes = append(modes, string(m))
		}
	}
	if len(modes) == 0 {
		return ""
	}
	return fmt.Sprintf("warning: controllers connected in %s mode are displaced by the run and must re-authorize",
		strings.Join(modes, " and "))
}
