package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nearby-dev/nearby/webhook"
)

// TestSign_StandardWebhooksVector checks Sign against the example of the
// Standard Webhooks specification's reference libraries.
func TestSign_StandardWebhooksVector(t *testing.T) {
	secret, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := webhook.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestSendVerify(t *testing.T) {
	secret := webhook.NewSecret()
	now := time.Now()
	var verr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verr = webhook.Verify(secret, r.Header, body, now, 5*time.Minute)
		if verr != nil {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	s := &webhook.Sender{Client: srv.Client()}
	if err := s.Send(context.Background(), srv.URL, secret, "msg_1", now, []byte(`{"a":1}`)); err != nil || verr != nil {
		t.Fatalf("Send: %v, verify: %v", err, verr)
	}
	err := s.Send(context.Background(), srv.URL, webhook.NewSecret(), "msg_1", now, []byte(`{}`))
	var se *webhook.StatusError
	if !errors.As(err, &se) || se.Status != 401 || !errors.Is(verr, webhook.ErrBadSignature) {
		t.Errorf("wrong secret: %v, verify %v", err, verr)
	}
	if err := s.Send(context.Background(), srv.URL, secret, "msg_1", now.Add(-time.Hour), []byte(`{}`)); !errors.Is(verr, webhook.ErrTimestamp) || err == nil {
		t.Errorf("old timestamp: %v, verify %v", err, verr)
	}
	if err := webhook.Verify(secret, http.Header{}, nil, now, time.Minute); !errors.Is(err, webhook.ErrNoSignature) {
		t.Errorf("no headers: %v", err)
	}
}

func TestSend_Timeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	s := &webhook.Sender{Client: srv.Client(), Timeout: 50 * time.Millisecond}
	start := time.Now()
	if err := s.Send(context.Background(), srv.URL, []byte("k"), "m", start, nil); err == nil {
		t.Fatal("a hanging endpoint succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v, want about the 50 ms timeout", d)
	}
}

func TestBackoff(t *testing.T) {
	base, maxDelay := time.Second, time.Minute
	prevMax := time.Duration(0)
	for n := 1; n <= 10; n++ {
		for range 50 {
			d := webhook.Backoff(n, base, maxDelay)
			if d < prevMax/2 || d > maxDelay {
				t.Fatalf("Backoff(%d) = %v", n, d)
			}
		}
		full := min(base<<(n-1), maxDelay)
		if lo := webhook.Backoff(n, base, maxDelay); lo < full/2 {
			t.Fatalf("Backoff(%d) = %v below half of %v", n, lo, full)
		}
		prevMax = full
	}
}

// FuzzVerify: headers and bodies from the network never panic Verify, and
// only a signature made with the secret passes.
func FuzzVerify(f *testing.F) {
	secret := []byte("fuzz-secret-of-32-bytes-exactly!")
	now := time.Unix(1_765_000_000, 0)
	f.Add("msg_1", "1765000000", webhook.Sign(secret, "msg_1", now, []byte(`{"a":1}`)), []byte(`{"a":1}`))
	f.Add("msg_1", "1765000000", "v1,AAAA v1a,xyz", []byte(`{}`))
	f.Add("", "x", "", []byte(nil))
	f.Add("m", "-99999999999999999999", "v1,", []byte("\x00"))
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(webhook.HeaderID, id)
		h.Set(webhook.HeaderTimestamp, ts)
		h.Set(webhook.HeaderSignature, sig)
		err := webhook.Verify(secret, h, body, now, 5*time.Minute)
		if err == nil && id != "" {
			for _, s := range strings.Fields(sig) {
				if at, perr := strconv.ParseInt(ts, 10, 64); perr == nil && s == webhook.Sign(secret, id, time.Unix(at, 0), body) {
					return
				}
			}
			t.Fatalf("Verify accepted %q %q %q without a valid signature", id, ts, sig)
		}
	})
}
