package reports

// SchemaErrors is schemaErrors for the fleet's tests (package
// reports_test, which runs real runs through the conductor).
var SchemaErrors = schemaErrors
