//go:build linux

package ble

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/paypal/gatt"
	"github.com/paypal/gatt/linux/cmd"
)

var (
	_ radio          = (*GattRadio)(nil)
	_ intervalSetter = (*GattRadio)(nil)
)

// GattOptions configure a GattRadio; the zero value uses hci0.
type GattOptions struct {
	DeviceID int                // HCI device index (hci0 = 0); -1 picks the first LE adapter
	Flags    byte               // flags AD byte; 0 means DefaultFlags
	Params   *AdvertisingParams // nil means DefaultAdvertisingParams
	NoScan   bool               // do not scan for phones (shakes still arrive)
	Now      func() time.Time
	Logger   *slog.Logger // nil: silent
}

// hciBackend is the part of the adapter the radio drives; gattBackend
// implements it with paypal/gatt, tests with a recorder.
type hciBackend interface {
	// SetAdvertising sets the data, the scan response and, unless nil,
	// new advertising parameters, and enables advertising.
	SetAdvertising(data *cmd.LESetAdvertisingData, resp *cmd.LESetScanResponseData, params *cmd.LESetAdvertisingParameters) error
	StopAdvertising() error
	Close() error
}

// GattRadio advertises through a Linux HCI adapter with paypal/gatt, serves
// the shake service, and reports phones advertising it.
type GattRadio struct {
	opts GattOptions
	log  *slog.Logger
	hci  hciBackend

	ch     chan Sighting
	mu     sync.Mutex
	shut   bool
	params AdvertisingParams
	// pending is set when params changed since the adapter last got them.
	pending bool
}

// NewGattRadio opens the adapter, waits for it to power on (or ctx), adds
// the shake service and starts scanning.
func NewGattRadio(ctx context.Context, opts *GattOptions) (*GattRadio, error) {
	var o GattOptions
	if opts != nil {
		o = *opts
	}
	p := DefaultAdvertisingParams()
	if o.Params != nil {
		p = *o.Params
	}
	d, err := gatt.NewDevice(
		gatt.LnxDeviceID(o.DeviceID, true),
		gatt.LnxMaxConnections(1),
		gatt.LnxSetAdvertisingParameters(advParamsCommand(p)),
	)
	if err != nil {
		return nil, fmt.Errorf("ble: gatt: open hci%d: %w", o.DeviceID, err)
	}
	r := newGattRadio(gattBackend{d}, o)
	d.Handle(
		gatt.PeripheralDiscovered(func(p gatt.Peripheral, a *gatt.Advertisement, rssi int) {
			services := make([]string, len(a.Services))
			for i, u := range a.Services {
				services[i] = u.String()
			}
			r.discovered(p.ID(), services, rssi)
		}),
		gatt.CentralConnected(func(c gatt.Central) { r.log.Debug("central connected", "central", c.ID()) }),
		gatt.CentralDisconnected(func(c gatt.Central) { r.log.Debug("central disconnected", "central", c.ID()) }),
	)
	on := make(chan struct{})
	var once sync.Once
	if err := d.Init(func(_ gatt.Device, s gatt.State) {
		if s == gatt.StatePoweredOn {
			once.Do(func() { close(on) })
		}
	}); err != nil {
		// Not stopped: gatt's Stop calls the state handler Init failed to set.
		return nil, fmt.Errorf("ble: gatt: init: %w", err)
	}
	select {
	case <-on:
	case <-ctx.Done():
		stopDevice(d)
		return nil, fmt.Errorf("ble: gatt: waiting for power on: %w", ctx.Err())
	}
	svc := gatt.NewService(gatt.MustParseUUID(ShakeServiceUUID))
	svc.AddCharacteristic(gatt.MustParseUUID(ShakeCharacteristicUUID)).HandleWriteFunc(
		func(req gatt.Request, data []byte) byte { return r.shakeWritten(req.Central.ID(), data) })
	if err := d.AddService(svc); err != nil {
		stopDevice(d)
		return nil, fmt.Errorf("ble: gatt: add shake service: %w", err)
	}
	if !o.NoScan {
		d.Scan(nil, true) // duplicates wanted: every report is an RSSI sample
	}
	return r, nil
}

func newGattRadio(b hciBackend, o GattOptions) *GattRadio {
	if o.Flags == 0 {
		o.Flags = DefaultFlags
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	l := o.Logger
	if l == nil {
		l = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p := DefaultAdvertisingParams()
	if o.Params != nil {
		p = *o.Params
	}
	return &GattRadio{opts: o, log: l, hci: b, ch: make(chan Sighting, 256), params: p}
}

// Advertise sets the advertising data (flags + iBeacon, the bytes of the
// hcitool recipe), the scan response naming the shake service, and enables
// advertising.
func (r *GattRadio) Advertise(ctx context.Context, b IBeacon) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := advDataCommand(b.AppendAdvertisingData(nil, r.opts.Flags))
	if err != nil {
		return err
	}
	resp := scanResponseCommand(ShakeScanResponse())
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return ErrClosed
	}
	var params *cmd.LESetAdvertisingParameters
	if r.pending {
		params = advParamsCommand(r.params)
	}
	if err := r.hci.SetAdvertising(data, resp, params); err != nil {
		return fmt.Errorf("ble: gatt: advertise %s: %w", b, err)
	}
	r.pending = false
	r.log.Info("advertising", "beacon", b.String())
	return nil
}

