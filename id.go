package nearby

import (
	"strconv"
	"strings"
)

// Kind prefixes of public ids. An id is the prefix, an underscore and the
// entity's storage sequence number in lower-case hex ("st_1a2f"): short,
// stable, and cheap to map to the uint64 keys of bbolt and the geo index.
const (
	KindMerchant = "mer"
	KindStore    = "st"
	KindProgram  = "pg"
	KindBeacon   = "bcn"
)

// FormatID returns the public form of sequence number n of kind.
func FormatID(kind string, n uint64) string {
	return kind + "_" + strconv.FormatUint(n, 16)
}

// ParseID parses a public id of kind. Only the canonical form FormatID
// produces is accepted, so one entity never has two spellings. The error is
// an EINVALID *Error naming field.
func ParseID(kind, field, s string) (uint64, error) {
	rest, ok := strings.CutPrefix(s, kind+"_")
	if !ok || rest == "" || len(rest) > 16 || rest[0] == '0' {
		return 0, Invalid(field, "is not a valid %s id", kindName(kind))
	}
	n, err := strconv.ParseUint(rest, 16, 64)
	if err != nil || strconv.FormatUint(n, 16) != rest {
		return 0, Invalid(field, "is not a valid %s id", kindName(kind))
	}
	return n, nil
}

func kindName(kind string) string {
	switch kind {
	case KindMerchant:
		return "merchant"
	case KindStore:
		return "store"
	case KindProgram:
		return "program"
	case KindBeacon:
		return "beacon"
	}
	return kind
}
