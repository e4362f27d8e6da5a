package nearby

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Merchant owns stores, programs and beacons. Its API key is stored only as
// a hash.
type Merchant struct {
	ID         uint64
	Name       string
	APIKeyHash []byte
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
