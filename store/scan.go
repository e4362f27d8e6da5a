package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/nearby-dev/nearby"
	bolt "go.etcd.io/bbolt"
)

// The start-up read: every store and program (a million of each) is
// decoded out of the file. One goroutine walks the bbolt cursors inside one
// read transaction and hands chunks of raw records (slices of the mmap) to
// one decoding worker per core; the chunks come back to the caller's
// goroutine in key order. Workers only read the mmap, which bbolt does not
// move while a read transaction is open, and the walker's transaction ends
// only after they are done; everything decoded is a copy.

// scanChunk is how many records one decoding job holds: big enough that
// the hand-offs cost nothing next to decoding, small enough to spread over
// the workers and to bound the memory read ahead.
const scanChunk = 1024

// scanJob is one chunk of records: raw on the way to a worker, decoded on
// the way back.
type scanJob struct {
	programs bool
	keys     [][]byte // into the mmap: valid while the read transaction is open
	vals     [][]byte
	// links holds the store ids of the chunk's programs, record after
	// record; ends[i] is where program i's end.
	links []uint64
	ends  []int

	stores []nearby.Store
	progs  []nearby.Program
	err    error
	done   chan struct{} // closed when decoded
}

func (j *scanJob) decode() {
	if !j.programs {
		j.stores = make([]nearby.Store, len(j.keys))
		for i, k := range j.keys {
			if err := decodeStoreInto(&j.stores[i], k, j.vals[i]); err != nil {
				j.err = fmt.Errorf("store: store %x: %w", k, err)
				return
			}
		}
		return
	}
	j.progs = make([]nearby.Program, len(j.keys))
	start := 0
	for i, k := range j.keys {
		p := &j.progs[i]
		if err := decodeProgramInto(p, k, j.vals[i]); err != nil {
			j.err = fmt.Errorf("store: program %x: %w", k, err)
			return
		}
		if end := j.ends[i]; end > start {
			// Capped: a caller appending to one program's stores must not
			// overwrite the next's.
			p.StoreIDs = j.links[start:end:end]
			start = end
		}
	}
}

// scanner carries one scan's channels.
type scanner struct {
	ctx     context.Context
	work    chan *scanJob
	ordered chan *scanJob
	stop    chan struct{}
	spare   chan [][]byte // key and value arrays of decoded jobs, for reuse
}

// scan decodes every store (if stores) and then every program (if
// programs) in one read transaction and calls emit with each decoded chunk
// in key order, on the caller's goroutine. emit owns the chunk's stores and
// programs; it must not write to db (the read transaction may still be
// open). An error from emit or a decoder stops the scan and is returned.
func (db *DB) scan(ctx context.Context, stores, programs bool, emit func(*scanJob) error) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	s := &scanner{
		ctx:     ctx,
		work:    make(chan *scanJob, workers),
		ordered: make(chan *scanJob, 4*workers),
		stop:    make(chan struct{}),
		spare:   make(chan [][]byte, 16*workers),
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range s.work {
				j.decode()
				s.recycle(j.keys)
				s.recycle(j.vals)
				j.keys, j.vals = nil, nil
				close(j.done)
			}
		}()
	}
	errc := make(chan error, 1)
	go func() {
		defer close(s.ordered)
		errc <- db.bolt.View(func(tx *bolt.Tx) error {
			// The workers read the mmap: they finish before the
			// transaction ends.
			defer func() { close(s.work); wg.Wait() }()
			if stores {
				if err := s.walk(tx.Bucket(bucketStores).Cursor(), nil); err != nil {
					return err
				}
			}
			if programs {
				return s.walk(tx.Bucket(bucketPrograms).Cursor(), tx.Bucket(bucketProgramStores).Cursor())
			}
			return nil
		})
	}()
	var emitErr error
	for j := range s.ordered {
		<-j.done
		if emitErr != nil {
			continue // keep draining until the walker has stopped
		}
		switch {
		case j.err != nil:
			emitErr = j.err
		case ctx.Err() != nil:
			emitErr = ctxErr(ctx)
		default:
			emitErr = emit(j)
		}
		if emitErr != nil {
			close(s.stop)
		}
	}
	err := <-errc
	if emitErr != nil {
		return emitErr
	}
	if errors.Is(err, errStopped) {
		err = nil
	}
	if err != nil {
		return err
	}
	return ctxErr(ctx)
}

