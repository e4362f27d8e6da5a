package ble

import "fmt"

// AD structure types (Bluetooth Core Supplement, Assigned Numbers) used here.
const (
	ADFlags            = 0x01 // Flags
	ADIncomplete16     = 0x02 // Incomplete List of 16-bit Service UUIDs
	ADComplete16       = 0x03 // Complete List of 16-bit Service UUIDs
	ADComplete128      = 0x07 // Complete List of 128-bit Service UUIDs
	ADCompleteName     = 0x09 // Complete Local Name
	ADTxPower          = 0x0A // Tx Power Level
	ADServiceData16    = 0x16 // Service Data - 16-bit UUID
	ADManufacturerData = 0xFF // Manufacturer Specific Data
)

// MaxADLen is the size of legacy advertising data (and of a scan response).
const MaxADLen = 31

// ADStructure is one length-type-data element of advertising data. Data
// aliases the parsed bytes.
type ADStructure struct {
	Type byte
	Data []byte
}

// ParseAD splits advertising data into its AD structures. A zero length byte
// ends the significant part (controllers and Android's scan records pad with
// zeros), and what follows it is ignored. A structure whose length runs past
// the end is an error wrapping ErrTruncated.
func ParseAD(b []byte) ([]ADStructure, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("ble: advertising data is empty: %w", ErrTruncated)
	}
	var out []ADStructure
	for i := 0; i < len(b); {
		n := int(b[i])
		if n == 0 {
			break
		}
		if i+1+n > len(b) {
			return out, fmt.Errorf("ble: AD structure at offset %d declares %d bytes, %d remain: %w",
				i, n, len(b)-i-1, ErrTruncated)
		}
		out = append(out, ADStructure{Type: b[i+1], Data: b[i+2 : i+1+n]})
		i += 1 + n
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ble: advertising data starts with a zero length byte: %w", ErrNoBeacon)
	}
	return out, nil
}

// AppendAD appends one AD structure (length, type, data) to dst.
func AppendAD(dst []byte, typ byte, data []byte) []byte {
	dst = append(dst, byte(len(data)+1), typ)
	return append(dst, data...)
}