// SetInterval sets the advertising interval (clamped to 20 ms..10.24 s);
// the adapter gets it with the next Advertise, as HCI LE Set Advertising
// Parameters sent while advertising is off (the controller refuses it
// otherwise).
func (r *GattRadio) SetInterval(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return ErrClosed
	}
	n := AdvIntervalUnits(d)
	if n != r.params.IntervalMin || n != r.params.IntervalMax {
		r.params.IntervalMin, r.params.IntervalMax = n, n
		r.pending = true
	}
	return nil
}

// StopAdvertising disables advertising; scanning and the service go on.
func (r *GattRadio) StopAdvertising(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return ErrClosed
	}
	if err := r.hci.StopAdvertising(); err != nil {
		return fmt.Errorf("ble: gatt: stop advertising: %w", err)
	}
	return nil
}

// Sightings returns phones heard and shakes written; Close closes it.
func (r *GattRadio) Sightings() <-chan Sighting { return r.ch }

// Close stops the adapter and closes Sightings.
func (r *GattRadio) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return nil
	}
	r.shut = true
	err := r.hci.Close()
	close(r.ch)
	if err != nil {
		return fmt.Errorf("ble: gatt: close: %w", err)
	}
	return nil
}

// emit delivers a sighting without ever blocking gatt's event loop: when the
// agent falls behind, readings are dropped (the filter copes), never shakes
// for longer than a second.
func (r *GattRadio) emit(s Sighting) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shut {
		return false
	}
	select {
	case r.ch <- s:
		return true
	default:
	}
	if !s.Shake {
		return false
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case r.ch <- s:
		return true
	case <-t.C:
		r.log.Warn("shake dropped: agent not reading sightings", "device", s.DeviceID)
		return false
	}
}

func (r *GattRadio) discovered(id string, services []string, rssi int) {
	if !IsPhoneAdvertisement(services) {
		return
	}
	r.emit(Sighting{DeviceID: id, RSSI: rssi, At: r.opts.Now()})
}

func (r *GattRadio) shakeWritten(centralID string, data []byte) byte {
	id, err := ParseShakeWrite(data, centralID)
	if err != nil {
		r.log.Info("shake write rejected", "central", centralID, "err", err)
		return gatt.StatusUnexpectedError
	}
	if !r.emit(Sighting{DeviceID: id, At: r.opts.Now(), Shake: true}) {
		return gatt.StatusUnexpectedError
	}
	return gatt.StatusSuccess
}

// gattBackend drives a paypal/gatt device. Device.Option returns only its
// last option's error, so each option is applied on its own.
type gattBackend struct{ d gatt.Device }

func (g gattBackend) SetAdvertising(data *cmd.LESetAdvertisingData, resp *cmd.LESetScanResponseData, params *cmd.LESetAdvertisingParameters) error {
	if params != nil {
		// Sent by gatt's next update, with advertising off.
		if err := g.d.Option(gatt.LnxSetAdvertisingParameters(params)); err != nil {
			return err
		}
	}
	if err := g.d.Option(gatt.LnxSetScanResponseData(resp)); err != nil {
		return err
	}
	if err := g.d.Option(gatt.LnxSetAdvertisingData(data)); err != nil {
		return err
	}
	return g.d.Option(gatt.LnxSetAdvertisingEnable(true))
}

func (g gattBackend) StopAdvertising() error { return g.d.StopAdvertising() }
func (g gattBackend) Close() error           { return stopDevice(g.d) }

// stopDevice closes the adapter: Stop is on gatt's Linux device but not in
// its Device interface.
func stopDevice(d gatt.Device) error {
	if s, ok := d.(interface{ Stop() error }); ok {
		return s.Stop()
	}
	return nil
}

// advDataCommand wraps advertising data in gatt's LE Set Advertising Data
// command; its Marshal yields SetAdvertisingDataParams(ad).
func advDataCommand(ad []byte) (*cmd.LESetAdvertisingData, error) {
	p, err := SetAdvertisingDataParams(ad)
	if err != nil {
		return nil, err
	}
	c := &cmd.LESetAdvertisingData{AdvertisingDataLength: p[0]}
	copy(c.AdvertisingData[:], p[1:])
	return c, nil
}

func scanResponseCommand(sr []byte) *cmd.LESetScanResponseData {
	c := &cmd.LESetScanResponseData{ScanResponseDataLength: byte(len(sr))}
	copy(c.ScanResponseData[:], sr)
	return c
}

func advParamsCommand(p AdvertisingParams) *cmd.LESetAdvertisingParameters {
	return &cmd.LESetAdvertisingParameters{
		AdvertisingIntervalMin:  p.IntervalMin,
		AdvertisingIntervalMax:  p.IntervalMax,
		AdvertisingType:         p.Type,
		OwnAddressType:          p.OwnAddressType,
		DirectAddressType:       p.PeerAddressType,
		DirectAddress:           p.PeerAddress,
		AdvertisingChannelMap:   p.ChannelMap,
		AdvertisingFilterPolicy: p.FilterPolicy,
	}
}
