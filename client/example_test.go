package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
)

// An agent uploads a batch; re-sending it is harmless, the server counts
// the events as duplicates.
func ExampleClient_PostEvents() {
	seen := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen == 0 {
			io.WriteString(w, `{"accepted":1,"duplicates":0,"rejected":[]}`)
		} else {
			io.WriteString(w, `{"accepted":0,"duplicates":1,"rejected":[]}`)
		}
		seen++
	}))
	defer srv.Close()

	c := client.New(srv.URL, "at_1_secret", nil)
	evs := []nearby.Event{{ID: "6f1c1b1e-8d8a-4c8e-9a53-0d5bb2b8e0a1", Type: nearby.EventEnter,
		At: time.Now().UTC(), DeviceID: "phone-1"}}
	for range 2 {
		acc, dup, err := c.PostEvents(context.Background(), evs)
		fmt.Println(acc, dup, err)
	}
	// Output:
	// 1 0 <nil>
	// 0 1 <nil>
}
