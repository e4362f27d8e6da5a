//go:build linux

package ble

import (
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/paypal/gatt"
	"github.com/paypal/gatt/linux/cmd"
)

// recorder is the adapter below the radio: it keeps the commands handed to
// gatt so that their bytes can be checked as gatt would send them.
type recorder struct {
	params  *cmd.LESetAdvertisingParameters
	data    *cmd.LESetAdvertisingData
	resp    *cmd.LESetScanResponseData
	stopped int
	closed  bool
	err     error
}

func (r *recorder) SetAdvertising(d *cmd.LESetAdvertisingData, s *cmd.LESetScanResponseData, p *cmd.LESetAdvertisingParameters) error {
	r.data, r.resp, r.params = d, s, p
	return r.err
}
func (r *recorder) StopAdvertising() error { r.stopped++; return r.err }
func (r *recorder) Close() error           { r.closed = true; return nil }

// marshal renders a command's parameters with gatt's own Marshal, which is
// what gatt writes to the HCI socket after the opcode and length.
func marshal(c cmd.CmdParam) []byte {
	b := make([]byte, c.Len())
	c.Marshal(b)
	return b
}

var fixedNow = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func TestGattRadio_Advertise(t *testing.T) {
	rec := &recorder{}
	r := newGattRadio(rec, GattOptions{Now: func() time.Time { return fixedNow }})
	defer r.Close()
	u := nearby.MustParseUUID("e20a39f4-73f5-4bc4-a12f-17d1ad07a961")
	if err := r.Advertise(context.Background(), IBeacon{UUID: u, MeasuredPower: -56}); err != nil {
		t.Fatal(err)
	}
	// dubsman.gitlab.io / Adafruit pibeacon recipe (beacon_vectors.json IB-05):
	// hcitool -i hci0 cmd 0x08 0x0008 1E 02 01 1A 1A FF 4C 00 02 15 E2 0A ... C8 00
	want := "1e02011a1aff4c000215e20a39f473f54bc4a12f17d1ad07a96100000000c800"
	if got := hex.EncodeToString(marshal(rec.data)); got != want {
		t.Errorf("LE Set Advertising Data:\n got %s\nwant %s", got, want)
	}
	if rec.data.Opcode() != OGFLEController<<10|OCFSetAdvertisingData {
		t.Errorf("opcode %#x", rec.data.Opcode())
	}
	// Scan response: 11 07 + the shake service UUID little-endian.
	if got, want := hex.EncodeToString(marshal(rec.resp)[:19]), "1211"+"07"+"e337f76915a7c595fa46e65739cf72c9"; got != want {
		t.Errorf("scan response:\n got %s\nwant %s", got, want)
	}
	if err := r.StopAdvertising(context.Background()); err != nil || rec.stopped != 1 {
		t.Errorf("StopAdvertising: %v, %d stops", err, rec.stopped)
	}
	rec.err = errors.New("hci: command disallowed")
	if err := r.Advertise(context.Background(), IBeacon{}); err == nil {
		t.Error("adapter error not returned")
	}
}

func TestGattRadio_Params(t *testing.T) {
	// gatt's LESetAdvertisingParameters marshals our parameters to the bytes
	// of the recipe's "cmd 0x08 0x0006 A0 00 A0 00 ..." (with ADV_IND).
	got := hex.EncodeToString(marshal(advParamsCommand(DefaultAdvertisingParams())))
	if want := "a000a0000000000000000000000700"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	p := DefaultAdvertisingParams().Marshal()
	if got != hex.EncodeToString(p[:]) {
		t.Errorf("gatt marshal %s differs from ours %x", got, p)
	}
}

func TestGattRadio_Sightings(t *testing.T) {
	rec := &recorder{}
	r := newGattRadio(rec, GattOptions{Now: func() time.Time { return fixedNow }})
	r.discovered("11:22:33:44:55:66", []string{"180f"}, -60) // not a phone with the app
	r.discovered("AA:BB:CC:DD:EE:FF", []string{"c972cf3957e646fa95c5a71569f737e3"}, -61)
	if st := r.shakeWritten("AA:BB:CC:DD:EE:FF", []byte("phone-42")); st != gatt.StatusSuccess {
		t.Errorf("shake status %d", st)
	}
	if st := r.shakeWritten("AA:BB:CC:DD:EE:FF", []byte("bad\x00")); st != gatt.StatusUnexpectedError {
		t.Errorf("bad shake status %d", st)
	}
	want := []Sighting{
		{DeviceID: "AA:BB:CC:DD:EE:FF", RSSI: -61, At: fixedNow},
		{DeviceID: "phone-42", At: fixedNow, Shake: true},
	}
	for _, w := range want {
		if got := <-r.Sightings(); got != w {
			t.Errorf("got %+v, want %+v", got, w)
		}
	}
	// Readings never block gatt's event loop when nobody reads.
	start := time.Now()
	for range 1000 {
		r.discovered("AA:BB:CC:DD:EE:FF", []string{ShakeServiceUUID}, -61)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("1000 unread readings took %v", el)
	}
	if err := r.Close(); err != nil || !rec.closed {
		t.Fatalf("Close: %v, adapter closed %v", err, rec.closed)
	}
	n := 0
	for range r.Sightings() {
		n++
	}
	if n != cap(r.ch) {
		t.Errorf("drained %d buffered readings, want %d", n, cap(r.ch))
	}
	if err := r.Advertise(context.Background(), IBeacon{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Advertise after Close: %v", err)
	}
	r.discovered("AA:BB:CC:DD:EE:FF", []string{ShakeServiceUUID}, -61) // must not panic on a closed channel
}

// TestGattRadio_SetInterval: a remote interval reaches the adapter as the
// bytes of HCI LE Set Advertising Parameters with the next Advertise, and
// only when it changed.
func TestGattRadio_SetInterval(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		interval time.Duration
		want     string // "" when no parameters are sent
	}{
		{"Default100msUnchanged", 100 * time.Millisecond, ""},
		// 250 ms = 400 units = 0x0190, little-endian 90 01, min and max.
		{"250ms", 250 * time.Millisecond, "900190010000000000000000000700"},
		{"Same250msAgain", 250 * time.Millisecond, ""},
		// 10 s = 16000 units = 0x3e80.
		{"10s", 10 * time.Second, "803e803e0000000000000000000700"},
		// Below the specification's 20 ms, clamped to 0x0020.
		{"Clamped", time.Millisecond, "200020000000000000000000000700"},
	}
	rec := &recorder{}
	r := newGattRadio(rec, GattOptions{})
	defer r.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := r.SetInterval(ctx, tt.interval); err != nil {
				t.Fatal(err)
			}
			if err := r.Advertise(ctx, IBeacon{}); err != nil {
				t.Fatal(err)
			}
			got := ""
			if rec.params != nil {
				got = hex.EncodeToString(marshal(rec.params))
				if rec.params.Opcode() != OGFLEController<<10|OCFSetAdvertisingParameters {
					t.Errorf("opcode %#x", rec.params.Opcode())
				}
			}
			if got != tt.want {
				t.Errorf("LE Set Advertising Parameters:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
