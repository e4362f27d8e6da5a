package nearby

import (
	"errors"
	"sync"
	"time"
)

// zones memoises time.LoadLocation, which reads and parses a zoneinfo file
// on every call (~50 µs): far too slow for a million-row import or for
// "open now" on every query. Zone data never changes while a process runs,
// so the cache is safe to share; it holds at most the few hundred IANA names
// plus whatever bad names were asked for (bounded below).
var zones sync.Map // string → zoneResult

type zoneResult struct {
	loc *time.Location
	err error
}

const maxCachedBadZones = 1024

var errLocalZone = errors.New(`nearby: time zone "Local" is the server's, not an IANA name`)

var badZones struct {
	sync.Mutex
	n int
}

// Zone returns the time zone named name (cached, see LoadLocation), UTC
// when the name is empty or not one LoadLocation accepts.
func Zone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// LoadLocation is time.LoadLocation with a process-wide cache, refusing
// "Local": it loads fine but means the server's own zone, which would make
// a store's hours and statistics depend on where discoveryd runs.
func LoadLocation(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, errLocalZone
	}
	if v, ok := zones.Load(name); ok {
		r := v.(zoneResult)
		return r.loc, r.err
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Cache only a bounded number of failures so hostile input cannot
		// grow the map without limit.
		badZones.Lock()
		full := badZones.n >= maxCachedBadZones
		if !full {
			badZones.n++
		}
		badZones.Unlock()
		if full {
			return nil, err
		}
	}
	zones.Store(name, zoneResult{loc, err})
	return loc, err
}