var errStopped = errors.New("store: stopped")

func (s *scanner) recycle(a [][]byte) {
	if a == nil {
		return
	}
	clear(a) // no reference into the mmap outlives the transaction
	select {
	case s.spare <- a[:0]:
	default:
	}
}

func (s *scanner) array() [][]byte {
	select {
	case a := <-s.spare:
		return a
	default:
		return make([][]byte, 0, scanChunk)
	}
}

func (s *scanner) newJob(programs bool) *scanJob {
	j := &scanJob{programs: programs, keys: s.array(), vals: s.array()}
	if programs {
		j.links = make([]uint64, 0, scanChunk)
		j.ends = make([]int, 0, scanChunk)
	}
	return j
}

// send hands j to the consumer (in order) and to a worker.
func (s *scanner) send(j *scanJob) error {
	j.done = make(chan struct{})
	select {
	case s.ordered <- j:
	case <-s.stop:
		return errStopped
	case <-s.ctx.Done():
		return ctxErr(s.ctx)
	}
	s.work <- j // the workers always drain work
	return nil
}

// walk sends the records of c in chunks. With links (the program_stores
// cursor) each record also gets its store ids: both buckets are in
// program id order, so one pass over each joins them.
func (s *scanner) walk(c, links *bolt.Cursor) error {
	programs := links != nil
	var lk []byte
	if programs {
		lk, _ = links.First()
	}
	j := s.newJob(programs)
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if programs {
			if len(k) != 8 {
				return fmt.Errorf("store: program key %x: %w", k, errCorrupt)
			}
			id := binary.BigEndian.Uint64(k)
			// Links of no program (there should be none) are skipped, as
			// a program's read by key would never see them.
			for lk != nil && (len(lk) != 16 || binary.BigEndian.Uint64(lk) < id) {
				lk, _ = links.Next()
			}
			for lk != nil && binary.BigEndian.Uint64(lk) == id {
				j.links = append(j.links, binary.BigEndian.Uint64(lk[8:]))
				lk, _ = links.Next()
				for lk != nil && len(lk) != 16 {
					lk, _ = links.Next()
				}
			}
			j.ends = append(j.ends, len(j.links))
		}
		j.keys, j.vals = append(j.keys, k), append(j.vals, v)
		if len(j.keys) == scanChunk {
			if err := s.send(j); err != nil {
				return err
			}
			j = s.newJob(programs)
		}
	}
	if len(j.keys) > 0 {
		return s.send(j)
	}
	return nil
}

// ReadStoresAndPrograms returns every store and every program (with its
// StoreIDs), each in id order, read in one transaction: discoveryd's
// start-up read, ForEachStore and ForEachProgram in one pass, decoded on
// every core. Records are allocated in slabs of a thousand: keeping one
// keeps its slab.
func (db *DB) ReadStoresAndPrograms(ctx context.Context) ([]*nearby.Store, []*nearby.Program, error) {
	// The sequences bound the counts (ids are never reused): size the
	// slices once instead of growing them through a million appends.
	var nStores, nPrograms uint64
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		nStores, nPrograms = tx.Bucket(bucketStores).Sequence(), tx.Bucket(bucketPrograms).Sequence()
		return nil
	})
	const maxHint = 1 << 24
	stores := make([]*nearby.Store, 0, min(nStores, maxHint))
	programs := make([]*nearby.Program, 0, min(nPrograms, maxHint))
	err := db.scan(ctx, true, true, func(j *scanJob) error {
		for i := range j.stores {
			stores = append(stores, &j.stores[i])
		}
		for i := range j.progs {
			programs = append(programs, &j.progs[i])
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return stores, programs, nil
}
