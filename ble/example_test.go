package ble_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/ble"
)

func ExampleIBeacon_AdvertisingData() {
	u, _ := nearby.ParseUUID("e2c56db5-dffb-48d2-b060-d0f5a71096e0")
	b := ble.IBeacon{UUID: u, Major: 100, Minor: 1, MeasuredPower: -59}
	p, _ := ble.SetAdvertisingDataParams(b.AdvertisingData())
	fmt.Println(hex.EncodeToString(b.AdvertisingData()))
	fmt.Println(ble.HcitoolCommand("hci0", ble.OGFLEController, ble.OCFSetAdvertisingData, p[:]))
	// Output:
	// 02011a1aff4c000215e2c56db5dffb48d2b060d0f5a71096e000640001c5
	// hcitool -i hci0 cmd 0x08 0x0008 1E 02 01 1A 1A FF 4C 00 02 15 E2 C5 6D B5 DF FB 48 D2 B0 60 D0 F5 A7 10 96 E0 00 64 00 01 C5 00
}

func ExampleDecode() {
	b, _ := hex.DecodeString("0303aafe1316aafe10f8036769746875620063697472757a")
	f, err := ble.Decode(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(f)
	fmt.Println(string(out))

	_, err = ble.Decode([]byte{0x4c, 0x00, 0x02, 0x15, 0x01})
	fmt.Println(err)
	// Output:
	// {"type":"eddystone-url","url":"https://github.com/citruz","tx_power":-8,"measured_power":-49,"layer":"advertising-data"}
	// ble: ibeacon: manufacturer data is 5 bytes, want 25: truncated
}

func ExampleTracker() {
	tr := ble.NewTracker(nil) // curve-fit distances, 3 dB hysteresis, enter within 3 m
	start := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	for i, rssi := range []int{-80, -78, -70, -66, -62, -60, -60} {
		for _, x := range tr.Observe(ble.Sighting{DeviceID: "phone", RSSI: rssi, At: start.Add(time.Duration(i) * time.Second)}) {
			fmt.Printf("%ds %s %s\n", i, x.Kind, x.Proximity)
		}
	}
	for _, x := range tr.Expire(start.Add(time.Minute)) {
		fmt.Printf("%s after %v (lost: %v)\n", x.Kind, x.Dwell, x.Lost)
	}
	// Output:
	// 1s proximity far
	// 5s proximity near
	// 5s enter near
	// exit after 1s (lost: true)
}
