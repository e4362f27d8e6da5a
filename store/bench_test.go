package store_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/store"
	bolt "go.etcd.io/bbolt"
)

// benchStores is the size of the start-up benchmark's database;
// NEARBY_BENCH_STORES overrides it (e.g. 100000 for a quick run).
func benchStores() int {
	if n, err := strconv.Atoi(os.Getenv("NEARBY_BENCH_STORES")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// bigDB is built once per process and shared by the runs of
// BenchmarkDB_ForEachStore; TestMain removes it.
var bigDB struct {
	once sync.Once
	dir  string
	path string
	n    int
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDB.dir != "" {
		os.RemoveAll(bigDB.dir)
	}
	os.Exit(code)
}

// randomStore returns a store shaped like real imports: a name, an
// address, a time zone, two tags and, for half of them, weekly hours.
func randomStore(r *rand.Rand, merchant uint64, i int) *nearby.Store {
	s := &nearby.Store{
		MerchantID: merchant,
		Name:       fmt.Sprintf("Store number %d", i),
		Lat:        r.Float64()*170 - 85,
		Lng:        r.Float64()*360 - 180,
		Category:   "coffee",
		Address:    fmt.Sprintf("%d Some Street, Some City", i%9999),
		Timezone:   "Asia/Shanghai",
		Tags:       []string{"wifi", "takeaway"},
	}
	if i%2 == 0 {
		s.Hours = nearby.Hours{}
		for _, d := range nearby.Weekdays {
			s.Hours[d] = [][2]string{{"08:00", "22:00"}}
		}
	}
	return s
}

func buildBigDB(b *testing.B) (string, int) {
	bigDB.once.Do(func() {
		bigDB.n = benchStores()
		bigDB.dir, bigDB.err = os.MkdirTemp("", "nearby-bench-")
		if bigDB.err != nil {
			return
		}
		bigDB.path = filepath.Join(bigDB.dir, "nearby.db")
		db, err := store.Open(bigDB.path, nil)
		if err != nil {
			bigDB.err = err
			return
		}
		defer db.Close()
		ctx := context.Background()
		m := &nearby.Merchant{Name: "Bench"}
		if bigDB.err = db.CreateMerchant(ctx, m); bigDB.err != nil {
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		start := time.Now()
		batch := make([]*nearby.Store, 0, 10000)
		for i := range bigDB.n {
			batch = append(batch, randomStore(r, m.ID, i))
			if len(batch) == cap(batch) || i == bigDB.n-1 {
				if bigDB.err = db.CreateStores(ctx, batch); bigDB.err != nil {
					return
				}
				batch = batch[:0]
			}
		}
		// Every store its own program, created in batches in the order of
		// a shuffle of the stores (programs come after their stores, in no
		// order of theirs).
		stores, err := db.ListStores(ctx, m.ID, 0, 0)
		if err != nil {
			bigDB.err = err
			return
		}
		r.Shuffle(len(stores), func(i, j int) { stores[i], stores[j] = stores[j], stores[i] })
		ps := make([]*nearby.Program, 0, 1000)
		for i, st := range stores {
			ps = append(ps, &nearby.Program{MerchantID: m.ID, AppID: fmt.Sprintf("wx%08x", i), Name: fmt.Sprint("Program ", i),
				Category: "coffee", StoreIDs: []uint64{st.ID}})
			if len(ps) == cap(ps) || i == len(stores)-1 {
				if bigDB.err = db.CreatePrograms(ctx, ps); bigDB.err != nil {
					return
				}
				ps = ps[:0]
			}
		}
		fi, _ := os.Stat(bigDB.path)
		b.Logf("built %d stores and as many programs in %v, file %d MB (%.0f B per store+program)", bigDB.n,
			time.Since(start).Round(time.Millisecond), fi.Size()>>20, float64(fi.Size())/float64(bigDB.n))
	})
	if bigDB.err != nil {
		b.Fatal(bigDB.err)
	}
	return bigDB.path, bigDB.n
}

// BenchmarkDB_ForEachStore is discoveryd's start-up read: every store
// decoded into a fresh *nearby.Store (1,000,000 by default). Each op is a
// whole pass; stores/s is reported.
func BenchmarkDB_ForEachStore(b *testing.B) {
	path, n := buildBigDB(b)
	db, err := store.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		got := 0
		var sink float64
		err := db.ForEachStore(ctx, func(s *nearby.Store) error {
			got++
			sink += s.Lat
			return nil
		})
		if err != nil || got != n {
			b.Fatalf("ForEachStore: %d stores, %v; want %d", got, err, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "stores/s")
	// CPU time is steadier than wall time on a machine shared with other builds.
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkDB_ReadStoresAndPrograms is discoveryd's whole start-up read
// (discovery.Service.Load): every store and every program with its
// stores, one program per store (1,000,000 of each by default).
func BenchmarkDB_ReadStoresAndPrograms(b *testing.B) {
	path, n := buildBigDB(b)
	db, err := store.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		ss, ps, err := db.ReadStoresAndPrograms(ctx)
		if err != nil || len(ss) != n || len(ps) != n || len(ps[n-1].StoreIDs) != 1 {
			b.Fatalf("ReadStoresAndPrograms: %d stores, %d programs, %v; want %d of each", len(ss), len(ps), err, n)
		}
	}
	b.ReportMetric(2*float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDB_CreateStores is import throughput: batches of 1000 stores per
// transaction through CreateStores, next to raw bbolt Puts of values of
// the same size with the same batching and index writes ("raw").
func BenchmarkDB_CreateStores(b *testing.B) {
	const batch = 1000
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	b.Run("store", func(b *testing.B) {
		db := MustOpenDB(b)
		m := mustMerchant(b, db, "Bench")
		ss := make([]*nearby.Store, batch)
		for b.Loop() {
			for i := range ss {
				ss[i] = randomStore(r, m.ID, i)
			}
			if err := db.CreateStores(ctx, ss); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("raw", func(b *testing.B) {
		bdb, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
		if err != nil {
			b.Fatal(err)
		}
		defer bdb.Close()
		err = bdb.Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists([]byte("s"))
			if err == nil {
				_, err = tx.CreateBucketIfNotExists([]byte("i"))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		val := make([]byte, 150) // about the size of an encoded store
		for b.Loop() {
			err := bdb.Update(func(tx *bolt.Tx) error {
				bk, idx := tx.Bucket([]byte("s")), tx.Bucket([]byte("i"))
				for range batch {
					id, _ := bk.NextSequence()
					k := binary.BigEndian.AppendUint64(nil, id)
					if err := bk.Put(k, val); err != nil {
						return err
					}
					if err := idx.Put(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, 1), id), nil); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkDB_RecordEvents is agent ingest: 1, 10 and 100 goroutines each
// sending batches of 100 events through RecordEvents (durable, group
// commit), next to raw bbolt Batch Puts of 100 16-byte keys per call with
// the same concurrency ("raw"). One op is one batch; events/s is reported.
func BenchmarkDB_RecordEvents(b *testing.B) {
	const perBatch = 100
	ctx := context.Background()
	for _, workers := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("store/workers=%d", workers), func(b *testing.B) {
			db := MustOpenDB(b)
			m := mustMerchant(b, db, "Bench")
			var beacons []uint64
			for i := range 100 {
				s := mustStore(b, db, m.ID, fmt.Sprint("s", i/10), "Asia/Shanghai")
				bc := &nearby.Beacon{MerchantID: m.ID, StoreID: s.ID}
				if err := db.CreateBeacon(ctx, bc); err != nil {
					b.Fatal(err)
				}
				beacons = append(beacons, bc.ID)
			}
			var next, seq atomic.Int64
			types := []nearby.EventType{nearby.EventEnter, nearby.EventDwell, nearby.EventExit, nearby.EventShake}
			dwell := int64(30000)
			b.ResetTimer()
			runWorkers(b, workers, &next, func(w int, r *rand.Rand) {
				evs := make([]nearby.Event, perBatch)
				at := time.Now().Add(-time.Minute) // agents upload what they saw recently
				for i := range evs {
					// Random version-4 ids, as agents make them: inserts land
					// all over the events bucket, as the raw baseline's do.
					n := seq.Add(1)
					evs[i] = nearby.Event{
						ID:   fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff),
						Type: types[n%4], At: at.Add(time.Duration(i) * time.Millisecond), DeviceID: fmt.Sprint("device-", r.IntN(5000)), DwellMS: &dwell,
					}
				}
				acc, _, err := db.RecordEvents(ctx, beacons[r.IntN(len(beacons))], evs)
				if err != nil || len(acc) != perBatch {
					b.Errorf("RecordEvents: %d accepted, %v", len(acc), err)
				}
			})
			b.ReportMetric(float64(perBatch*b.N)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(fmt.Sprintf("raw/workers=%d", workers), func(b *testing.B) {
			bdb, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			defer bdb.Close()
			if err := bdb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("e")); return err }); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			b.ResetTimer()
			runWorkers(b, workers, &next, func(w int, r *rand.Rand) {
				keys := make([][]byte, perBatch)
				for i := range keys {
					keys[i] = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, r.Uint64()), r.Uint64())
				}
				err := bdb.Batch(func(tx *bolt.Tx) error {
					bk := tx.Bucket([]byte("e"))
					for _, k := range keys {
						if err := bk.Put(k, k[:8]); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Error(err)
				}
			})
			b.ReportMetric(float64(perBatch*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// runWorkers runs fn b.N times in total on workers goroutines.
func runWorkers(b *testing.B, workers int, next *atomic.Int64, fn func(w int, r *rand.Rand)) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for next.Add(1) <= int64(b.N) {
				fn(w, r)
			}
		}()
	}
	wg.Wait()
}
