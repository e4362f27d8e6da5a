package catalog_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

func TestCatalog_RecordActivity(t *testing.T) {
	now := monday
	c, _ := MustNew(t, &catalog.Options{Now: func() time.Time { return now }, PopularityHalfLife: 24 * time.Hour})
	c.PutStore(store(1, 48.85, 2.35))
	c.PutStore(store(2, 48.85, 2.3501))
	c.PutProgram(program(1, "coffee", 1))
	c.PutProgram(program(2, "coffee", 2))
	if got := c.Activity(1, now); got != -1 {
		t.Fatalf("activity before any event = %v, want -1 (neutral)", got)
	}
	c.RecordActivity(2, nearby.EventShake, now)
	c.RecordActivity(2, nearby.EventEnter, now.Add(-24*time.Hour))
	c.RecordActivity(2, nearby.EventExit, now)   // not activity
	c.RecordActivity(99, nearby.EventShake, now) // unknown store: dropped
	if got, want := c.Activity(2, now), 1.5; math.Abs(got-want) > 1e-9 {
		t.Errorf("activity = %v, want %v (1 + a day-old event at half weight)", got, want)
	}
	if got, want := c.Activity(2, now.Add(48*time.Hour)), 1.5/4; math.Abs(got-want) > 1e-9 {
		t.Errorf("activity two half-lives later = %v, want %v", got, want)
	}
	if got := c.Activity(1, now); got != 0 {
		t.Errorf("activity of a quiet store = %v, want 0", got)
	}
	// Popularity lifts the farther but busier store 2 above store 1.
	for i := 0; i < 200; i++ {
		c.RecordActivity(2, nearby.EventShake, now)
	}
	page, err := c.Nearby(context.Background(), catalog.NearbyQuery{Lat: 48.85, Lng: 2.35})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 2 || page.Results[0].Program.ID != 2 {
		t.Fatalf("got %+v, want the busy program 2 first", page.Results)
	}
}

func TestCatalog_RecordActivity_Concurrent(t *testing.T) {
	c, _ := MustNew(t, nil)
	c.PutStore(store(1, 48.85, 2.35))
	c.PutProgram(program(1, "coffee", 1))
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 500; i++ {
				c.RecordActivity(1, nearby.EventShake, monday)
				if _, err := c.Nearby(context.Background(), catalog.NearbyQuery{Lat: 48.85, Lng: 2.35}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	if got := c.Activity(1, monday); got != 2000 {
		t.Errorf("activity after 2000 concurrent shakes = %v, want 2000", got)
	}
}
