package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/session"
)

// TestProbePathQueryValuesAreSecrets: a value in the query of --http-probe-path is a secret
// (issue 16: it was written raw wherever the probe's URL was), in every form; the default
// path's peerId is not.
func TestProbePathQueryValuesAreSecrets(t *testing.T) {
	red := redact.New()
	set := caselang.DefaultSettings()
	set.ProbePath = "/frames/?peerId=%23self%3A0&key=probe-Key-s3cret"
	s, err := session.Open(context.Background(), session.Config{Redactor: red, Settings: set})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, text := range []string{"GET http://h/frames/?peerId=%23self%3A0&key=probe-Key-s3cret&token=x", "probe-key-s3cret", "cHJvYmUtS2V5LXMzY3JldA=="} {
		if out := red.Redact(text); strings.Contains(strings.ToLower(out), "s3cret") || strings.Contains(out, "cHJvYmUtS2V5") {
			t.Errorf("the probe path's key survives: %q", out)
		}
	}
	if out := red.Redact("peerId #self:0"); out != "peerId #self:0" {
		t.Errorf("the default peerId is redacted: %q", out)
	}
}
