package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/internal/wire"
)

func TestFetchAndURLs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != Path {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"config":{"websocket":{"port":8765},"http":{"port":8766}}}`))
	}))
	defer srv.Close()
	doc, err := Fetch(context.Background(), wire.HTTPClient(nil, nil, time.Second, time.Second), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := WebSocketURL("https://device.example:443", doc)
	if err != nil || ws != "wss://device.example:8765/" {
		t.Errorf("WebSocketURL = %q, %v", ws, err)
	}
	h, err := HTTPURL("http://192.0.2.1", doc)
	if err != nil || h != "http://192.0.2.1:8766" {
		t.Errorf("HTTPURL = %q, %v", h, err)
	}
}

func TestBadPorts(t *testing.T) {
	for _, body := range []string{
		`{"config":{"websocket":{"port":"8765"}}}`,
		`{"config":{"websocket":{"port":8765.5}}}`,
		`{"config":{"websocket":{"port":70000}}}`,
		`{"config":{}}`,
	} {
		var doc map[string]any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if u, err := WebSocketURL("http://h", doc); err == nil {
			t.Errorf("%s: got %q", body, u)
		}
	}
}

func TestFetchNeverFollowsARedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/config.json", http.StatusFound)
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), wire.HTTPClient(nil, nil, time.Second, time.Second), srv.URL)
	var re *wire.RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "elsewhere.invalid") {
		t.Fatalf("want a RedirectError naming the Location, got %v", err)
	}
}
