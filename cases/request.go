package cases

// Request is a control-API request. Nil fields are absent from the JSON.
type Request struct {
	// Method defaults to "auth".
	Method string
	// RequestID: nil gets a fresh unique string id; NoRequestID omits it.
	RequestID Value
	Type      Value
	Role      Value
	// Credentials holds a password, PIN or token.
	Credentials Value
	// Extra fields, in order, after the standard ones.
	Extra []Field
}

// Field is one extra request field.
type Field struct {
	Name  string
	Value Value
}

// MethodName returns the request's method.
func (r Request) MethodName() string {
	if r.Method == "" {
		return "auth"
	}
	return r.Method
}
