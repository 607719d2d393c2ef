package wire

import (
	"fmt"
	"strings"
	"testing"

	"github.com/roomconform/conform/internal/redact"
)

func TestAutoRedactReceivedSecrets(t *testing.T) {
	const (
		tok     = "1*AbCdEf0123456789*30*SECRETHEX"
		httpTok = "http-token-SECRET-456"
		pin     = "9x7"
	)
	url := scripted(t, nil, func(req request) []string {
		switch req.id {
		case "login":
			return []string{fmt.Sprintf(`{"method":"auth","requestId":"login","result":true,"token":%q,"tokenForHttpServer":%q}`, tok, httpTok)}
		case "info":
			return []string{fmt.Sprintf(`{"method":"getAuthInfo","requestId":"info","userAuth":{"security":"pin","pin":%q},"result":true}`, pin)}
		case "broken":
			return []string{`{"method":"getTokenForHttpServer","requestId":"broken","token":"broken-SECRET-789",`}
		}
		return echo(req)
	})
	shared := redact.New()
	c := dial(t, url, Options{Redactor: shared})
	resp := call(t, c, authReq("login"))
	if resp.Fields["token"] != tok {
		t.Fatal("Fields must hold the real token")
	}
	call(t, c, authReq("info"))
	call(t, c, authReq("broken"))
	// Sending the token back (token re-authorization) is redacted as well.
	call(t, c, []byte(fmt.Sprintf(`{"method":"auth","requestId":"re","type":"secured","credentials":%q}`, tok)))

	s := c.Transcript().String()
	for _, secret := range []string{tok, httpTok, "SECRETHEX", pin, "broken-SECRET-789"} {
		if strings.Contains(s, secret) {
			t.Errorf("transcript contains %q:\n%s", secret, s)
		}
	}
	for _, marker := range []string{"[REDACTED:token]", "[REDACTED:tokenForHttpServer]", "[REDACTED:pin]"} {
		if !strings.Contains(s, marker) {
			t.Errorf("no %s in:\n%s", marker, s)
		}
	}
	if shared.Redact("x"+tok+"x") == "x"+tok+"x" {
		t.Error("token not registered with the shared Redactor")
	}
}

func TestAutoRedactDefaultsWithoutRedactor(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		return []string{`{"method":"auth","requestId":"1","token":"private-SECRET-1"}`}
	})
	c := dial(t, url, Options{}) // no Redactor, no Transcript: a private Redactor still protects it
	call(t, c, authReq("1"))
	if strings.Contains(c.Transcript().String(), "private-SECRET-1") {
		t.Fatal("token in transcript")
	}
	c2 := dial(t, url, Options{AutoRedact: []string{}})
	call(t, c2, authReq("1"))
	if !strings.Contains(c2.Transcript().String(), "private-SECRET-1") {
		t.Fatal("AutoRedact: []string{} must disable auto-redaction")
	}
}
