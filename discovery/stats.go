package discovery

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/geo"
)

// BeaconStats returns the per-day statistics of one of the merchant's
// beacons.
func (s *Service) BeaconStats(ctx context.Context, merchantID, beaconID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	return s.reg.BeaconStats(ctx, merchantID, beaconID, from, to)
}

// StoreStats returns the per-day statistics of one of the merchant's
// stores.
func (s *Service) StoreStats(ctx context.Context, merchantID, storeID uint64, from, to time.Time) ([]nearby.DayStats, error) {
	return s.reg.StoreStats(ctx, merchantID, storeID, from, to)
}

// HeatmapQuery asks for a merchant's event counts per H3 cell.
type HeatmapQuery struct {
	MerchantID uint64
	Bounds     geo.Bounds
	Res        int // H3 resolution, 0 to 15
	From, To   time.Time
	// MaxStores is the most of the merchant's stores the box may hold;
	// more is a 400 naming "bounds".
	MaxStores int
	// Boundary adds each cell's polygon.
	Boundary bool
}

// HeatCell is one H3 cell of a heatmap: the summed event count of the
// merchant's stores in it, over the store-days with at least the minimum
// count of devices. Suppressed: a store-day was left out; Count is then
// nil when nothing was summed.
type HeatCell struct {
	Cell       string
	Count      *int64
	Stores     int
	Suppressed bool
	// Boundary is the cell's polygon, with HeatmapQuery.Boundary.
	Boundary []geo.Point
}

// Heatmap sums the event counts of the merchant's stores in q.Bounds per
// cell of resolution q.Res, the busiest cell first (ties by cell).
func (s *Service) Heatmap(ctx context.Context, q HeatmapQuery) ([]HeatCell, error) {
	ids, err := s.idx.InBounds(q.Bounds, nil)
	if err != nil {
		return nil, nearby.Invalid("bounds", "%s", err.Error())
	}
	// Filter to the caller's stores before applying the cap: a cap on all
	// stores in the box would let a merchant count its competitors' stores
	// by bisecting boxes against the error.
	mine := ids[:0]
	var pts []geo.Point
	for _, id := range ids {
		if st, ok := s.cat.Store(id); ok && st.MerchantID == q.MerchantID {
			mine = append(mine, id)
			pts = append(pts, geo.Point{Lat: st.Lat, Lng: st.Lng})
		}
	}
	if q.MaxStores > 0 && len(mine) > q.MaxStores {
		return nil, nearby.Invalid("bounds", "covers more than %d of your stores; use a smaller box", q.MaxStores)
	}
	cellOf := make(map[uint64]string, len(mine))
	for i, id := range mine {
		cell, err := geo.CellOf(pts[i], q.Res)
		if err != nil {
			return nil, nearby.Internal(err)
		}
		cellOf[id] = cell
	}
	counts, withheld, err := s.reg.StoreEventCounts(ctx, mine, q.From, q.To)
	if err != nil {
		return nil, err
	}
	cells := heatCells(mine, cellOf, counts, withheld)
	if q.Boundary {
		for i := range cells {
			if cells[i].Boundary, err = geo.CellBoundary(cells[i].Cell); err != nil {
				return nil, nearby.Internal(err)
			}
		}
	}
	return cells, nil
}

// heatCells sums the stores' counts per cell, the busiest first.
func heatCells(stores []uint64, cellOf map[uint64]string, counts map[uint64]int64, withheld map[uint64]bool) []HeatCell {
	type sum struct {
		hc    HeatCell
		n     int64
		shown bool
	}
	agg := map[string]*sum{}
	for _, id := range stores {
		cell := cellOf[id]
		a := agg[cell]
		if a == nil {
			a = &sum{hc: HeatCell{Cell: cell}}
			agg[cell] = a
		}
		n, ok := counts[id]
		a.n += n
		a.shown = a.shown || ok || !withheld[id]
		a.hc.Suppressed = a.hc.Suppressed || withheld[id]
		a.hc.Stores++
	}
	cells := make([]HeatCell, 0, len(agg))
	for _, a := range agg {
		if a.shown {
			n := a.n
			a.hc.Count = &n
		}
		cells = append(cells, a.hc)
	}
	val := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	slices.SortFunc(cells, func(a, b HeatCell) int {
		if c := cmp.Compare(val(b.Count), val(a.Count)); c != 0 {
			return c
		}
		return cmp.Compare(a.Cell, b.Cell)
	})
	return cells
}
