package nearby

import (
	"fmt"
	"net/url"
	"time"
)

// Program is a mini-program, found nearby at each of its stores.
type Program struct {
	ID          uint64
	MerchantID  uint64
	AppID       string
	Name        string
	Category    string
	Description string
	IconURL     string
	StoreIDs    []uint64
	Targeting   *Targeting // nil: everyone
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Selection, on a write, adds the merchant's stores it selects to
	// StoreIDs when the write commits; it is not kept.
	Selection *StoreSelection `json:",omitempty"`
}

// Targeting says whom a program is for. A phone attribute the phone does not
// send is neutral; a mismatch demotes the program unless Strict, which hides
// it.
type Targeting struct {
	AgeMin  *int     `json:"age_min,omitempty"`
	AgeMax  *int     `json:"age_max,omitempty"`
	Genders []string `json:"genders,omitempty"`
	OS      []string `json:"os,omitempty"`
	Strict  bool     `json:"strict,omitempty"`
}

// Values accepted in targeting and in phone queries.
var (
	Genders = []string{"female", "male", "other"}
	OSes    = []string{"ios", "android", "harmonyos"}
)

// Limits on program fields.
const (
	MaxAppIDLen       = 64
	MaxDescriptionLen = 2000
	MaxURLLen         = 2048
	MaxProgramStores  = 10000
	MaxAge            = 150
)

// Validate checks a program's client-supplied fields and reports every bad
// one. It does not check that the stores exist or belong to the merchant.
func (pg *Program) Validate() error {
	var p Problems
	if pg.AppID == "" {
		p.Addf("app_id", "is required")
	} else if len(pg.AppID) > MaxAppIDLen {
		p.Addf("app_id", "must be at most %d bytes", MaxAppIDLen)
	}
	checkName(&p, "name", pg.Name, true)
	CheckCategory(&p, "category", pg.Category, true)
	if len(pg.Description) > MaxDescriptionLen {
		p.Addf("description", "must be at most %d bytes", MaxDescriptionLen)
	}
	if pg.IconURL != "" {
		u, err := url.Parse(pg.IconURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(pg.IconURL) > MaxURLLen {
			p.Addf("icon_url", "must be an http(s) URL of at most %d bytes", MaxURLLen)
		}
	}
	if len(pg.StoreIDs) > MaxProgramStores {
		p.Addf("store_ids", "must have at most %d entries (add more with a store selection or in further batches)", MaxProgramStores)
	}
	if pg.Selection != nil {
		pg.Selection.Check(&p, "store_selection")
	}
	if t := pg.Targeting; t != nil {
		t.check(&p, "targeting")
	}
	return p.Err()
}

func (t *Targeting) check(p *Problems, field string) {
	if t.AgeMin != nil && (*t.AgeMin < 0 || *t.AgeMin > MaxAge) {
		p.Addf(field+".age_min", "must be between 0 and %d", MaxAge)
	}
	if t.AgeMax != nil && (*t.AgeMax < 0 || *t.AgeMax > MaxAge) {
		p.Addf(field+".age_max", "must be between 0 and %d", MaxAge)
	}
	if t.AgeMin != nil && t.AgeMax != nil && *t.AgeMin > *t.AgeMax {
		p.Addf(field+".age_max", "must not be less than age_min")
	}
	checkEnum(p, field+".genders", t.Genders, Genders)
	checkEnum(p, field+".os", t.OS, OSes)
}

func checkEnum(p *Problems, field string, got, allowed []string) {
	for i, v := range got {
		ok := false
		for _, a := range allowed {
			ok = ok || v == a
		}
		if !ok {
			p.Addf(fmt.Sprintf("%s[%d]", field, i), "must be one of %v", allowed)
		}
	}
}

// ValidEnum reports whether v is one of allowed.
func ValidEnum(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
