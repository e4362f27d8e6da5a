package main

import (
	"context"
	"fmt"
	"io"
)

// runAgent is written in the agent issue.
func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "beacon-agent: the agent runtime is not available in this build")
	return 2
}
