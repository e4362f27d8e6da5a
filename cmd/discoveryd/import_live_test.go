package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain_ImportWhileQuerying: during a long import the index grows batch
// by batch and phone queries keep being answered.
func TestMain_ImportWhileQuerying(t *testing.T) {
	m := MustRunMain(t, t.TempDir())
	c := clientOf(t, m)
	_, key := newMerchant(c, "Live")
	const rows = 20000
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprintln(pw, "name,lat,lng,category")
		for i := range rows {
			fmt.Fprintf(pw, "s%d,%g,%g,shop\n", i, 40+float64(i%1000)/1000, -3+float64(i/1000)/100)
			if i%2000 == 1999 {
				time.Sleep(20 * time.Millisecond) // a slow uploader
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", "http://"+m.Addr()+"/v1/stores/import?format=csv", pr)
	req.Header.Set("Authorization", "Bearer "+key)
	done := make(chan resp, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- resp{}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- resp{Status: res.StatusCode, Body: b}
	}()

	var mu sync.Mutex
	var seen []int
	queries, failures := 0, 0
	var r resp
poll:
	for {
		select {
		case r = <-done:
			break poll
		default:
		}
		res, err := http.Get("http://" + m.Addr() + "/v1/nearby?lat=40.5&lng=-2.9&radius_m=5000")
		queries++
		if err != nil || res.StatusCode != 200 {
			failures++
		}
		if res != nil {
			res.Body.Close()
		}
		var h struct{ Stores int }
		if hr, err := http.Get("http://" + m.Addr() + "/healthz"); err == nil {
			json.NewDecoder(hr.Body).Decode(&h)
			hr.Body.Close()
			mu.Lock()
			seen = append(seen, h.Stores)
			mu.Unlock()
		}
		time.Sleep(2 * time.Millisecond)
	}
	if r.Status != 200 || !strings.Contains(string(r.Body), fmt.Sprintf(`"imported":%d`, rows)) {
		t.Fatalf("import = %d %s, want 200 with %d imported", r.Status, r.Body, rows)
	}
	between := 0
	for _, n := range seen {
		if n > 0 && n < rows {
			between++
		}
	}
	if between == 0 {
		t.Errorf("index sizes seen during the import %v: want some between 0 and %d (batches visible before the end)", seen, rows)
	}
	if failures > 0 {
		t.Errorf("%d of %d nearby queries failed during the import", failures, queries)
	}
	if got := m.Index.Len(); got != rows {
		t.Errorf("index size after the import = %d, want %d", got, rows)
	}
}
