package reports

// SchemaErrors is schemaErrors for the fleet's tests (package
// reports_test, which runs real runs through the conductor).
var SchemaErrors = schemaErrors

// The page tests' walkers (html_test.go), for the fleet page's tests.
var (
	EachElement = each
	Attr        = attr
	TextOf      = text
)
