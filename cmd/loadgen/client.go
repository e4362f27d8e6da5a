package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection that sends GET requests and
// reads responses framed by Content-Length or chunked encoding.
type conn struct {
	addr string
	host string
	nc   net.Conn
	r    *bufio.Reader
	req  []byte
}

func dial(addr, host string) (*conn, error) {
	c := &conn{addr: addr, host: host}
	return c, c.redial()
}

func (c *conn) redial() error {
	if c.nc != nil {
		c.nc.Close()
	}
	nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
	if err != nil {
		return err
	}
	c.nc = nc
	c.r = bufio.NewReaderSize(nc, 64<<10)
	return nil
}

// get sends one request for target (path and query) and returns the status
// and the body length.
func (c *conn) get(target string) (status, n int, err error) {
	c.req = append(c.req[:0], "GET "...)
	c.req = append(c.req, target...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	c.req = append(c.req, "\r\nUser-Agent: loadgen\r\nAccept: application/json\r\n\r\n"...)
	if _, err := c.nc.Write(c.req); err != nil {
		return 0, 0, err
	}
	return c.readResponse()
}

func (c *conn) readResponse() (status, n int, err error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, 0, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, closing := -1, false, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, 0, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		k, v, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			length, err = strconv.Atoi(string(v))
			if err != nil {
				return 0, 0, fmt.Errorf("bad Content-Length %q", v)
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			closing = bytes.EqualFold(v, []byte("close"))
		}
	}
	switch {
	case chunked:
		n, err = c.readChunked()
	case length >= 0:
		var m int64
		m, err = io.CopyN(io.Discard, c.r, int64(length))
		n = int(m)
	default:
		return status, 0, errors.New("response without length")
	}
	if err == nil && closing {
		err = c.redial()
	}
	return status, n, err
}

func (c *conn) readChunked() (int, error) {
	total := 0
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return total, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(line), 16, 64)
		if err != nil {
			return total, fmt.Errorf("bad chunk size %q", line)
		}
		if size == 0 {
			for { // trailers up to the empty line
				t, err := c.r.ReadSlice('\n')
				if err != nil {
					return total, err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return total, nil
				}
			}
		}
		if _, err := c.r.Discard(int(size)); err != nil {
			return total, err
		}
		total += int(size)
		if _, err := c.r.Discard(2); err != nil { // CRLF
			return total, err
		}
	}
}
