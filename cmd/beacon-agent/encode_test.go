package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRunEncode(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var out, errb bytes.Buffer
		code := runEncode([]string{"--uuid", "E20A39F4-73F5-4BC4-A12F-17D1AD07A961", "--major", "0", "--minor", "0", "--power", "-56"}, &out, &errb)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		// The Adafruit pibeacon recipe as dissected at
		// https://dubsman.gitlab.io/posts/what-the-hell-does-hci-tool-do.html.
		for _, want := range []string{
			"advertising data:  02011a1aff4c000215e20a39f473f54bc4a12f17d1ad07a96100000000c8\n",
			"\nhcitool -i hci0 cmd 0x08 0x0008 1E 02 01 1A 1A FF 4C 00 02 15 E2 0A 39 F4 73 F5 4B C4 A1 2F 17 D1 AD 07 A9 61 00 00 00 00 C8 00\n",
			"\nhcitool -i hci0 cmd 0x08 0x0006 A0 00 A0 00 03 00 00 00 00 00 00 00 00 07 00\n",
			"\nhcitool -i hci0 cmd 0x08 0x000a 01\n",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
	})
	t.Run("JSON", func(t *testing.T) {
		var out, errb bytes.Buffer
		code := runEncode([]string{"--json", "--uuid", "e2c56db5dffb48d2b060d0f5a71096e0", "--major", "100", "--minor", "0x0102", "--dev", "hci1"}, &out, &errb)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var got struct {
			UUID          string `json:"uuid"`
			Major, Minor  int
			MeasuredPower int      `json:"measured_power"`
			Ad            string   `json:"advertising_data"`
			Hcitool       []string `json:"hcitool"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.UUID != "e2c56db5-dffb-48d2-b060-d0f5a71096e0" || got.Major != 100 || got.Minor != 258 || got.MeasuredPower != -59 ||
			got.Ad != "02011a1aff4c000215e2c56db5dffb48d2b060d0f5a71096e000640102c5" || !strings.HasPrefix(got.Hcitool[0], "hcitool -i hci1 ") {
			t.Errorf("got %+v", got)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		says string
	}{
		{"ErrNoUUID", nil, "--uuid is required"},
		{"ErrUUID", []string{"--uuid", "nope"}, "--uuid"},
		{"ErrMajor", []string{"--uuid", "e2c56db5dffb48d2b060d0f5a71096e0", "--major", "65536"}, "--major"},
		{"ErrMinor", []string{"--uuid", "e2c56db5dffb48d2b060d0f5a71096e0", "--minor", "-1"}, "--minor"},
		{"ErrPower", []string{"--uuid", "e2c56db5dffb48d2b060d0f5a71096e0", "--power", "-200"}, "--power"},
		{"ErrFlags", []string{"--uuid", "e2c56db5dffb48d2b060d0f5a71096e0", "--flags", "0x100"}, "--flags"},
		{"ErrArgs", []string{"--uuid", "e2c56db5dffb48d2b060d0f5a71096e0", "extra"}, "unexpected argument"},
		{"ErrFlag", []string{"--bogus"}, "flag provided but not defined"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := runEncode(tt.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tt.says) || out.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q; want 2 and %q", code, errb.String(), out.String(), tt.says)
			}
		})
	}
}
