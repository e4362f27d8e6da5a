package api

import (
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiterShards spreads the per-IP map over several locks so the hot
// public routes do not serialise on one mutex.
const limiterShards = 32

// limiterIdle is how long an IP's bucket is kept after its last request.
const limiterIdle = 10 * time.Minute

// ipLimiter is a token bucket per client IP.
type ipLimiter struct {
	limit  rate.Limit
	burst  int
	now    func() time.Time
	seed   maphash.Seed
	shards [limiterShards]limiterShard
	stop   chan struct{}
	once   sync.Once
}

type limiterShard struct {
	mu sync.Mutex
	m  map[string]*ipBucket
}

type ipBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(perSecond float64, burst int, now func() time.Time) *ipLimiter {
	l := &ipLimiter{limit: rate.Limit(perSecond), burst: burst, now: now, seed: maphash.MakeSeed(), stop: make(chan struct{})}
	for i := range l.shards {
		l.shards[i].m = make(map[string]*ipBucket)
	}
	go l.sweepLoop()
	return l
}

// allow takes a token for ip; when none is left it says how long to wait.
func (l *ipLimiter) allow(ip string) (bool, time.Duration) {
	sh := &l.shards[maphash.String(l.seed, ip)%limiterShards]
	now := l.now()
	sh.mu.Lock()
	b := sh.m[ip]
	if b == nil {
		b = &ipBucket{lim: rate.NewLimiter(l.limit, l.burst)}
		sh.m[ip] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	var wait time.Duration
	ok := r.OK()
	if ok {
		if wait = r.DelayFrom(now); wait > 0 {
			r.CancelAt(now) // give the token back: the request is refused, not queued
			ok = false
		}
	}
	sh.mu.Unlock()
	return ok, wait
}

// sweepLoop forgets idle clients so the map does not grow without bound.
func (l *ipLimiter) sweepLoop() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.sweep(l.now().Add(-limiterIdle))
		}
	}
}

func (l *ipLimiter) sweep(before time.Time) {
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		for ip, b := range sh.m {
			if b.seen.Before(before) {
				delete(sh.m, ip)
			}
		}
		sh.mu.Unlock()
	}
}

func (l *ipLimiter) close() { l.once.Do(func() { close(l.stop) }) }
