package api

import (
	"syscall"
)

// setCork sets TCP_CORK on the socket: while it is set the kernel holds
// partial segments back, and clearing it sends what is held at once.
func setCork(rc syscall.RawConn, on bool) {
	v := 0
	if on {
		v = 1
	}
	rc.Control(func(fd uintptr) {
		// An error (not a TCP socket) only loses the coalescing.
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
	})
}
