package nearby

import "slices"

// StoreSelection chooses a merchant's stores by rule rather than by id, for
// chains too large to list: all of them, or those of a category and/or
// carrying one of some tags. It is resolved against the merchant's stores
// when the write commits.
type StoreSelection struct {
	All      bool     `json:"all,omitempty"`
	Category string   `json:"category,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// Selects reports whether s is one of the stores sel chooses: every store
// with All, else one of Category (when set) carrying one of Tags (when
// set).
func (sel *StoreSelection) Selects(s *Store) bool {
	if sel.All {
		return true
	}
	if sel.Category != "" && s.Category != sel.Category {
		return false
	}
	return len(sel.Tags) == 0 || slices.ContainsFunc(sel.Tags, func(t string) bool { return slices.Contains(s.Tags, t) })
}

// Check reports a selection that chooses nothing definite: neither all
// nor a category or tag, or all together with a narrower rule.
func (sel *StoreSelection) Check(p *Problems, field string) {
	narrow := sel.Category != "" || len(sel.Tags) > 0
	switch {
	case sel.All && narrow:
		p.Addf(field, "must set either all or category/tags, not both")
	case !sel.All && !narrow:
		p.Addf(field, "must set all, category or tags")
	}
	CheckCategory(p, field+".category", sel.Category, false)
	if len(sel.Tags) > MaxTags {
		p.Addf(field+".tags", "must have at most %d entries", MaxTags)
	}
}
