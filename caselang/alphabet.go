package caselang

import (
	_ "embed"
	"fmt"
)

// The input alphabet of the generated cases (cases/generated.go, made by
// internal/generate from the model of the reading; docs/architecture.md
// "Generated cases").
//
// Tour is what a transition tour sends: the moves that change or read the
// state of a connection (logins, wrong credentials, escalations, the status
// change, token re-authorization, the commands, a close, the HTTP server).
// Factors are the classes of each request field that the covering array
// combines, two at a time, in each state class. Both are data: add an input
// or a class here, run the generator, and the generated cases cover it.

// Input is one input of the tour alphabet: a stimulus on one connection.
type Input struct {
	// Name is what the generated steps are called after ("login-admin").
	Name string
	// Request is what the input sends. A Token credentials field is filled
	// in by the generator with a token an earlier step got.
	Request Request
	// Tokens says which tokens the input takes: "api" (the newest API token
	// of the connection, and of the other connection; to the HTTP server,
	// the connection's own), "http" (the newest HTTP token of the
	// connection, for the HTTP server); "" for none.
	Tokens string
	// Close closes the connection (a client leaving; Abrupt: dropping it);
	// HTTP asks the embedded HTTP server with the token, in request shape
	// Shape.
	Close, Abrupt, HTTP bool
	Shape               HTTPShape
	// Disruptive inputs make the case disruptive (they clear what other
	// clients hold).
	Disruptive bool
}

// Token is the placeholder of an Input's credentials that the generator
// replaces by a token an earlier step got.
var Token Value = tokenSlot{}

type tokenSlot struct{}

func (tokenSlot) Resolve(Scope) (Resolved, error) {
	return Resolved{}, fmt.Errorf("caselang.Token is a placeholder the generator fills in")
}
func (tokenSlot) Describe() string { return "<a token an earlier step got>" }

// Tour is the tour alphabet, in the order the generator tries inputs.
var Tour = []Input{
	{Name: "login-admin", Request: Login(Admin)},
	{Name: "login-user", Request: Login(User)},
	{Name: "login-admin-no-role", Request: Login(Admin).With(nil)},
	{Name: "login-user-no-role", Request: Login(User).With(nil)},
	{Name: "wrong-admin", Request: SecuredAuth(WrongFor(Admin), Str("admin"))},
	{Name: "wrong-user", Request: SecuredAuth(WrongFor(User), Str("user"))},
	{Name: "user-secret-as-admin", Request: Request{Type: LoginField{User, "type"}, Role: Str("admin"), Credentials: LoginField{User, "credentials"}}},
	{Name: "admin-secret-as-user", Request: Request{Type: LoginField{Admin, "type"}, Role: Str("user"), Credentials: LoginField{Admin, "credentials"}}},
	{Name: "unsecured-no-role", Request: Request{Type: Str("unsecured")}},
	{Name: "status-change", Request: Request{Role: Str("user")}},
	{Name: "token-as-admin", Request: SecuredAuth(Token, Str("admin")), Tokens: "api"},
	{Name: "token-as-user", Request: SecuredAuth(Token, Str("user")), Tokens: "api"},
	{Name: "token-no-role", Request: SecuredAuth(Token, nil), Tokens: "api"},
	{Name: "get-auth-info", Request: Request{Method: "getAuthInfo"}},
	{Name: "get-http-token", Request: Request{Method: "getTokenForHttpServer"}},
	{Name: "clear-tokens", Request: Request{Method: "clearTokens"}, Disruptive: true},
	{Name: "http", HTTP: true, Tokens: "http"},
	{Name: "http-token-first", HTTP: true, Tokens: "http", Shape: HTTPTokenFirst},
	{Name: "http-param-other-case", HTTP: true, Tokens: "http", Shape: HTTPParamCase},
	{Name: "http-api-token", HTTP: true, Tokens: "api"},
	{Name: "http-no-token", HTTP: true, Shape: HTTPNoToken},
	{Name: "http-empty-token", HTTP: true, Shape: HTTPEmptyToken},
	{Name: "close", Close: true},
	{Name: "drop", Close: true, Abrupt: true},
}

// FieldClass is one class of one request field's values.
type FieldClass struct {
	// Name names the class ("nul-extra"); the field is the Factor's.
	Name string
	// Value makes the field; nil leaves it out. Token is filled in.
	Value Value
}

// Factor is a request field and its classes: one factor of the covering
// array.
type Factor struct {
	Name    string
	Classes []FieldClass
}

// reusedID is the requestId the "reused" class sends in every row: from
// the second row on, a requestId the connection has seen before.
const reusedID = "conform-reused"

