// Package httpconntest holds test helpers for httpconn's users: a listener
// that records the writes its connections make, to count how many system
// calls an answer took.
package httpconntest

import (
	"net"
	"sync"
)

// WriteLog records the size of every write on the connections it
// accepted: what the kernel is asked to send.
type WriteLog struct {
	net.Listener
	mu     sync.Mutex
	writes []int
}

// Accept accepts a connection whose writes are recorded.
func (l *WriteLog) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return loggedConn{c, l}, nil
}

// Take returns the sizes of the writes since the last Take.
func (l *WriteLog) Take() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.writes
	l.writes = nil
	return w
}

type loggedConn struct {
	net.Conn
	log *WriteLog
}

func (c loggedConn) Write(p []byte) (int, error) {
	c.log.mu.Lock()
	c.log.writes = append(c.log.writes, len(p))
	c.log.mu.Unlock()
	return c.Conn.Write(p)
}
