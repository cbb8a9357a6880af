package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/api"
)

func TestLoopback(t *testing.T) {
	f := newFixture(t, "memory")
	srv := httptest.NewServer(&api.Loopback{Handler: f.h, Actor: "local:alice", NewID: func() string { return "local-1" }})
	t.Cleanup(srv.Close)

	get := func(path string, host string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	resp, body := get("/incidents?status=open&status=acknowledged", "")
	var list api.ListResponse
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || list.Count != 2 || resp.Header.Get("X-Request-Id") != "local-1" {
		t.Errorf("Got(GET /incidents?status=open&status=acknowledged) = %d, %d incidents, request %q; want 200, 2, local-1",
			resp.StatusCode, list.Count, resp.Header.Get("X-Request-Id"))
	}
	for _, host := range []string{"evil.example", "evil.example:80", "10.0.0.1"} {
		if resp, _ := get("/incidents", host); resp.StatusCode != http.StatusForbidden {
			t.Errorf("Got(GET with Host %q) = %d; want 403 (only loopback names)", host, resp.StatusCode)
		}
	}
	if resp, _ := get("/incidents", "localhost:8080"); resp.StatusCode != 200 {
		t.Errorf("Got(GET with Host localhost) = %d; want 200", resp.StatusCode)
	}

	post := func(path, contentType, body string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Post(srv.URL+path, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	if resp, body := post("/incidents/FB-OPEN-1/ack", "application/json", `{"note":"local"}`); resp.StatusCode != 200 || !strings.Contains(body, `"acknowledged_by":"local:alice"`) {
		t.Errorf("Got(POST ack) = %d %s; want acknowledged by local:alice", resp.StatusCode, body)
	}
	// A cross-site form cannot act: not JSON.
	if resp, _ := post("/incidents/FB-ACK-1/resolve", "text/plain", `{}`); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("Got(POST resolve as text/plain) = %d; want 415", resp.StatusCode)
	}
	// Bytes that are not UTF-8 travel base64-encoded, as Lambda passes them.
	if resp, body := post("/incidents/FB-ACK-1/notes", "application/json", "\xff\xfe"); resp.StatusCode != 400 || !strings.Contains(body, "not valid JSON") {
		t.Errorf("Got(POST binary note) = %d %s; want 400 not valid JSON", resp.StatusCode, body)
	}
}

func TestLoopbackHost(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{{"127.0.0.1", true}, {"127.0.0.53", true}, {"::1", true}, {"[::1]", true}, {"localhost", true}, {"LOCALHOST", true},
		{"0.0.0.0", false}, {"10.1.2.3", false}, {"example.com", false}, {"", false}} {
		if got := api.LoopbackHost(tc.host); got != tc.want {
			t.Errorf("LoopbackHost(%q) = %v; want %v", tc.host, got, tc.want)
		}
	}
}
