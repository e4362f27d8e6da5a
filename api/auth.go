package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/nearby-dev/nearby"
)

// Auth kinds of a route.
type authKind int

const (
	authNone     authKind = iota // public (phones, operations)
	authAdmin                    // the admin token
	authMerchant                 // a merchant API key
	authAgent                    // a beacon agent token
)

// Token prefixes, as in CONTRACTS.md: the owner's hex id follows the prefix
// so the record is found by key, then the secret is compared by hash.
const (
	merchantKeyPrefix = "mk_"
	agentTokenPrefix  = "at_"
)

// Context keys for what the auth middleware learnt.
const (
	ctxMerchantID = "nearby.merchant_id"
	ctxBeacon     = "nearby.beacon"
)

// NewSecret returns 256 random bits, base64url without padding.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// newToken returns a token for the record id and the hash to store.
func newToken(prefix string, id uint64, secret string) string {
	return prefix + strconv.FormatUint(id, 16) + "_" + secret
}

// HashSecret is what is stored for a token: the SHA-256 of its secret part.
// The id part is not hashed because the record's id is only known after the
// record (with its hash) is created; the secret alone carries the 256 bits.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// splitToken parses prefix<hex id>_<secret>.
func splitToken(tok, prefix string) (id uint64, secret string, ok bool) {
	rest, ok := strings.CutPrefix(tok, prefix)
	if !ok {
		return 0, "", false
	}
	hexID, secret, ok := strings.Cut(rest, "_")
	if !ok || hexID == "" || len(hexID) > 16 || secret == "" {
		return 0, "", false
	}
	id, err := strconv.ParseUint(hexID, 16, 64)
	if err != nil || id == 0 {
		return 0, "", false
	}
	return id, secret, true
}

// bearer returns the bearer token of the request, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get(echo.HeaderAuthorization)
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(h[7:])
}

var errUnauthorized = nearby.Errorf(nearby.EUNAUTHORIZED, "missing or invalid bearer token")

// requireAuth returns the middleware enforcing kind.
func (s *Server) requireAuth(kind authKind) echo.MiddlewareFunc {
	switch kind {
	case authAdmin:
		return s.adminAuth
	case authMerchant:
		return s.merchantAuth
	case authAgent:
		return s.agentAuth
	}
	return nil
}

func (s *Server) adminAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := bearer(c.Request())
		got := sha256.Sum256([]byte(tok))
		if tok == "" || subtle.ConstantTimeCompare(got[:], s.adminHash[:]) != 1 {
			return errUnauthorized
		}
		return next(c)
	}
}

func (s *Server) merchantAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, secret, ok := splitToken(bearer(c.Request()), merchantKeyPrefix)
		if !ok {
			return errUnauthorized
		}
		m, err := s.merchants.GetMerchant(c.Request().Context(), id)
		if nearby.ErrorCode(err) == nearby.ENOTFOUND {
			return errUnauthorized
		} else if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(HashSecret(secret), m.APIKeyHash) != 1 {
			return errUnauthorized
		}
		c.Set(ctxMerchantID, m.ID)
		return next(c)
	}
}

func (s *Server) agentAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, secret, ok := splitToken(bearer(c.Request()), agentTokenPrefix)
		if !ok {
			return errUnauthorized
		}
		b, err := s.agents.AgentBeacon(c.Request().Context(), id)
		if nearby.ErrorCode(err) == nearby.ENOTFOUND {
			return errUnauthorized
		} else if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(HashSecret(secret), b.AgentTokenHash) != 1 {
			return errUnauthorized
		}
		if b.Status == nearby.BeaconDecommissioned {
			return nearby.Errorf(nearby.EFORBIDDEN, "beacon %s is decommissioned", nearby.FormatID(nearby.KindBeacon, b.ID))
		}
		c.Set(ctxBeacon, b)
		return next(c)
	}
}

// merchantOf returns the authenticated merchant's id.
func merchantOf(c echo.Context) uint64 {
	id, _ := c.Get(ctxMerchantID).(uint64)
	return id
}

// beaconOf returns the authenticated agent's beacon.
func beaconOf(c echo.Context) *nearby.Beacon {
	b, _ := c.Get(ctxBeacon).(*nearby.Beacon)
	return b
}
