package main

import (
	"fmt"
	"io"
)

// runEncode is written in the ble issue.
func runEncode(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "beacon-agent encode: not available in this build")
	return 2
}
