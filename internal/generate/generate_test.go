package generate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// generatedPath is the generated catalogue, relative to this package.
var generatedPath = filepath.Join("..", "..", "cases", "generated.txt")

// TestGeneratedIsFresh regenerates cases/generated.txt from the model and
// the alphabet and fails when the checked-in file differs: a change to
// either must come with the cases it makes. CONFORM_GENERATE_WRITE=1
// writes the file instead.
func TestGeneratedIsFresh(t *testing.T) {
	got, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("CONFORM_GENERATE_WRITE") == "1" {
		if err := os.WriteFile(generatedPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(generatedPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("cases/generated.txt is stale: regenerate it with CONFORM_GENERATE_WRITE=1 go test ./internal/generate -run TestGeneratedIsFresh")
	}
}
