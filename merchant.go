package nearby

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Merchant owns stores, programs and beacons. Its API keys are stored only
// as hashes.
type Merchant struct {
	ID   uint64
	Name string
	// APIKeyHash is the hash of the first key, given at creation: the
	// registry moves it into Keys (records of older versions too).
	APIKeyHash []byte `json:",omitempty"`
	Keys       []Key  `json:",omitempty"`
	CreatedAt  time.Time
}

// MaxNameLen bounds every human-readable name, in characters.
const MaxNameLen = 200

// checkName records a problem when name is empty, too long or not UTF-8.
func checkName(p *Problems, field, name string, required bool) {
	switch {
	case !utf8.ValidString(name):
		p.Addf(field, "must be valid UTF-8")
	case required && strings.TrimSpace(name) == "":
		p.Addf(field, "is required")
	case utf8.RuneCountInString(name) > MaxNameLen:
		p.Addf(field, "must be at most %d characters", MaxNameLen)
	}
}

// Validate checks a merchant's client-supplied fields.
func (m *Merchant) Validate() error {
	var p Problems
	checkName(&p, "name", m.Name, true)
	return p.Err()
}
