package catalog_test

import (
	"context"
	"math"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

const testUUID = "f7826da6-4fa2-4e98-8024-bc5b71e0893e"

func TestLogDistance(t *testing.T) {
	for _, tc := range []struct {
		rssi, tx int
		want     float64
	}{
		{-59, -59, 1},
		{-79, -59, 10},
		{-39, -59, 0.1},
		{0, -59, -1},
		{-60, 0, -1},
	} {
		if got := catalog.LogDistance(tc.rssi, tc.tx); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("LogDistance(%d, %d) = %v, want %v", tc.rssi, tc.tx, got, tc.want)
		}
	}
	for _, tc := range []struct {
		d    float64
		want string
	}{{-1, "unknown"}, {0.1, "immediate"}, {0.5, "near"}, {2.9, "near"}, {3, "far"}, {30, "far"}} {
		if got := catalog.ClassifyDistance(tc.d); got != tc.want {
			t.Errorf("ClassifyDistance(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestCatalog_Resolve(t *testing.T) {
	c, _ := MustNew(t, nil)
	c.PutStore(store(1, 48.85, 2.35))
	c.PutStore(store(2, 48.86, 2.35))
	c.PutProgram(program(7, "coffee", 1))
	beacon := func(id uint64, storeID uint64, minor uint16, status string) *nearby.Beacon {
		return &nearby.Beacon{ID: id, StoreID: storeID, TxPower: -59, Status: status,
			Identity: nearby.Identity{UUID: testUUID, Major: 1, Minor: minor}, Page: &nearby.Page{ProgramID: 7, Path: "/menu"}}
	}
	c.PutBeacon(beacon(1, 1, 1, nearby.BeaconActive))
	c.PutBeacon(beacon(2, 2, 2, nearby.BeaconActive))
	c.PutBeacon(beacon(3, 1, 3, nearby.BeaconInactive))
	c.PutBeacon(beacon(4, 1, 4, nearby.BeaconActive))
	c.PutBeacon(beacon(5, 99, 5, nearby.BeaconActive)) // its store is unknown
	see := func(minor uint16, rssi *int) catalog.Sighting {
		return catalog.Sighting{Identity: nearby.Identity{UUID: testUUID, Major: 1, Minor: minor}, RSSI: rssi}
	}
	t.Run("OK", func(t *testing.T) {
		res, err := c.Resolve(context.Background(), []catalog.Sighting{
			see(1, ptr(-75)), // ~6.3 m
			see(2, ptr(-55)), // ~0.6 m
			see(3, ptr(-40)), // inactive
			see(4, nil),      // no rssi: unknown, last
			see(9, ptr(-50)), // unknown beacon
			see(5, ptr(-50)), // unknown store
			see(1, ptr(-65)), // beacon 1 again, nearer: ~2 m
			{Identity: nearby.Identity{UUID: "F7826DA64FA24E988024BC5B71E0893E", Major: 1, Minor: 2}, RSSI: ptr(-90)},
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, r := range res {
			got = append(got, r.Beacon.ID)
		}
		if len(got) != 3 || got[0] != 2 || got[1] != 1 || got[2] != 4 {
			t.Fatalf("resolved beacons %v, want [2 1 4]", got)
		}
		if r := res[1]; r.DistanceM == nil || math.Abs(*r.DistanceM-2) > 0.01 || r.Proximity != "near" || r.Store.ID != 1 || r.Program == nil || r.Program.ID != 7 {
			t.Errorf("beacon 1: %+v, want ~2 m, near, store 1, program 7", r)
		}
		if r := res[2]; r.DistanceM != nil || r.Proximity != "unknown" {
			t.Errorf("beacon 4 without rssi: distance %v, proximity %q; want none, unknown", r.DistanceM, r.Proximity)
		}
	})
	t.Run("TxPowerOverride", func(t *testing.T) {
		s := see(2, ptr(-79))
		s.TxPower = ptr(-69)
		res, _ := c.Resolve(context.Background(), []catalog.Sighting{s})
		if len(res) != 1 || math.Abs(*res[0].DistanceM-math.Sqrt(10)) > 1e-9 {
			t.Fatalf("got %+v, want one result at sqrt(10) m", res)
		}
	})
	t.Run("IdentityChange", func(t *testing.T) {
		b := beacon(2, 2, 22, nearby.BeaconActive)
		c.PutBeacon(b)
		res, _ := c.Resolve(context.Background(), []catalog.Sighting{see(2, nil), see(22, nil)})
		if len(res) != 1 || res[0].Beacon.Identity.Minor != 22 {
			t.Fatalf("after moving beacon 2 to minor 22: %+v", res)
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		_, err := c.Resolve(context.Background(), make([]catalog.Sighting, catalog.MaxSightings+1))
		if got := fieldOf(err); got != "beacons" {
			t.Errorf("error %v, want EINVALID naming beacons", err)
		}
	})
}
