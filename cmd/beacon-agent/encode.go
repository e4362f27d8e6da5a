package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ble"
)

// runEncode prints the advertising payload of an iBeacon identity and the
// hcitool commands that make a Raspberry Pi send it:
//
//	beacon-agent encode --uuid U --major N --minor N [--power P] [--dev hci0] [--json]
func runEncode(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("beacon-agent encode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	uuid := fs.String("uuid", "", "proximity `UUID` (required)")
	major := fs.String("major", "0", "major `number`, 0-65535")
	minor := fs.String("minor", "0", "minor `number`, 0-65535")
	power := fs.Int("power", ble.DefaultMeasuredPower, "measured power: RSSI at 1 m in `dBm`, -127..20")
	dev := fs.String("dev", "hci0", "HCI `device` for the hcitool commands")
	flags := fs.String("flags", "0x1a", "flags AD `byte`")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	b, fl, err := encodeArgs(*uuid, *major, *minor, *power, *flags)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(stderr, "beacon-agent encode: %v\n", err)
		return 2
	}
	ad := b.AppendAdvertisingData(nil, fl)
	params, err := ble.SetAdvertisingDataParams(ad)
	if err != nil {
		fmt.Fprintf(stderr, "beacon-agent encode: %v\n", err)
		return 1
	}
	// The plain recipe has no GATT server behind it, so it advertises
	// non-connectable, every 100 ms.
	ap := ble.DefaultAdvertisingParams()
	ap.Type = ble.AdvNonconnInd
	apb := ap.Marshal()
	on := ble.SetAdvertisingEnableParams(true)
	cmds := []string{
		ble.HcitoolCommand(*dev, ble.OGFLEController, ble.OCFSetAdvertisingData, params[:]),
		ble.HcitoolCommand(*dev, ble.OGFLEController, ble.OCFSetAdvertisingParameters, apb[:]),
		ble.HcitoolCommand(*dev, ble.OGFLEController, ble.OCFSetAdvertisingEnable, on[:]),
	}
	if *asJSON {
		out := struct {
			UUID             nearby.UUID `json:"uuid"`
			Major            uint16      `json:"major"`
			Minor            uint16      `json:"minor"`
			MeasuredPower    int8        `json:"measured_power"`
			AdvertisingData  string      `json:"advertising_data"`
			ManufacturerData string      `json:"manufacturer_data"`
			HCIParams        string      `json:"hci_le_set_advertising_data"`
			Hcitool          []string    `json:"hcitool"`
		}{b.UUID, b.Major, b.Minor, b.MeasuredPower, hex.EncodeToString(ad),
			hex.EncodeToString(b.ManufacturerData()), hex.EncodeToString(params[:]), cmds}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "beacon-agent encode: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stdout, "advertising data:  %s\n", hex.EncodeToString(ad))
	fmt.Fprintf(stdout, "manufacturer data: %s\n", hex.EncodeToString(b.ManufacturerData()))
	fmt.Fprintf(stdout, "# set the advertising data (HCI LE Set Advertising Data)\n%s\n", cmds[0])
	fmt.Fprintf(stdout, "# advertise every 100 ms, non-connectable, then enable\n%s\n%s\n", cmds[1], cmds[2])
	return 0
}

// encodeArgs validates the flags into an identity and a flags byte.
func encodeArgs(uuid, major, minor string, power int, flags string) (ble.IBeacon, byte, error) {
	var b ble.IBeacon
	if uuid == "" {
		return b, 0, errors.New("--uuid is required")
	}
	u, err := nearby.ParseUUID(uuid)
	if err != nil {
		return b, 0, fmt.Errorf("--uuid: %w", err)
	}
	ma, err := strconv.ParseUint(major, 0, 16)
	if err != nil {
		return b, 0, fmt.Errorf("--major %q: must be 0-65535", major)
	}
	mi, err := strconv.ParseUint(minor, 0, 16)
	if err != nil {
		return b, 0, fmt.Errorf("--minor %q: must be 0-65535", minor)
	}
	if power < -127 || power > 20 {
		return b, 0, fmt.Errorf("--power %d: must be between -127 and 20 dBm", power)
	}
	fl, err := strconv.ParseUint(flags, 0, 8)
	if err != nil {
		return b, 0, fmt.Errorf("--flags %q: must be a byte such as 0x1a", flags)
	}
	return ble.IBeacon{UUID: u, Major: uint16(ma), Minor: uint16(mi), MeasuredPower: int8(power)}, byte(fl), nil
}
