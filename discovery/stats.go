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
// merchant's stores in it.
type HeatCell struct {
	Cell   string
	Count  int64
	Stores int
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
	counts, err := s.reg.StoreEventCounts(ctx, mine, q.From, q.To)
	if err != nil {
		return nil, err
	}
	agg := map[string]*HeatCell{}
	for _, id := range mine {
		cell := cellOf[id]
		hc := agg[cell]
		if hc == nil {
			hc = &HeatCell{Cell: cell}
			agg[cell] = hc
		}
		hc.Count += counts[id]
		hc.Stores++
	}
	cells := make([]HeatCell, 0, len(agg))
	for _, hc := range agg {
		if q.Boundary {
			if hc.Boundary, err = geo.CellBoundary(hc.Cell); err != nil {
				return nil, nearby.Internal(err)
			}
		}
		cells = append(cells, *hc)
	}
	slices.SortFunc(cells, func(a, b HeatCell) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Cell, b.Cell)
	})
	return cells, nil
}
