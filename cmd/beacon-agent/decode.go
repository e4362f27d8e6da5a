package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nearby-dev/nearby/ble"
)

// runDecode decodes advertising bytes given as hex and prints the frame as
// one JSON object:
//
//	beacon-agent decode 0201061aff4c000215...     (spaces, colons and 0x allowed)
//	echo 4c000215... | beacon-agent decode -
//
// It accepts advertising data with or without flags, manufacturer or
// Eddystone service data alone, HCI LE Set Advertising Data parameters and
// HCI LE Advertising Report events. Bytes it cannot decode exit 1 with the
// reason on stderr; bad hex or usage exits 2.
func runDecode(args []string, stdout, stderr io.Writer) int {
	return decode(args, os.Stdin, stdout, stderr)
}

func decode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprintln(stderr, "usage: beacon-agent decode HEX... (or - to read hex from stdin)")
		return 0
	}
	text := strings.Join(args, " ")
	if len(args) == 0 || (len(args) == 1 && args[0] == "-") {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<16))
		if err != nil {
			fmt.Fprintf(stderr, "beacon-agent decode: read stdin: %v\n", err)
			return 2
		}
		text = string(b)
	}
	raw, err := parseHex(text)
	if err != nil {
		fmt.Fprintf(stderr, "beacon-agent decode: %v\n", err)
		return 2
	}
	f, err := ble.Decode(raw)
	if err != nil {
		fmt.Fprintf(stderr, "beacon-agent decode: %v\n", err)
		return 1
	}
	out, err := json.Marshal(f)
	if err != nil {
		fmt.Fprintf(stderr, "beacon-agent decode: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", out)
	return 0
}

// parseHex reads hex digits, ignoring whitespace, colons, hyphens and 0x
// prefixes, as scanners and hcitool print bytes.
func parseHex(s string) ([]byte, error) {
	var digits strings.Builder
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ':' || r == '-' || r == ','
	}) {
		tok = strings.TrimPrefix(strings.TrimPrefix(tok, "0x"), "0X")
		digits.WriteString(tok)
	}
	if digits.Len() == 0 {
		return nil, fmt.Errorf("no hex bytes given")
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		return nil, fmt.Errorf("not hex: %w", err)
	}
	return b, nil
}
