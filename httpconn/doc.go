// Package httpconn tunes how a net/http server's plain-TCP HTTP/1.1
// connections carry a hot path's answers: one write per answer, and, on one
// processor, queries served in the order their connections were last
// served. It is plain net/http: it knows nothing of the routes or of the
// router above it.
//
// # Use
//
// Wrap the server's listener with [Listener] and set http.Server.ConnContext
// to [ConnContext]. A handler then finds its connection with [Of]: nil when
// the request did not come through them, and [Conn.TakeTurn] and
// [WriteOnce] accept that nil and then do what net/http does alone. A handler on
// the hot path does its CPU-bound work (ranking, rendering into a buffer)
// inside a turn, then writes the answer after it:
//
//	c := httpconn.Of(r)
//	took := c.TakeTurn()
//	b = render(b)
//	if took {
//		c.EndTurn()
//	}
//	return httpconn.WriteOnce(c, w, b)
//
// # One write
//
// An answer larger than net/http's 4 KiB connection buffer (a nearby page
// is about 5 KB) leaves in two writes: two system calls, two TCP segments
// and two wake-ups of the client's reader, which cost more than the copy
// that joins them. [WriteOnce] holds the connection's writes back while
// net/http writes the header and body, flushes net/http's buffers, and
// sends what was held in one write: the effect of nginx's tcp_nopush
// without its two setsockopt calls per answer. Held bytes are bounded (64
// KiB): past that they are written, so a large answer costs no more memory
// than it does in net/http.
//
// # Turns
//
// With GOMAXPROCS=1, Go's network poller hands the connections that became
// readable together to the scheduler in reverse order, so the request that
// arrived first in a batch is served last; at 16 busy keep-alive
// connections this made the p99 of GET /v1/nearby about twice its median
// (BENCHMARKS.md). [Conn.TakeTurn] puts the CPU-bound part of a request
// back in order: when several connections wait, the one served longest ago
// goes first, which for keep-alive clients is the one whose request came
// first. With more than one processor the runtime spreads a batch over
// them, and TakeTurn steps aside (it reads GOMAXPROCS again at most once a
// second).
//
// # Caveats
//
//   - Only plain-TCP HTTP/1 connections are tuned, one answer at a time on
//     the connection's own goroutine. TLS connections (a TLS listener under
//     Listener, or TLS over it) are passed through as they are, since
//     net/http recognises them by type, and HTTP/2 requests, which share a
//     connection concurrently, get a nil Conn from Of.
//   - No middleware may run the handler on another goroutine (as
//     http.TimeoutHandler does): a Conn has no lock.
//   - The ResponseWriter given to WriteOnce must not buffer the body
//     itself (compression middleware would): WriteOnce flushes the
//     innermost writer that reports flush errors (net/http's own), looking
//     through wrappers that Unwrap, such as echo.Response.
//   - A handler must not block inside a turn (the answer is written after
//     it), or every other connection's request would wait for it; and it
//     must end every turn it took.
package httpconn
