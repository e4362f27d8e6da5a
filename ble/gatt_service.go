package ble

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/nearby-dev/nearby"
)

// The shake service the agent serves over GATT. The store's app, having
// ranged the iBeacon, connects and writes its pseudonymous device id to the
// shake characteristic; phones that advertise the service UUID are reported
// as sightings with their RSSI. The UUIDs were generated at random for
// Nearby and must match the app.
const (
	ShakeServiceUUID        = "c972cf39-57e6-46fa-95c5-a71569f737e3"
	ShakeCharacteristicUUID = "c972cf3a-57e6-46fa-95c5-a71569f737e3"
	// MaxDeviceIDLen bounds the id a phone may write (nearby.MaxDeviceIDLen).
	MaxDeviceIDLen = 128
)

// ShakeScanResponse returns the scan response data the agent sends with its
// iBeacon: the complete list of 128-bit service UUIDs holding the shake
// service (UUIDs go little-endian on air), so that an app can find it.
func ShakeScanResponse() []byte {
	u := nearby.MustParseUUID(ShakeServiceUUID) // a constant
	le := make([]byte, 16)
	for i := range u {
		le[15-i] = u[i]
	}
	return AppendAD(nil, ADComplete128, le)
}

// ParseShakeWrite validates what a phone wrote to the shake characteristic:
// a device id of 1-128 printable UTF-8 bytes, surrounding spaces ignored. An
// empty write is a shake by the connected central itself, identified by
// centralID.
func ParseShakeWrite(data []byte, centralID string) (string, error) {
	id := strings.TrimSpace(string(data))
	if id == "" {
		id = centralID
	}
	switch {
	case id == "":
		return "", fmt.Errorf("ble: shake write: no device id: %w", ErrMalformed)
	case len(id) > MaxDeviceIDLen:
		return "", fmt.Errorf("ble: shake write: device id is %d bytes, at most %d: %w", len(id), MaxDeviceIDLen, ErrMalformed)
	case !utf8.ValidString(id):
		return "", fmt.Errorf("ble: shake write: device id is not UTF-8: %w", ErrMalformed)
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("ble: shake write: device id has control character %U: %w", r, ErrMalformed)
		}
	}
	return id, nil
}

// IsPhoneAdvertisement reports whether an advertisement's service UUIDs
// (hex, any case, hyphens optional, as scanners print them) include the
// shake service, i.e. whether it comes from a phone running the store's app.
func IsPhoneAdvertisement(services []string) bool {
	want := strings.ReplaceAll(ShakeServiceUUID, "-", "")
	for _, s := range services {
		if strings.EqualFold(strings.ReplaceAll(s, "-", ""), want) {
			return true
		}
	}
	return false
}
