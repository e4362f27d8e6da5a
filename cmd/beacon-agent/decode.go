package main

import (
	"fmt"
	"io"
)

// runDecode is written in the ble issue.
func runDecode(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "beacon-agent decode: not available in this build")
	return 2
}
