//go:build !linux

package hugepages

import "context"

// Advise does nothing outside Linux.
func Advise(ctx context.Context, o Options) (Report, error) {
	return Report{Mode: "unsupported"}, nil
}
