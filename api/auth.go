package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"slices"
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
	// authAdminOrMerchant: the admin token, or a merchant API key (the
	// handler checks the merchant acts on itself).
	authAdminOrMerchant
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
	ctxAdmin      = "nearby.admin"
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
	case authAdminOrMerchant:
		return s.adminOrMerchantAuth
	}
	return nil
}

// The names of the kinds of token, as a 403 names the one needed.
var kindNames = map[authKind]string{
	authAdmin:           "the admin token",
	authMerchant:        "a merchant API key (mk_...)",
	authAgent:           "a beacon agent token (at_...)",
	authAdminOrMerchant: "the admin token or the merchant's own API key (mk_...)",
}

// kindOf tells the kind of tok by its form (the admin token by its
// hash): authNone when it is of no kind.
func (s *Server) kindOf(tok string) authKind {
	got := sha256.Sum256([]byte(tok))
	switch {
	case tok == "":
		return authNone
	case subtle.ConstantTimeCompare(got[:], s.adminHash[:]) == 1:
		return authAdmin
	case strings.HasPrefix(tok, merchantKeyPrefix):
		return authMerchant
	case strings.HasPrefix(tok, agentTokenPrefix):
		return authAgent
	}
	return authNone
}

// wrongKind is the 403 for a token of kind got on a route that needs
// need, or nil when got is need or of no kind (a plain 401 then).
func wrongKind(need, got authKind) error {
	if got == authNone || got == need || need == authAdminOrMerchant && (got == authAdmin || got == authMerchant) {
		return nil
	}
	return nearby.Errorf(nearby.EFORBIDDEN, "this route needs %s, not %s", kindNames[need], strings.TrimSuffix(kindNames[got], " (mk_...)"))
}

func (s *Server) adminAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch k := s.kindOf(bearer(c.Request())); k {
		case authAdmin:
			return next(c)
		default:
			if err := wrongKind(authAdmin, k); err != nil {
				return err
			}
			return errUnauthorized
		}
	}
}

// adminOrMerchantAuth lets the admin token through, marked as such, or
// else checks a merchant key.
func (s *Server) adminOrMerchantAuth(next echo.HandlerFunc) echo.HandlerFunc {
	merchant := s.merchantAuth(next)
	return func(c echo.Context) error {
		switch k := s.kindOf(bearer(c.Request())); k {
		case authAdmin:
			c.Set(ctxAdmin, true)
			return next(c)
		case authAgent:
			return wrongKind(authAdminOrMerchant, k)
		}
		return merchant(c)
	}
}

func (s *Server) merchantAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := bearer(c.Request())
		id, secret, ok := splitToken(tok, merchantKeyPrefix)
		if !ok {
			if err := wrongKind(authMerchant, s.kindOf(tok)); err != nil {
				return err
			}
			return errUnauthorized
		}
		ctx := c.Request().Context()
		m, err := s.merchants.GetMerchant(ctx, id)
		if nearby.ErrorCode(err) == nearby.ENOTFOUND {
			return errUnauthorized
		} else if err != nil {
			return err
		}
		k := nearby.MatchKey(withLegacy(m.Keys, m.APIKeyHash), HashSecret(secret), s.now())
		if k == nil {
			return errUnauthorized
		}
		if k.ID != 0 {
			if err := s.keys.MerchantKeyUsed(writeCtx(c), m.ID, k); err != nil {
				s.logger.WarnContext(ctx, "recording a key's use failed", slog.Any("err", err))
			}
		}
		c.Set(ctxMerchantID, m.ID)
		return next(c)
	}
}

// withLegacy adds the single key hash of a record that has no key list
// (id 0: never stamped) to keys.
func withLegacy(keys []nearby.Key, hash []byte) []nearby.Key {
	if hash == nil {
		return keys
	}
	return append(slices.Clip(keys), nearby.Key{Hash: hash})
}

func (s *Server) agentAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := bearer(c.Request())
		id, secret, ok := splitToken(tok, agentTokenPrefix)
		if !ok {
			if err := wrongKind(authAgent, s.kindOf(tok)); err != nil {
				return err
			}
			return errUnauthorized
		}
		ctx := c.Request().Context()
		b, err := s.agents.AgentBeacon(ctx, id)
		if nearby.ErrorCode(err) == nearby.ENOTFOUND {
			return errUnauthorized
		} else if err != nil {
			return err
		}
		k := nearby.MatchKey(withLegacy(b.AgentTokens, b.AgentTokenHash), HashSecret(secret), s.now())
		if k == nil {
			return errUnauthorized
		}
		if b.Status == nearby.BeaconDecommissioned {
			return nearby.Errorf(nearby.EFORBIDDEN, "beacon %s is decommissioned", nearby.FormatID(nearby.KindBeacon, b.ID))
		}
		if k.ID != 0 {
			if err := s.keys.AgentTokenUsed(writeCtx(c), b.ID, k); err != nil {
				s.logger.WarnContext(ctx, "recording a token's use failed", slog.Any("err", err))
			}
		}
		c.Set(ctxBeacon, b)
		return next(c)
	}
}

// isAdmin reports whether the admin token authenticated the request.
func isAdmin(c echo.Context) bool {
	ok, _ := c.Get(ctxAdmin).(bool)
	return ok
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
