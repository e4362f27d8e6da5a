package api

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// QR codes are encoded by github.com/boombuler/barcode: no dependencies of
// its own, a stable API, and it yields the module matrix, which is drawn
// here both as a PNG and as an SVG (one encoding, two renderings).
// yeqown/go-qrcode/v2 draws PNGs only through a separate writer module
// that pulls in a 2D graphics and a font library.

const (
	qrModulePx = 8 // pixels per module of the PNG
	qrQuiet    = 4 // modules of quiet zone around the code (ISO/IEC 18004)
)

// qrMatrix encodes url at level M (15% of the code may be damaged).
func qrMatrix(url string) (barcode.Barcode, error) {
	m, err := qr.Encode(url, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("api: qr encode: %w", err)
	}
	return m, nil
}

func dark(m barcode.Barcode, x, y int) bool {
	r, _, _, _ := m.At(x, y).RGBA()
	return r < 0x8000
}

// qrPNG draws the code with its quiet zone, qrModulePx pixels a module.
func qrPNG(url string) ([]byte, error) {
	m, err := qrMatrix(url)
	if err != nil {
		return nil, err
	}
	n := m.Bounds().Dx()
	side := (n + 2*qrQuiet) * qrModulePx
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := range n {
		for x := range n {
			if !dark(m, x, y) {
				continue
			}
			for dy := range qrModulePx {
				for dx := range qrModulePx {
					img.SetGray((x+qrQuiet)*qrModulePx+dx, (y+qrQuiet)*qrModulePx+dy, color.Gray{})
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("api: qr png: %w", err)
	}
	return b.Bytes(), nil
}

// qrSVG draws the code as one path of unit squares in a viewBox of
// modules, so it scales to any print size.
func qrSVG(url string) ([]byte, error) {
	m, err := qrMatrix(url)
	if err != nil {
		return nil, err
	}
	n := m.Bounds().Dx()
	side := n + 2*qrQuiet
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, side, side)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, side, side)
	for y := range n {
		for x := range n {
			if dark(m, x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+qrQuiet, y+qrQuiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}
