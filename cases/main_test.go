package cases_test

import (
	"os"
	"testing"

	"github.com/roomconform/conform/internal/testmain"
)

func TestMain(m *testing.M) {
	testmain.CollectLessOften()
	os.Exit(m.Run())
}
