package engine

import (
	"encoding/json"
	"maps"

	"github.com/roomconform/conform/caselang"
)

// legacyRequirement is where a success without resultCode is recorded
// under --legacy: ENV-6 says resultCode is an integer on every answer.
const legacyRequirement = "ENV-6"

// legacyAnswer applies --legacy (requirements.md, section 4: old 4.x
// firmware answers a successful auth without resultCode, as TrueConf's
// own client recorded): such an answer is judged as if it carried
// resultCode 0, and the missing field is a WARN of its own (a FAIL under
// --strict) instead of failing every check that reads resultCode. Any other
// answer, and every answer without --legacy, is returned as it is.
func (x *execution) legacyAnswer(step string, fields map[string]any) map[string]any {
	if !x.r.cfg.Legacy || fields == nil {
		return fields
	}
	ok, isBool := fields["result"].(bool)
	_, hasCode := fields["resultCode"]
	if !isBool || !ok || hasCode {
		return fields
	}
	x.add(caselang.Finding{
		Requirement: legacyRequirement, Level: caselang.Should, Step: step, Check: "resultCode on success (--legacy)",
		Expected: "resultCode 0 on a success", Actual: "no resultCode",
		Note: "older firmware answers a success without resultCode; --legacy accepts that as a WARN",
	})
	out := maps.Clone(fields)
	out["resultCode"] = json.Number("0") // as the wire decodes a number (UseNumber)
	return out
}
