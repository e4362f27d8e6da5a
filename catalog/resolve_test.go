package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/catalog"
)

var testUUID = nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e")

func TestCatalog_Resolve(t *testing.T) {
	t.Run("CustomModel", func(t *testing.T) {
		c, _ := MustNew(t, &catalog.Options{
			Estimate: func(rssi, tx int) float64 { return float64(tx - rssi) },
			Classify: func(d float64) string { return fmt.Sprint(d) },
		})
		c.PutStore(store(1, 48.85, 2.35))
		c.PutBeacon(&nearby.Beacon{ID: 1, StoreID: 1, Identity: nearby.Identity{UUID: testUUID, Major: 1, Minor: 1}})
		res, err := c.Resolve(context.Background(), []catalog.Sighting{{Identity: nearby.Identity{UUID: testUUID, Major: 1, Minor: 1}, RSSI: ptr(-70)}})
		if err != nil || len(res) != 1 || *res[0].DistanceM != 11 || res[0].Proximity != "11" {
			t.Fatalf("got %+v, %v; want 11 m (default tx power -59) classified \"11\"", res, err)
		}
	})
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
			see(1, ptr(-75)), // far
			see(2, ptr(-55)), // nearest
			see(3, ptr(-40)), // inactive
			see(4, nil),      // no rssi: unknown, last
			see(9, ptr(-50)), // unknown beacon
			see(5, ptr(-50)), // unknown store
			see(1, ptr(-65)), // beacon 1 again, nearer
			{Identity: nearby.Identity{UUID: nearby.MustParseUUID("F7826DA64FA24E988024BC5B71E0893E"), Major: 1, Minor: 2}, RSSI: ptr(-90)},
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
		want := nearby.EstimateDistance(-65, -59)
		if r := res[1]; r.DistanceM == nil || *r.DistanceM != want || r.Proximity != string(nearby.ProximityOf(want)) ||
			r.Store.ID != 1 || r.Program == nil || r.Program.ID != 7 {
			t.Errorf("beacon 1: %+v, want %v m (the nearer sighting), %s, store 1, program 7", r, want, nearby.ProximityOf(want))
		}
		if got, want := res[0].Proximity, string(nearby.ProximityOf(nearby.EstimateDistance(-55, -59))); got != want {
			t.Errorf("beacon 2: proximity %q, want %q", got, want)
		}
		if r := res[2]; r.DistanceM != nil || r.Proximity != "unknown" {
			t.Errorf("beacon 4 without rssi: distance %v, proximity %q; want none, unknown", r.DistanceM, r.Proximity)
		}
	})
	t.Run("TxPowerOverride", func(t *testing.T) {
		s := see(2, ptr(-79))
		s.TxPower = ptr(-69)
		res, _ := c.Resolve(context.Background(), []catalog.Sighting{s})
		if want := nearby.EstimateDistance(-79, -69); len(res) != 1 || *res[0].DistanceM != want {
			t.Fatalf("got %+v, want one result at %v m (the sighting's tx_power)", res, want)
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
