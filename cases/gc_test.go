package cases_test

// The collector at four times the live heap (internal/testmain).
import _ "github.com/roomconform/conform/internal/testmain"
