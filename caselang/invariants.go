package caselang

// The invariants: what docs/requirements.md states for every auth answer, not
// only in the case written for it. The engine applies them to every auth
// exchange of every case (keeping the broken ones), and the model of the
// reading judges each answer against the state (internal/model).

// EveryAuthAnswer returns the checks that apply to the auth answer o: the
// envelope (ENV-2, ENV-6, ENV-7), the requestId echo (ENV-3 for a string id,
// ENV-4 without one), on success the fields (AUTH-1, AUTH-2, AUTH-5), on
// failure no previleges (FAIL-2), and never the credentials sent (FAIL-5).
func EveryAuthAnswer(o Observation) []Check {
	checks := Envelope()
	switch id, present := o.Request["requestId"]; {
	case !present:
		checks = append(checks, EmptyOrNoRequestID("ENV-4"))
	case isString(id):
		checks = append(checks, EchoesRequestID("ENV-3"))
	}
	if ok, _ := o.Response["result"].(bool); ok {
		checks = append(checks, PrevilegesField("AUTH-1"), Tokens("AUTH-2"), TokensDiffer("AUTH-5"))
	} else {
		checks = append(checks, NoPrevileges("FAIL-2"))
	}
	return append(checks, NoCredentialEcho("FAIL-5"))
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

// AsTheReadingSays expects the answer the model of the reading accepts for
// the step's request in the state the case has reached, cited under req
// (generated stimuli, whose expected answer is the model's).
func AsTheReadingSays(req string) Check {
	return Check{Req: req, Name: "the reading's accepted answers", byModel: true,
		eval: func(Observation) result { return result{ok: true, note: "judged by the model of the reading"} }}
}

// ByModel reports whether the check is the model's judgement of the step
// (AsTheReadingSays): the engine fills it in from the model.
func (c Check) ByModel() bool { return c.byModel }
