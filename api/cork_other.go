//go:build !linux

package api

import "syscall"

// setCork does nothing outside Linux.
func setCork(rc syscall.RawConn, on bool) {}
