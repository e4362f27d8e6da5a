// Command walkthrough runs README.md's "A walk through the API" with the Go
// client, as a third party would: it is a module of its own that imports
// only the client (and the domain vocabulary it speaks) and the standard
// library.
//
//	go run . -server http://localhost:8080 -admin-token "$(cat ../../data/admin.token)"
//
// Each step prints one line; any failure ends the run with a non-zero
// status. client's TestWalkthrough runs it against an in-process server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
)

func main() {
	server := flag.String("server", envOr("NEARBY_SERVER", "http://localhost:8080"), "discoveryd's base URL (NEARBY_SERVER)")
	admin := flag.String("admin-token", os.Getenv("NEARBY_ADMIN_TOKEN"), "the admin token (NEARBY_ADMIN_TOKEN)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *server, *admin); err != nil {
		fmt.Fprintln(os.Stderr, "walkthrough:", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, w io.Writer, server, adminToken string) error {
	if adminToken == "" {
		return errors.New("no admin token: pass -admin-token or set NEARBY_ADMIN_TOKEN")
	}
	admin := client.New(server, adminToken, nil)

	// The admin creates a merchant; its API key is shown once.
	m, err := admin.CreateMerchant(ctx, "Acme Coffee")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "merchant %q created, API key issued: %v\n", m.Name, m.APIKey != "")
	merchant := admin.WithToken(m.APIKey)

	// The merchant registers a store, with weekly hours in its own time
	// zone, and a mini-program found at it.
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "Acme Soho", Lat: 51.5136, Lng: -0.1365,
		Category: "coffee", Timezone: "Europe/London", Hours: nearby.Hours{"mon": {{"08:00", "20:00"}}}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "store %q at %v,%v (%s), mon %s-%s\n", st.Name, st.Lat, st.Lng, st.Timezone, st.Hours["mon"][0][0], st.Hours["mon"][0][1])
	pg, err := merchant.CreateProgram(ctx, &client.ProgramInput{AppID: "wx-acme", Name: "Acme Rewards",
		Category: "coffee", StoreIDs: []string{st.ID}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "program %q (%s) at %d store(s)\n", pg.Name, pg.AppID, len(pg.StoreIDs))

	// A phone asks what is near (no token); Explain shows how the score
	// was made.
	phone := client.New(server, "", nil)
	near, err := phone.Nearby(ctx, &client.NearbyQuery{Lat: 51.514, Lng: -0.133, RadiusM: 2000, Explain: true})
	if err != nil {
		return err
	}
	if len(near.Results) == 0 {
		return errors.New("nearby found nothing")
	}
	r := near.Results[0]
	var sum float64
	for _, v := range r.Explain {
		sum += v
	}
	fmt.Fprintf(w, "nearby: %s at %s, %.0f m; explain %v sums to the score: %v\n", r.Program.Name, r.Store.Name,
		r.DistanceM, slices.Sorted(maps.Keys(r.Explain)), math.Abs(sum-r.Score) < 1e-9)

	// An in-store beacon: discoveryd allocates a unique identity and an
	// agent token.
	bc, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Label: "till",
		Page: &client.BeaconPage{ProgramID: pg.ID, Path: "/coupon"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "beacon %q: identity allocated: %v, agent token issued: %v\n", bc.Label, bc.UUID != "", bc.AgentToken != "")

	// A phone that sees the beacon shakes: it gets the page and a ticket.
	rssi := -60
	sh, err := phone.Shake(ctx, &client.ShakeInput{DeviceID: "phone-1",
		Beacons: []client.Sighting{{UUID: bc.UUID, Major: bc.Major, Minor: bc.Minor, RSSI: &rssi}}})
	if err != nil {
		return err
	}
	if sh.Chosen == nil || sh.Chosen.Page == nil || sh.Chosen.Page.Program == nil {
		return fmt.Errorf("shake chose nothing: %+v", sh)
	}
	fmt.Fprintf(w, "shake: %s, open %s%s (%s), ticket issued: %v\n", sh.Chosen.Store.Name,
		sh.Chosen.Page.Program.AppID, sh.Chosen.Page.Path, sh.Chosen.Proximity, sh.Ticket != "")

	// The beacon's agent reports in, and the merchant reads today's
	// statistics.
	battery := 97.0
	agent := client.New(server, bc.AgentToken, nil)
	if err := agent.Heartbeat(ctx, &nearby.Heartbeat{UptimeS: 60, Version: "0.1.0", Battery: &battery}); err != nil {
		return err
	}
	b, err := merchant.GetBeacon(ctx, bc.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "heartbeat: version %s, battery %v%%\n", b.LastHeartbeat.Version, *b.LastHeartbeat.Battery)
	days, err := merchant.StoreStats(ctx, st.ID, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	if len(days) == 0 {
		return errors.New("no statistics")
	}
	today := days[len(days)-1]
	// One phone is fewer than the minimum count of devices (5 by default):
	// its figures are suppressed, null, rather than single it out.
	fmt.Fprintf(w, "stats today: suppressed %v, shake_pv shown %v\n", today.Suppressed, today.ShakePV != nil)

	// Bad input is a 400 naming every bad field.
	_, err = merchant.CreateStore(ctx, &client.StoreInput{Name: "x", Lat: 91})
	var e *client.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("bad input: got %v, want a refusal", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field+" "+f.Message)
	}
	fmt.Fprintf(w, "bad input: %d %s: %s\n", e.Status, nearby.ErrorCode(err), strings.Join(fields, "; "))
	return nil
}
