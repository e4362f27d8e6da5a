package geo

import (
	"fmt"
	"slices"

	"github.com/uber/h3-go/v4"
)

// CellCount is the number of entries in one H3 cell, with the cell's centre.
type CellCount struct {
	Cell     string // H3 index, lower-case hex
	Count    int
	Lat, Lng float64 // cell centre
}

// Cells counts the entries inside b per H3 cell at resolution res (0-15),
// sorted by cell index. It walks the entries like InBounds and calls h3 once
// per entry (cgo, a few hundred ns each), so a large box over millions of
// entries takes a while and holds the read lock meanwhile.
func (ix *Index) Cells(res int, b Bounds) ([]CellCount, error) {
	if res < 0 || res > 15 {
		return nil, invalid("res", "must be between 0 and 15, got %d", res)
	}
	if err := checkBounds(b); err != nil {
		return nil, err
	}
	counts := make(map[h3.Cell]int)
	var herr error
	ix.mu.RLock()
	ix.eachInBounds(b, func(_ uint64, p Point) {
		c, err := h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), res)
		if err != nil {
			herr = err
			return
		}
		counts[c]++
	}, nil)
	ix.mu.RUnlock()
	if herr != nil {
		return nil, fmt.Errorf("geo: cells: %w", herr)
	}
	out := make([]CellCount, 0, len(counts))
	for c, n := range counts {
		ll, err := h3.CellToLatLng(c)
		if err != nil {
			return nil, fmt.Errorf("geo: cells: centre of %s: %w", c, err)
		}
		out = append(out, CellCount{Cell: c.String(), Count: n, Lat: ll.Lat, Lng: ll.Lng})
	}
	slices.SortFunc(out, func(a, b CellCount) int {
		// Same resolution: equal-length hex strings sort like the indexes.
		switch {
		case a.Cell < b.Cell:
			return -1
		case a.Cell > b.Cell:
			return 1
		}
		return 0
	})
	return out, nil
}

// CellOf returns the H3 cell (hex) containing p at resolution res.
func CellOf(p Point, res int) (string, error) {
	if err := checkPoint(p); err != nil {
		return "", err
	}
	if res < 0 || res > 15 {
		return "", invalid("res", "must be between 0 and 15, got %d", res)
	}
	c, err := h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), res)
	if err != nil {
		return "", fmt.Errorf("geo: cell of %v: %w", p, err)
	}
	return c.String(), nil
}
