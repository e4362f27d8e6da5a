package client_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/client"
)

// A merchant's journey: the admin creates the merchant, whose API key then
// registers a store, a mini-program found at it and an in-store beacon.
func Example_merchant() {
	srv, err := newServer() // a real discoveryd in process
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()

	admin := client.New(srv.URL, srv.Admin, nil)
	m, err := admin.CreateMerchant(ctx, "Acme Coffee")
	if err != nil {
		fmt.Println(err)
		return
	}
	merchant := admin.WithToken(m.APIKey) // shown once: keep it
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "Acme Soho", Lat: 51.5136, Lng: -0.1365,
		Category: "coffee", Timezone: "Europe/London", Hours: nearby.Hours{"mon": {{"08:00", "20:00"}}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	pg, err := merchant.CreateProgram(ctx, &client.ProgramInput{AppID: "wx-acme", Name: "Acme Rewards",
		Category: "coffee", StoreIDs: []string{st.ID}})
	if err != nil {
		fmt.Println(err)
		return
	}
	bc, err := merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Label: "till",
		Page: &client.BeaconPage{ProgramID: pg.ID, Path: "/coupon"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("merchant:", m.ID, m.Name)
	fmt.Println("store:", st.ID, st.Name, st.Timezone)
	fmt.Println("program:", pg.ID, pg.Name, pg.StoreIDs)
	fmt.Println("beacon:", bc.ID, bc.Label, bc.Status, bc.TxPower, "dBm; agent token issued:", bc.AgentToken != "")

	// Every list is also an iterator that follows the pages.
	for b, err := range merchant.Beacons(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("listed:", b.ID, b.Label, b.Page.Path)
	}
	// Output:
	// merchant: mer_1 Acme Coffee
	// store: st_1 Acme Soho Europe/London
	// program: pg_1 Acme Rewards [st_1]
	// beacon: bcn_1 till active -59 dBm; agent token issued: true
	// listed: bcn_1 till /coupon
}

// A phone asks what is near, resolves the beacons it hears and shakes. No
// token is needed.
func Example_phone() {
	srv, err := newServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	bc, err := setUp(ctx, srv) // the merchant example's store, program and beacon
	if err != nil {
		fmt.Println(err)
		return
	}

	phone := client.New(srv.URL, "", nil)
	for r, err := range phone.NearbyAll(ctx, &client.NearbyQuery{Lat: 51.514, Lng: -0.133, RadiusM: 2000}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("nearby: %s at %s, %.0f m\n", r.Program.Name, r.Store.Name, r.DistanceM)
	}

	rssi := -60
	seen := []client.Sighting{{UUID: bc.UUID, Major: bc.Major, Minor: bc.Minor, RSSI: &rssi}}
	res, err := phone.Resolve(ctx, seen)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Println("resolved:", r.Store.Name, r.Page.Program.Name, r.Page.Path, r.Proximity)
	}

	sh, err := phone.Shake(ctx, &client.ShakeInput{DeviceID: "phone-1", Beacons: seen})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("shake: open", sh.Chosen.Page.Program.AppID+sh.Chosen.Page.Path, "ticket issued:", sh.Ticket != "")
	// Output:
	// nearby: Acme Rewards at Acme Soho, 246 m
	// resolved: Acme Soho Acme Rewards /coupon near
	// shake: open wx-acme/coupon ticket issued: true
}

// A beacon agent reads the identity to advertise, reports in and uploads
// what it saw; re-sending a batch is harmless.
func Example_agent() {
	srv, err := newServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	bc, err := setUp(ctx, srv)
	if err != nil {
		fmt.Println(err)
		return
	}

	agent := client.New(srv.URL, bc.AgentToken, nil)
	cfg, err := agent.AgentConfig(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("advertise:", cfg.BeaconID, cfg.UUID == bc.UUID, cfg.TxPower, "dBm every", cfg.IntervalMS, "ms")

	battery := 97.0
	err = agent.Heartbeat(ctx, &nearby.Heartbeat{UptimeS: 60, Version: "0.1.0", Battery: &battery})
	fmt.Println("heartbeat:", err)

	evs := []nearby.Event{{ID: uuid.NewString(), Type: nearby.EventEnter, At: time.Now().UTC(), DeviceID: "phone-1"}}
	for range 2 {
		acc, dup, err := agent.PostEvents(ctx, evs)
		fmt.Println("events: accepted", acc, "duplicates", dup, err)
	}
	// Output:
	// advertise: bcn_1 true -59 dBm every 1000 ms
	// heartbeat: <nil>
	// events: accepted 1 duplicates 0 <nil>
	// events: accepted 0 duplicates 1 <nil>
}

// A refused request is a *client.Error with the problem's fields; its code
// is the domain's, so nearby.ErrorCode reads it.
func ExampleError() {
	srv, err := newServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ctx := context.Background()
	admin := client.New(srv.URL, srv.Admin, nil)
	m, err := admin.CreateMerchant(ctx, "Acme Coffee")
	if err != nil {
		fmt.Println(err)
		return
	}
	merchant := admin.WithToken(m.APIKey)

	_, err = merchant.CreateStore(ctx, &client.StoreInput{Name: "x", Lat: 91})
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code, e.Type)
		for _, f := range e.Fields {
			fmt.Printf("  %s: %s\n", f.Field, f.Message)
		}
	}
	_, err = merchant.GetStore(ctx, "st_99")
	fmt.Println(nearby.ErrorCode(err) == nearby.ENOTFOUND)
	// Output:
	// 400 invalid https://nearby.dev/problems/invalid
	//   lat: must be between -90 and 90
	//   category: is required
	// true
}

// setUp creates what Example_merchant does and returns the beacon.
func setUp(ctx context.Context, srv *testServer) (*client.Beacon, error) {
	admin := client.New(srv.URL, srv.Admin, nil)
	m, err := admin.CreateMerchant(ctx, "Acme Coffee")
	if err != nil {
		return nil, err
	}
	merchant := admin.WithToken(m.APIKey)
	st, err := merchant.CreateStore(ctx, &client.StoreInput{Name: "Acme Soho", Lat: 51.5136, Lng: -0.1365, Category: "coffee"})
	if err != nil {
		return nil, err
	}
	pg, err := merchant.CreateProgram(ctx, &client.ProgramInput{AppID: "wx-acme", Name: "Acme Rewards",
		Category: "coffee", StoreIDs: []string{st.ID}})
	if err != nil {
		return nil, err
	}
	return merchant.CreateBeacon(ctx, &client.BeaconInput{StoreID: st.ID, Label: "till",
		Page: &client.BeaconPage{ProgramID: pg.ID, Path: "/coupon"}})
}
