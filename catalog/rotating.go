package catalog

import (
	"container/heap"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/rotation"
)

// rotIndex finds beacons by the identities they rotate through (package
// rotation) with one map lookup. Each rotating beacon is indexed under the
// identities of four windows around its center, center-1 to center+2, and
// a heap orders beacons by the start of center+1, when the center must
// move on. A beacon whose center lags the current window by one still
// covers current±1 (rotation.Skew), so advancing may trail the boundary by
// up to a period: Resolve advances at most maxAdvance beacons per call
// unless some are further behind, which bounds the write-lock time a
// boundary shared by many beacons costs any one phone.
//
// Its zero value is ready; it is guarded by Catalog.mu.
type rotIndex struct {
	byIdent map[nearby.Identity][]*rotBeacon
	beacons map[uint64]*rotBeacon
	due     rotHeap
	latest  int64 // the latest time (unix seconds) advanced to
}

// maxAdvance bounds the beacons one Resolve moves to their next window
// while they are still within their grace period.
const maxAdvance = 512

// rotSpan is how many windows each beacon is indexed under: center-1 ..
// center+2.
const rotSpan = 4

type rotBeacon struct {
	b       *nearby.Beacon
	center  int64
	ids     [rotSpan]nearby.Identity
	next    int64 // unix seconds: start of center+1
	heapIdx int
}

// window returns the window of the indexed identity id of r, and whether
// r has it.
func (r *rotBeacon) window(id nearby.Identity) (int64, bool) {
	for i, x := range r.ids {
		if x == id {
			return r.center - 1 + int64(i), true
		}
	}
	return 0, false
}

// put indexes b (a rotating beacon, owned by the catalog) for now.
func (x *rotIndex) put(b *nearby.Beacon, now time.Time) {
	x.remove(b.ID)
	if x.beacons == nil {
		x.byIdent = make(map[nearby.Identity][]*rotBeacon)
		x.beacons = make(map[uint64]*rotBeacon)
	}
	r := &rotBeacon{b: b}
	if !x.index(r, now) {
		return // a secret of the wrong length: never resolves
	}
	x.beacons[b.ID] = r
	heap.Push(&x.due, r)
}

// index computes r's identities around now's window and adds them.
func (x *rotIndex) index(r *rotBeacon, now time.Time) bool {
	rot := r.b.Rotation
	r.center = rotation.Window(now, rot.PeriodS)
	for i := range r.ids {
		id, err := rotation.Identity(r.b.Identity.UUID, rot.Secret, rot.PeriodS, r.center-1+int64(i))
		if err != nil {
			return false
		}
		r.ids[i] = id
		x.byIdent[id] = append(x.byIdent[id], r)
	}
	r.next = rotation.Start(r.center+1, rot.PeriodS).Unix()
	return true
}

// unindex removes r's identities from the map.
func (x *rotIndex) unindex(r *rotBeacon) {
	for _, id := range r.ids {
		rs := x.byIdent[id]
		for i, o := range rs {
			if o == r {
				rs = append(rs[:i], rs[i+1:]...)
				break
			}
		}
		if len(rs) == 0 {
			delete(x.byIdent, id)
		} else {
			x.byIdent[id] = rs
		}
	}
}

func (x *rotIndex) remove(id uint64) {
	r := x.beacons[id]
	if r == nil {
		return
	}
	x.unindex(r)
	heap.Remove(&x.due, r.heapIdx)
	delete(x.beacons, id)
}

// needsAdvance reports whether some beacon's center is behind now, or the
// clock stepped back by more than a second (an NTP correction), which
// needs every beacon reindexed.
func (x *rotIndex) needsAdvance(now time.Time) bool {
	u := now.Unix()
	return len(x.due) > 0 && (x.due[0].next <= u || u < x.latest-1)
}

// advance moves due beacons' centers to now's window: all of those a
// whole period behind (their current+1 is not indexed), and up to
// maxAdvance of the others.
func (x *rotIndex) advance(now time.Time) {
	unix := now.Unix()
	if unix < x.latest-1 {
		for _, r := range x.due {
			x.unindex(r)
			x.index(r, now)
		}
		heap.Init(&x.due)
	}
	x.latest = unix
	for n := 0; len(x.due) > 0 && x.due[0].next <= unix; n++ {
		r := x.due[0]
		late := r.next+int64(r.b.Rotation.PeriodS) <= unix
		if n >= maxAdvance && !late {
			return
		}
		x.unindex(r)
		x.index(r, now)
		heap.Fix(&x.due, 0)
	}
}

// lookup returns the rotating beacon that advertises id in a window
// accepted at now, and whether exactly one does: identities of two
// beacons that collide in one window resolve to neither, since neither
// can be told.
func (x *rotIndex) lookup(id nearby.Identity, now time.Time) (*nearby.Beacon, bool) {
	var found *nearby.Beacon
	for _, r := range x.byIdent[id] {
		w, ok := r.window(id)
		if !ok || !rotation.Accepted(w, rotation.Window(now, r.b.Rotation.PeriodS)) {
			continue
		}
		if found != nil {
			return nil, false
		}
		found = r.b
	}
	return found, found != nil
}

// rotHeap orders rotating beacons by when their center moves on.
type rotHeap []*rotBeacon

func (h rotHeap) Len() int           { return len(h) }
func (h rotHeap) Less(i, j int) bool { return h[i].next < h[j].next }
func (h rotHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx, h[j].heapIdx = i, j
}
func (h *rotHeap) Push(v any) {
	r := v.(*rotBeacon)
	r.heapIdx = len(*h)
	*h = append(*h, r)
}
func (h *rotHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return r
}

// advanceRotation brings the rotating index up to now before a resolve.
// The common case costs one heap peek under the read lock.
func (c *Catalog) advanceRotation(now time.Time) {
	c.mu.RLock()
	due := c.rot.needsAdvance(now)
	c.mu.RUnlock()
	if !due {
		return
	}
	c.mu.Lock()
	c.rot.advance(now)
	c.mu.Unlock()
}