// Factors are the classes of the auth request's fields the covering array
// combines: each pair of classes of two fields is sent in each state class.
var Factors = func() []Factor {
	creds := []FieldClass{
		{"absent", nil}, {"empty", Str("")}, {"number", JSON(42)}, {"null", JSON(nil)},
		{"admin-secret", LoginField{Admin, "credentials"}}, {"user-secret", LoginField{User, "credentials"}},
		{"user-secret-other-case", Near(LoginField{User, "credentials"}, "other-case")},
		{"wrong", WrongFor(Admin)},
		{"api-token", Token}, {"http-token", HTTPToken},
	}
	for _, name := range []string{"other-case", "prefix", "extension", "trailing-space", "nul-extra", "control-tail", "newline", "non-ascii-tail", "look-alike"} {
		creds = append(creds, FieldClass{"admin-secret-" + name, Near(LoginField{Admin, "credentials"}, name)})
	}
	return []Factor{
		{"type", []FieldClass{{"absent", nil}, {"secured", Str("secured")}, {"unsecured", Str("unsecured")},
			{"other-case", Str("Secured")}, {"invalid", Str("open")}, {"non-string", JSON(1)}, {"null", JSON(nil)}}},
		{"role", []FieldClass{{"absent", nil}, {"admin", Str("admin")}, {"user", Str("user")},
			{"other-case", Str("Admin")}, {"invalid", Str("root")}, {"empty", Str("")}, {"non-string", JSON(true)}, {"null", JSON(nil)}}},
		{"credentials", creds},
		{"requestId", []FieldClass{{"string", nil}, {"number", JSON(7)}, {"absent", NoRequestID}, {"reused", Str(reusedID)}}},
	}
}()

// HTTPToken is the placeholder of a Field class's credentials that the
// generator replaces by an HTTP token an earlier step got.
var HTTPToken Value = httpSlot{}

type httpSlot struct{ tokenSlot }

func (httpSlot) Describe() string { return "<an HTTP token an earlier step got>" }

// Row is a request made of one class per factor (Factors order), and
// the classes by name ("credentials=nul-extra").
func Row(classes []int) (Request, []string) {
	var r Request
	var names []string
	for i, f := range Factors {
		c := f.Classes[classes[i]]
		names = append(names, f.Name+"="+c.Name)
		switch f.Name {
		case "type":
			r.Type = c.Value
		case "role":
			r.Role = c.Value
		case "credentials":
			r.Credentials = c.Value
		case "requestId":
			r.RequestID = c.Value
		}
	}
	return r, names
}

// Credential is the credential that opens mode m in the target's profile
// (none where m is unsecured).
func Credential(m Mode) Value { return LoginField{m, "credentials"} }

// IsPlaceholder reports whether v is a token placeholder (Token,
// HTTPToken) and which kind of token it stands for.
func IsPlaceholder(v Value) (http, ok bool) {
	switch v.(type) {
	case httpSlot:
		return true, true
	case tokenSlot:
		return false, true
	}
	return false, false
}

// ProfileKey names a protection profile in the generated cases
// ("pro/password/pin": plan, admin security, user security). On a Free
// plan, where every secured login is refused (RC-2), a protected mode is
// "protected" whatever its kind: the kinds behave alike there, and the
// preflight cannot tell them apart without admin access.
func ProfileKey(p Profile) string {
	sec := func(s Security) string {
		if p.Plan == Free && s.IsProtected() {
			return string(Protected)
		}
		return string(s)
	}
	return string(p.Plan) + "/" + sec(p.Admin) + "/" + sec(p.User)
}

// FieldClasses returns the class of each field of an auth request
// ("credentials=nul-extra", Factors order), by the value that makes it;
// ok is false when a field's value is of no class of the alphabet.
func FieldClasses(r Request) ([]string, bool) {
	vals := []Value{r.Type, r.Role, r.Credentials, r.RequestID}
	var out []string
	for i, f := range Factors {
		v := vals[i]
		name := ""
		if step, field, ok := TokenSource(v); ok && step != "" {
			name = map[string]string{"token": "api-token", "tokenForHttpServer": "http-token"}[field]
		}
		for _, c := range f.Classes {
			if name != "" {
				break
			}
			switch {
			case v == nil && c.Value == nil:
				name = c.Name
			case v != nil && c.Value != nil && v.Describe() == c.Value.Describe():
				name = c.Name
			}
		}
		if name == "" {
			return nil, false
		}
		out = append(out, f.Name+"="+name)
	}
	return out, true
}

// Reach is what the generated cases of some profiles cover, as the
// generator counted it: every transition (abstract state :: input class)
// the tour covers, and per state class of the sending connection the
// classes each request field takes in the covering array.
type Reach struct {
	Profiles    []string
	Transitions []string
	// Levels: state class -> factor (Factors order) -> class names.
	Levels map[string][][]string
	// Pairs is how many field pairs the covering array covers; Open how
	// many (state, input) pairs the tour leaves to the covering array and
	// the hand-written cases because the answer decides what follows.
	Pairs, Open int
}
