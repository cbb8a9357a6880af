package api_test

import (
	"testing"
)

// TestRouting: what the router answers for each method and path, before any handler
// runs: 405 names the methods the path has, 404 a path no route has.
func TestRouting(t *testing.T) {
	cases := []struct {
		method, path string
		status       int
		allow        string // the Allow header of a 405
	}{
		{"DELETE", "/incidents", 405, "GET"},
		{"HEAD", "/incidents", 405, "GET"}, // net/http would serve HEAD with GET; the API names its methods
		{"POST", "/incidents/FB-OPEN-1", 405, "GET"},
		{"GET", "/incidents/FB-OPEN-1/ack", 405, "POST"},
		{"PUT", "/silences", 405, "GET, POST"},
		{"GET", "/silences/sil-x", 405, "DELETE"},
		{"GET", "/incidents/FB-OPEN-1/approvals/" + approvalK + "/approve", 405, "POST"},
		{"POST", "/incidents/FB-OPEN-1/frobnicate", 404, ""},
		{"POST", "/incidents/FB-OPEN-1/approvals/" + approvalK + "/frobnicate", 404, ""},
		{"POST", "/incidents/FB-OPEN-1/approvals/approve", 404, ""},
		{"GET", "/incidents/FB-OPEN-1/ack/more", 404, ""},
		{"GET", "/incidents/", 200, ""}, // a trailing slash names the same resource
		{"GET", "/incidents/FB-OPEN-1/..", 400, ""},
		{"GET", "/incidents//FB-OPEN-1", 400, ""},
	}
	f := newFixture(t, "memory")
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp := f.do(f.request(tc.method, tc.path, "", alice))
			if resp.StatusCode != tc.status || resp.Headers["Allow"] != tc.allow {
				t.Errorf("Got(%s %s) = %d Allow %q %s; want %d Allow %q", tc.method, tc.path, resp.StatusCode, resp.Headers["Allow"], resp.Body, tc.status, tc.allow)
			}
		})
	}
}
