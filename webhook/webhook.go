package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts the text form of a secret.
const SecretPrefix = "whsec_"

// SecretLen is the length of a generated secret (Standard Webhooks asks
// for 24 to 64 bytes).
const SecretLen = 32

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("webhook: missing id, timestamp or signature header")
	ErrTimestamp    = errors.New("webhook: timestamp outside the tolerance")
	ErrBadSignature = errors.New("webhook: no signature matches")
)

// NewSecret returns a fresh random secret.
func NewSecret() []byte {
	b := make([]byte, SecretLen)
	_, _ = crand.Read(b) // never fails (Go 1.24+)
	return b
}

// FormatSecret returns the text form of a secret: whsec_ and base64.
func FormatSecret(secret []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(secret)
}

// ParseSecret parses FormatSecret's form (the prefix is optional).
func ParseSecret(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
	if err != nil {
		return nil, fmt.Errorf("webhook: secret: %w", err)
	}
	return b, nil
}

// Sign returns the webhook-signature value of a message.
func Sign(secret []byte, id string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a delivery's headers against secret: the timestamp within
// tolerance of now (replays of old deliveries fail) and one of the
// space-separated signatures valid.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		return ErrNoSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return ErrTimestamp
	}
	want := Sign(secret, id, at, body)
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}

// Sender posts deliveries. Its zero value uses http.DefaultClient and
// DefaultTimeout.
type Sender struct {
	Client  *http.Client
	Timeout time.Duration // per attempt
}

// DefaultTimeout bounds one delivery attempt: a hanging endpoint costs its
// own deliveries this much, nobody else's.
const DefaultTimeout = 10 * time.Second

// StatusError is a delivery answered with a status other than 2xx.
type StatusError struct{ Status int }

func (e *StatusError) Error() string { return fmt.Sprintf("webhook: endpoint answered %d", e.Status) }

// Send posts body to url signed with secret under message id at ts. It
// returns nil only for a 2xx answer.
func (s *Sender) Send(ctx context.Context, url string, secret []byte, id string, ts time.Time, body []byte) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "nearby-webhooks/1")
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(secret, id, ts, body))
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Status: resp.StatusCode}
	}
	return nil
}

// Backoff returns the wait before retry attempt n (1 for the first retry):
// base·2^(n-1) capped at maxDelay, with "equal jitter" (half fixed, half
// random), so that endpoints failing together do not retry together and
// each wait is at least the previous one's most.
func Backoff(n int, base, maxDelay time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	half := d / 2
	return half + rand.N(half+1)
}
