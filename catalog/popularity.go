package catalog

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/nearby-dev/nearby"
)

// popularity turns events into decayed per-store counts. An event at time t
// adds 2^((t-epoch)/halfLife) to its store's counter; the decayed count at
// now is counter * 2^(-(now-epoch)/halfLife). Scaling to a fixed epoch makes
// every counter decay by the same factor, so one multiplication per query
// decays them all, and the largest counter stays the largest. float64
// overflows after about 1000 half-lives past the epoch (about 19 years with
// the default half-life; the epoch is the catalog's creation).
type popularity struct {
	epoch    time.Time
	halfLife float64 // seconds
	known    atomic.Bool
	max      atomicFloat // largest counter, for the score bound
}

func (p *popularity) init(epoch time.Time, halfLife time.Duration) {
	p.epoch = epoch
	p.halfLife = halfLife.Seconds()
}

// weight is what an event at t adds to a counter.
func (p *popularity) weight(t time.Time) float64 {
	return math.Exp2(t.Sub(p.epoch).Seconds() / p.halfLife)
}

// decay is the factor from counters to decayed counts at now; it returns -1
// when nothing is known, which ranking reads as neutral popularity.
func (p *popularity) decay(now time.Time) float64 {
	if !p.known.Load() {
		return -1
	}
	return math.Exp2(-now.Sub(p.epoch).Seconds() / p.halfLife)
}

// countsAsActivity reports whether an event of typ is a shake or a visit.
// Exits and dwell updates describe a visit already counted at its enter.
func countsAsActivity(typ nearby.EventType) bool {
	return typ == nearby.EventShake || typ == nearby.EventEnter
}

// RecordActivity adds one event at a store to its popularity. Only shakes
// and enters (visits) count; events for unknown stores are dropped. It takes
// no lock.
func (c *Catalog) RecordActivity(storeID uint64, typ nearby.EventType, at time.Time) {
	c.RecordActivityCount(storeID, typ, at, 1)
}

// RecordActivityCount adds n events of typ at a store, as if they happened
// at at: start-up seeds popularity from per-day statistics with it.
func (c *Catalog) RecordActivityCount(storeID uint64, typ nearby.EventType, at time.Time, n int64) {
	if n <= 0 || !countsAsActivity(typ) {
		return
	}
	// The read lock keeps the record in place (see storeTable) while the
	// counter is updated; concurrent updates use compare-and-swap.
	c.mu.RLock()
	defer c.mu.RUnlock()
	rec := c.stores.Get(storeID)
	if rec == nil {
		return
	}
	w := float64(n) * c.pop.weight(at)
	if math.IsInf(w, 0) || math.IsNaN(w) {
		return // centuries away from the epoch: not an event worth counting
	}
	v := rec.act.add(w)
	c.pop.max.storeMax(v)
	c.pop.known.Store(true)
}

// Activity returns the decayed count of shakes and visits of a store at
// now, or -1 when no activity is known anywhere.
func (c *Catalog) Activity(storeID uint64, now time.Time) float64 {
	d := c.pop.decay(now)
	if d < 0 {
		return -1
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	rec := c.stores.Get(storeID)
	if rec == nil {
		return 0
	}
	return rec.act.load() * d
}

// atomicFloat is a float64 updated with compare-and-swap.
type atomicFloat struct{ bits atomic.Uint64 }

func (f *atomicFloat) load() float64 { return math.Float64frombits(f.bits.Load()) }

func (f *atomicFloat) add(d float64) float64 {
	for {
		old := f.bits.Load()
		v := math.Float64frombits(old) + d
		if f.bits.CompareAndSwap(old, math.Float64bits(v)) {
			return v
		}
	}
}

func (f *atomicFloat) storeMax(v float64) {
	for {
		old := f.bits.Load()
		if math.Float64frombits(old) >= v || f.bits.CompareAndSwap(old, math.Float64bits(v)) {
			return
		}
	}
}
