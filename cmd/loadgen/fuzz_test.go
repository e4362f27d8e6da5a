package main

import (
	"bufio"
	"bytes"
	"testing"
)

// FuzzConn_ReadResponse feeds arbitrary bytes to the response parser: it
// must return a status and length or an error, never panic or loop.
func FuzzConn_ReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &conn{r: bufio.NewReader(bytes.NewReader(data))}
		status, n, err := c.readResponse()
		if err == nil && (status < 0 || status > 999 || n < 0 || n > len(data)) {
			t.Fatalf("readResponse(%q) = %d, %d, nil", data, status, n)
		}
	})
}
