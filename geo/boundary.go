package geo

import (
	"fmt"

	"github.com/uber/h3-go/v4"
)

// CellBoundary returns the vertices of the H3 cell (lower-case hex, as
// Cells and CellOf give it) in counter-clockwise order, not closed: what a
// map draws as the cell's polygon.
func CellBoundary(cell string) ([]Point, error) {
	c := h3.CellFromString(cell)
	if !c.IsValid() {
		return nil, invalid("cell", "is not an H3 cell: %q", cell)
	}
	b, err := h3.CellToBoundary(c)
	if err != nil {
		return nil, fmt.Errorf("geo: boundary of %s: %w", cell, err)
	}
	out := make([]Point, len(b))
	for i, ll := range b {
		out[i] = Point{Lat: ll.Lat, Lng: ll.Lng}
	}
	return out, nil
}
