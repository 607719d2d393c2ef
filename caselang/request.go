package caselang

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

// With returns r with role replaced (nil removes it).
func (r Request) With(role Value) Request {
	r.Role = role
	return r
}

// WithType returns r with type replaced.
func (r Request) WithType(t Value) Request {
	r.Type = t
	return r
}

// WithID returns r with the given requestId.
func (r Request) WithID(id Value) Request {
	r.RequestID = id
	return r
}

// SecuredAuth is a secured auth request with the given credentials and role
// (role nil: no role field).
func SecuredAuth(credentials, role Value) Request {
	return Request{Type: Str("secured"), Credentials: credentials, Role: role}
}
