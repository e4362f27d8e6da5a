package discovery_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
	"github.com/nearby-dev/nearby/discovery"
	"github.com/nearby-dev/nearby/geo"
	"github.com/nearby-dev/nearby/store"
)

var epoch = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// node is one service over its own bbolt file, catalog and index.
type node struct {
	svc *discovery.Service
	db  *store.DB
	cat *catalog.Catalog
}

// mustOpen builds a node whose registry and service run on a fixed clock;
// opts (may be nil) is passed to discovery.New.
func mustOpen(t *testing.T, opts *discovery.Options) *node {
	t.Helper()
	now := func() time.Time { return epoch }
	db, err := store.Open(filepath.Join(t.TempDir(), "nearby.db"), &store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ix := geo.New()
	cat := catalog.New(ix, &catalog.Options{Now: now})
	o := discovery.Options{Now: now}
	if opts != nil {
		o = *opts
		o.Now = now
	}
	svc, err := discovery.New(db, cat, ix, &o)
	if err != nil {
		t.Fatal(err)
	}
	return &node{svc: svc, db: db, cat: cat}
}

// recorder is an Options.Submit that keeps each command's JSON, as a
// replicated log would, before applying it.
type recorder struct {
	mu   sync.Mutex
	log  [][]byte
	fail func(*discovery.Command) error
}

func (r *recorder) submit(apply discovery.Applier) discovery.Applier {
	return func(ctx context.Context, cmd *discovery.Command) (discovery.Outcome, error) {
		b, err := json.Marshal(cmd)
		if err != nil {
			return discovery.Outcome{}, err
		}
		r.mu.Lock()
		r.log = append(r.log, b)
		r.mu.Unlock()
		return apply(ctx, cmd)
	}
}

func ptr[T any](v T) *T { return &v }

// journey makes every kind of write through n's service and returns the
// beacon it created.
func journey(t *testing.T, n *node) *nearby.Beacon {
	t.Helper()
	ctx := context.Background()
	svc := n.svc
	m := &nearby.Merchant{Name: "Acme", APIKeyHash: []byte("hash")}
	if err := svc.CreateMerchant(ctx, m); err != nil {
		t.Fatal(err)
	}
	a := &nearby.Store{MerchantID: m.ID, Name: "A", Lat: 51.5, Lng: -0.12, Category: "coffee"}
	if err := svc.CreateStore(ctx, a); err != nil {
		t.Fatal(err)
	}
	batch := []*nearby.Store{
		{MerchantID: m.ID, Name: "B", Lat: 51.51, Lng: -0.12, Category: "coffee"},
		{MerchantID: m.ID, Name: "C", Lat: 51.52, Lng: -0.12, Category: "coffee"},
	}
	if err := svc.ImportStores(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateStore(ctx, m.ID, a.ID, func(s *nearby.Store) error { s.Name = "A2"; return nil }); err != nil {
		t.Fatal(err)
	}
	p := &nearby.Program{MerchantID: m.ID, AppID: "wx1", Name: "P", Category: "coffee", StoreIDs: []uint64{a.ID, batch[0].ID, batch[1].ID}}
	if err := svc.CreateProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateProgram(ctx, m.ID, p.ID, func(p *nearby.Program) error { p.Name = "P2"; return nil }); err != nil {
		t.Fatal(err)
	}
	b := &nearby.Beacon{MerchantID: m.ID, StoreID: a.ID, Label: "till", TxPower: -59, Status: nearby.BeaconActive,
		Identity: nearby.Identity{UUID: nearby.MustParseUUID("e2c56db5-dffb-48d2-b060-d0f5a71096e0"), Major: 1, Minor: 2},
		Page:     &nearby.Page{ProgramID: p.ID, Path: "/coupon"}, AgentTokenHash: []byte("agent")}
	if err := svc.CreateBeacon(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateBeacon(ctx, m.ID, b.ID, func(b *nearby.Beacon) error { b.Label = "door"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := svc.RecordHeartbeat(ctx, b.ID, &nearby.Heartbeat{At: epoch, UptimeS: 60, Version: "1"}); err != nil {
		t.Fatal(err)
	}
	evs := []nearby.Event{
		{ID: "0b0e5a1c-6a35-4bde-9d0e-2b6f0c1a0001", Type: nearby.EventEnter, At: epoch, DeviceID: "d1"},
		{ID: "0b0e5a1c-6a35-4bde-9d0e-2b6f0c1a0002", Type: nearby.EventShake, At: epoch, DeviceID: "d2"},
	}
	acc, dup, err := svc.RecordEvents(ctx, b, evs)
	if err != nil || len(acc) != 2 || len(dup) != 0 {
		t.Fatalf("RecordEvents = %v, %v, %v; want 2 accepted", acc, dup, err)
	}
	if _, err := svc.Shake(ctx, discovery.ShakeRequest{DeviceID: "d3", Lat: ptr(51.5), Lng: ptr(-0.12)}); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteStore(ctx, m.ID, batch[1].ID); err != nil {
		t.Fatal(err)
	}
	gone := &nearby.Program{MerchantID: m.ID, AppID: "wx2", Name: "Gone", Category: "coffee", StoreIDs: []uint64{a.ID}}
	if err := svc.CreateProgram(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteProgram(ctx, m.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	// An identity given, not allocated: allocation draws on the
	// registry's own proximity UUID (see the package's Caveats).
	spare := &nearby.Beacon{MerchantID: m.ID, StoreID: a.ID, TxPower: -59, Status: nearby.BeaconActive,
		Identity: nearby.Identity{UUID: nearby.MustParseUUID("e2c56db5-dffb-48d2-b060-d0f5a71096e0"), Major: 1, Minor: 3}}
	if err := svc.CreateBeacon(ctx, spare); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteBeacon(ctx, m.ID, spare.ID); err != nil {
		t.Fatal(err)
	}
	keys(t, svc, m, b)
	return b
}

// keys rotates the merchant's key and the beacon's agent token.
func keys(t *testing.T, svc *discovery.Service, m *nearby.Merchant, b *nearby.Beacon) {
	t.Helper()
	ctx := context.Background()
	mk, at := &nearby.Key{Hash: []byte("key2")}, &nearby.Key{Hash: []byte("agent2")}
	for _, err := range []error{
		svc.IssueMerchantKey(ctx, m.ID, mk),
		svc.MerchantKeyUsed(ctx, m.ID, mk),
		svc.RevokeMerchantKey(ctx, m.ID, m.Keys[0].ID),
		svc.IssueAgentToken(ctx, m.ID, b.ID, at),
		svc.AgentTokenUsed(ctx, b.ID, at),
		svc.RevokeAgentToken(ctx, m.ID, b.ID, b.AgentTokens[0].ID),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if mk.ID == 0 || at.ID == 0 {
		t.Fatalf("issued keys %+v and %+v have no ids", mk, at)
	}
}

// state is what a node holds, for comparing two nodes.
type state struct {
	Stores   []*nearby.Store
	Programs []*nearby.Program
	Beacons  []*nearby.Beacon
	Merchant *nearby.Merchant
	Stats    []nearby.DayStats
	Nearby   []string
	Counts   [3]int
}

func stateOf(t *testing.T, n *node, b *nearby.Beacon) state {
	t.Helper()
	ctx := context.Background()
	var st state
	var err error
	if st.Stores, err = n.db.ListStores(ctx, b.MerchantID, 0, 100); err != nil {
		t.Fatal(err)
	}
	if st.Programs, err = n.db.ListPrograms(ctx, b.MerchantID, 0, 100); err != nil {
		t.Fatal(err)
	}
	if st.Beacons, err = n.db.ListBeacons(ctx, b.MerchantID, 0, 100); err != nil {
		t.Fatal(err)
	}
	if st.Merchant, err = n.db.GetMerchant(ctx, b.MerchantID); err != nil {
		t.Fatal(err)
	}
	if st.Stats, err = n.db.StoreStats(ctx, b.MerchantID, b.StoreID, epoch.Add(-24*time.Hour), epoch.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	page, err := n.svc.NearbyInto(ctx, catalog.NearbyQuery{Lat: 51.5, Lng: -0.12, Limit: 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range page.Results {
		st.Nearby = append(st.Nearby, nearby.FormatID(nearby.KindProgram, r.Program.ID)+"@"+nearby.FormatID(nearby.KindStore, r.Store.ID))
	}
	st.Counts[0], st.Counts[1], st.Counts[2] = n.cat.Counts()
	return st
}

// TestService_ReplayedCommandsReachTheSameState applies every kind of
// command on one node while recording their JSON, replays the JSON on an
// empty node, and compares the two: the commands carry all their inputs and
// the apply decides ids, as a replicated log needs.
func TestService_ReplayedCommandsReachTheSameState(t *testing.T) {
	rec := &recorder{}
	a := mustOpen(t, &discovery.Options{Submit: rec.submit})
	b := journey(t, a)
	if len(rec.log) < 16 {
		t.Fatalf("recorded %d commands, want every write's (at least 16)", len(rec.log))
	}
	ops := map[discovery.Op]bool{}
	replica := mustOpen(t, nil)
	for i, raw := range rec.log {
		var cmd discovery.Command
		if err := json.Unmarshal(raw, &cmd); err != nil {
			t.Fatalf("command %d: %v in %s", i, err, raw)
		}
		ops[cmd.Op] = true
		if _, err := replica.svc.Apply(context.Background(), &cmd); err != nil {
			t.Fatalf("replaying command %d (%s): %v", i, cmd.Op, err)
		}
	}
	if len(ops) != 20 {
		t.Errorf("the journey used %d ops (%v), want all 20", len(ops), ops)
	}
	got, want := stateOf(t, replica, b), stateOf(t, a, b)
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("replica state differs:\n got %s\nwant %s", g, w)
	}
	if len(want.Nearby) == 0 || want.Counts != [3]int{2, 1, 1} {
		t.Errorf("state %+v is not the journey's (2 stores, 1 program, 1 beacon)", want)
	}
}

func TestService_Apply(t *testing.T) {
	t.Run("ErrUnknownOp", func(t *testing.T) {
		n := mustOpen(t, nil)
		_, err := n.svc.Apply(context.Background(), &discovery.Command{Op: "store.frobnicate"})
		if nearby.ErrorCode(err) != nearby.EINTERNAL {
			t.Errorf("err = %v, want EINTERNAL", err)
		}
	})
	t.Run("ErrCancelledWhileWaiting", func(t *testing.T) {
		// A record command waits for the write lock; a cancelled request
		// gives up instead of committing late.
		hold := make(chan struct{})
		entered := make(chan struct{})
		n := mustOpen(t, &discovery.Options{Observe: func(cmd *discovery.Command, _ *discovery.Outcome) {
			if cmd.Op == discovery.OpCreateStore && cmd.Stores[0].Name == "first" {
				close(entered)
				<-hold
			}
		}})
		ctx := context.Background()
		m := &nearby.Merchant{Name: "m"}
		if err := n.svc.CreateMerchant(ctx, m); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- n.svc.CreateStore(ctx, &nearby.Store{MerchantID: m.ID, Name: "first", Lat: 1, Lng: 1, Category: "c"})
		}()
		<-entered
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := n.svc.CreateStore(cctx, &nearby.Store{MerchantID: m.ID, Name: "second", Lat: 1, Lng: 1, Category: "c"})
		if err == nil {
			t.Error("a cancelled write waiting for the lock was applied")
		}
		close(hold)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if st, _, _ := n.cat.Counts(); st != 1 {
			t.Errorf("catalog has %d stores, want 1", st)
		}
	})
}

func TestService_Shake(t *testing.T) {
	n := mustOpen(t, nil)
	b := journey(t, n)
	ctx := context.Background()
	seen := []catalog.Sighting{{Identity: b.Identity, RSSI: ptr(-60)}}
	tests := []struct {
		name      string
		req       discovery.ShakeRequest
		wantBy    string
		wantStore uint64
		fallback  bool
	}{
		{"ByBeacon", discovery.ShakeRequest{DeviceID: "p", Seen: seen, Lat: ptr(0.0), Lng: ptr(0.0)}, discovery.ShakeByBeacon, b.StoreID, false},
		{"ByLocation", discovery.ShakeRequest{DeviceID: "p", Lat: ptr(51.5), Lng: ptr(-0.12)}, discovery.ShakeByLocation, b.StoreID, true},
		{"NothingNear", discovery.ShakeRequest{DeviceID: "p", Lat: ptr(0.0), Lng: ptr(0.0)}, discovery.ShakeByNone, 0, false},
		{"NoLocation", discovery.ShakeRequest{DeviceID: "p"}, discovery.ShakeByNone, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := n.svc.Shake(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.By != tt.wantBy || res.Shake.StoreID != tt.wantStore || res.Shake.Fallback != tt.fallback {
				t.Errorf("By = %q, store %d, fallback %v; want %q, %d, %v", res.By, res.Shake.StoreID, res.Shake.Fallback,
					tt.wantBy, tt.wantStore, tt.fallback)
			}
			// A position chooses, and is kept in no form, not even as the
			// distance to the chosen store.
			if tt.wantBy == discovery.ShakeByLocation && res.Shake.DistanceM != nil {
				t.Errorf("a location shake's record keeps the distance %v", *res.Shake.DistanceM)
			}
			if tt.wantBy == discovery.ShakeByBeacon && res.Shake.BeaconID != b.ID {
				t.Errorf("BeaconID = %d, want %d", res.Shake.BeaconID, b.ID)
			}
			// Committed before the answer: the merchant finds it by ticket
			// when it names one of their beacons.
			if tt.wantBy == discovery.ShakeByBeacon {
				sh, err := n.svc.GetShake(ctx, b.MerchantID, res.Shake.Ticket)
				if err != nil || sh.Ticket != res.Shake.Ticket {
					t.Errorf("GetShake = %+v, %v", sh, err)
				}
			}
		})
	}
}

func TestService_Heatmap(t *testing.T) {
	n := mustOpen(t, nil)
	b := journey(t, n)
	ctx := context.Background()
	box := geo.Bounds{MinLat: 51, MinLng: -1, MaxLat: 52, MaxLng: 1}
	cells, err := n.svc.Heatmap(ctx, discovery.HeatmapQuery{MerchantID: b.MerchantID, Bounds: box, Res: 5,
		From: epoch.Add(-time.Hour), To: epoch.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var stores int
	var count int64
	suppressed := false
	for _, c := range cells {
		stores += c.Stores
		if c.Count != nil {
			count += *c.Count
		}
		suppressed = suppressed || c.Suppressed
	}
	// Two stores remain; the beacon's store counts an enter, a shake event
	// and the location shake, by three devices: fewer than the minimum
	// count, so its day is withheld.
	if stores != 2 || count != 0 || !suppressed {
		t.Errorf("cells %+v: %d stores, %d events; want 2 and 0, suppressed", cells, stores, count)
	}
	other, err := n.svc.Heatmap(ctx, discovery.HeatmapQuery{MerchantID: b.MerchantID + 1, Bounds: box, Res: 5, From: epoch, To: epoch})
	if err != nil || len(other) != 0 {
		t.Errorf("another merchant's heatmap = %+v, %v; want no cells", other, err)
	}
	_, err = n.svc.Heatmap(ctx, discovery.HeatmapQuery{MerchantID: b.MerchantID, Bounds: box, Res: 5, From: epoch, To: epoch, MaxStores: 1})
	var ne *nearby.Error
	if !errors.As(err, &ne) || ne.Code != nearby.EINVALID || len(ne.Fields) == 0 || ne.Fields[0].Field != "bounds" {
		t.Errorf("over the cap: err = %v, want EINVALID naming bounds", err)
	}
}

func TestService_Load(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nearby.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := discovery.New(db, catalog.New(geo.New(), nil), geo.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{svc: svc, db: db}
	b := journey(t, n)
	db.Close()

	db, err = store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ix := geo.New()
	cat := catalog.New(ix, nil)
	svc, err = discovery.New(db, cat, ix, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := svc.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Stores != 2 || st.Programs != 1 || st.Beacons != 1 || ix.Len() != 2 {
		t.Errorf("loaded %+v (index %d), want 2 stores, 1 program, 1 beacon", st, ix.Len())
	}
	res, err := svc.Resolve(context.Background(), []catalog.Sighting{{Identity: b.Identity}})
	if err != nil || len(res) != 1 || res[0].Beacon.ID != b.ID {
		t.Errorf("Resolve after load = %+v, %v", res, err)
	}
}
