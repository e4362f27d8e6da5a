package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"syscall"
	"time"
)

// Backoff defaults: a failed upload is retried after about 0.5 s, 1 s, 2 s
// ... up to 2 minutes, so a store whose internet is down for hours costs a
// request every couple of minutes, and a daemon restart is noticed quickly.
const (
	DefaultBackoffBase     = 500 * time.Millisecond
	DefaultBackoffMax      = 2 * time.Minute
	DefaultMaxRetryAfter   = 10 * time.Minute
	DefaultAttemptTimeout  = 15 * time.Second
	DefaultUploadBatchSize = 100
)

// Backoff computes exponential delays with jitter. The zero value uses the
// defaults.
type Backoff struct {
	Base, Max time.Duration
	// MaxRetryAfter caps how long a server's Retry-After may park the agent.
	MaxRetryAfter time.Duration
	// Rand returns a number in [0, 1); nil means math/rand/v2.
	Rand func() float64
}

// Delay returns the wait after the n-th consecutive failure (n >= 1): "equal
// jitter", a random point in [d/2, d) of d = min(Max, Base·2^(n-1)), so that
// many agents coming back after the same outage do not retry in step, and
// never less than the server's retryAfter (capped by MaxRetryAfter).
func (b Backoff) Delay(n int, retryAfter time.Duration) time.Duration {
	base, max, maxRA := b.Base, b.Max, b.MaxRetryAfter
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if max <= 0 {
		max = DefaultBackoffMax
	}
	if maxRA <= 0 {
		maxRA = DefaultMaxRetryAfter
	}
	if n < 1 {
		n = 1
	}
	d := max
	if n < 63 && base<<(n-1) > 0 && base<<(n-1) < max {
		d = base << (n - 1)
	}
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	d = d/2 + time.Duration(r()*float64(d/2))
	if retryAfter > maxRA {
		retryAfter = maxRA
	}
	if d < retryAfter {
		d = retryAfter
	}
	return d
}

// sleep waits d or until ctx is done, reporting whether the full wait
// happened.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// httpStatus returns the HTTP status an error carries (0 for a network
// error). The agent does not import the client package; it finds the status
// through this method, which *client.Error has.
func httpStatus(err error) int {
	var s interface{ HTTPStatus() int }
	if errors.As(err, &s) {
		return s.HTTPStatus()
	}
	return 0
}

// retryAfter returns the server's requested delay carried by err.
func retryAfter(err error) time.Duration {
	var r interface{ RetryDelay() time.Duration }
	if errors.As(err, &r) {
		return r.RetryDelay()
	}
	return 0
}

// refused reports whether the server refused the batch itself (bad request,
// too large) so that resending it unchanged can never succeed. Auth failures
// and 404s are not in the list: an operator can fix a token, and data must
// not be thrown away meanwhile.
func refused(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// errorClass names the kind of a failure, so that "log each distinct error
// once" does not log again because a message carries a new local port or
// request id: the HTTP status, a timeout, or the system error underneath.
func errorClass(err error) string {
	if st := httpStatus(err); st != 0 {
		return fmt.Sprintf("http %d", st)
	}
	var errno syscall.Errno
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &errno):
		return "errno " + errno.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return err.Error()
}
