package api_test

import (
	"os"
	"testing"
)

// TestOpenAPIDump writes the served /openapi.json to the file named by
// NEARBY_OPENAPI_OUT, so .ci/run can lint the document discoveryd serves.
func TestOpenAPIDump(t *testing.T) {
	out := os.Getenv("NEARBY_OPENAPI_OUT")
	if out == "" {
		t.Skip("NEARBY_OPENAPI_OUT is not set")
	}
	ts := newTestServer(t, nil)
	w := ts.serve("GET", "/openapi.json", "", "")
	if w.Code != 200 {
		t.Fatalf("GET /openapi.json = %d: %s", w.Code, w.Body)
	}
	if err := os.WriteFile(out, w.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
