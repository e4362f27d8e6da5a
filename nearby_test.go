package nearby_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"st_1", 1, true},
		{"st_1a2f", 0x1a2f, true},
		{"st_ffffffffffffffff", math.MaxUint64, true},
		{"st_", 0, false},
		{"st_0", 0, false},
		{"st_01", 0, false},                // non-canonical
		{"st_1A", 0, false},                // upper case
		{"pg_1", 0, false},                 // wrong kind
		{"st_1g", 0, false},                // not hex
		{"st_-1", 0, false},                // sign
		{"st_+1", 0, false},                // sign
		{"1", 0, false},                    // no prefix
		{"st_10000000000000000", 0, false}, // 17 digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := nearby.ParseID(nearby.KindStore, "id", tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseID(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil {
				var e *nearby.Error
				if !errors.As(err, &e) || e.Code != nearby.EINVALID || e.Fields[0].Field != "id" {
					t.Fatalf("ParseID(%q) err = %#v, want EINVALID naming id", tt.in, err)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("ParseID(%q) = %d, want %d", tt.in, got, tt.want)
			}
			if back := nearby.FormatID(nearby.KindStore, got); back != tt.in {
				t.Fatalf("FormatID(%d) = %q, want %q", got, back, tt.in)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"00:00", 0, true}, {"09:30", 570, true}, {"23:59", 1439, true}, {"24:00", 1440, true},
		{"24:01", 0, false}, {"25:00", 0, false}, {"12:60", 0, false}, {"9:30", 0, false},
		{"09-30", 0, false}, {"ab:cd", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, ok := nearby.ParseClock(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// fields returns the field names of a validation error, in order.
func fields(err error) []string {
	var e *nearby.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestStore_Validate(t *testing.T) {
	ok := func() nearby.Store {
		return nearby.Store{Name: "Shop", Lat: 31.23, Lng: 121.47, Category: "coffee", Timezone: "Asia/Shanghai",
			Hours: nearby.Hours{"mon": {{"09:00", "21:00"}}, "fri": {{"22:00", "02:00"}}}}
	}
	tests := []struct {
		name   string
		mutate func(*nearby.Store)
		want   []string
	}{
		{"OK", func(*nearby.Store) {}, nil},
		{"ErrName", func(s *nearby.Store) { s.Name = " " }, []string{"name"}},
		{"ErrLat", func(s *nearby.Store) { s.Lat = 90.1 }, []string{"lat"}},
		{"ErrLngNaN", func(s *nearby.Store) { s.Lng = math.NaN() }, []string{"lng"}},
		{"ErrLatInf", func(s *nearby.Store) { s.Lat = math.Inf(1) }, []string{"lat"}},
		{"ErrCategory", func(s *nearby.Store) { s.Category = "Coffee Shop" }, []string{"category"}},
		{"ErrTimezone", func(s *nearby.Store) { s.Timezone = "Mars/Olympus" }, []string{"timezone"}},
		{"ErrTimezoneLocal", func(s *nearby.Store) { s.Timezone = "Local" }, []string{"timezone"}},
		{"ErrHoursDay", func(s *nearby.Store) { s.Hours["xyz"] = [][2]string{{"09:00", "10:00"}} }, []string{"hours.xyz"}},
		{"ErrHoursTime", func(s *nearby.Store) { s.Hours["tue"] = [][2]string{{"9am", "10:00"}} }, []string{"hours.tue[0]"}},
		{"ErrMany", func(s *nearby.Store) { s.Name = ""; s.Lat = -91; s.Category = "" }, []string{"name", "lat", "category"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.mutate(&s)
			err := s.Validate()
			got := fields(err)
			if len(got) != len(tt.want) {
				t.Fatalf("Validate() fields = %v, want %v (err %v)", got, tt.want, err)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Validate() fields = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestEvent_Validate(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	dwell := int64(60000)
	rssi := -200
	negative := int64(-1)
	tests := []struct {
		name string
		ev   nearby.Event
		want []string
	}{
		{"OK", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventDwell, At: now, DeviceID: "d1", DwellMS: &dwell}, nil},
		{"OKExitNoDevice", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventExit, At: now}, nil},
		{"ErrID", nearby.Event{ID: "x", Type: nearby.EventExit, At: now}, []string{"id"}},
		{"ErrType", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: "wave", At: now}, []string{"type"}},
		{"ErrFuture", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventExit, At: now.Add(time.Hour)}, []string{"at"}},
		{"ErrOld", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventExit, At: now.Add(-31 * 24 * time.Hour)}, []string{"at"}},
		{"OKShakeNoDevice", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventShake, At: now}, nil},
		{"OKDwellNoDuration", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventDwell, At: now, DeviceID: "d"}, nil},
		{"ErrRSSI", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventExit, At: now, RSSI: &rssi}, []string{"rssi"}},
		{"ErrDwellNegative", nearby.Event{ID: "f7826da6-4fa2-4e98-8024-bc5b71e0893e", Type: nearby.EventDwell, At: now, DeviceID: "d", DwellMS: &negative}, []string{"dwell_ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fields(tt.ev.Validate(now))
			if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Fatalf("Validate() fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProblems_Merge(t *testing.T) {
	var p nearby.Problems
	p.Merge("targeting", nearby.Invalid("age_min", "must be between 0 and 150"))
	p.Merge("store", errors.New("boom"))
	err := p.Err()
	if got := fields(err); len(got) != 2 || got[0] != "targeting.age_min" || got[1] != "store" {
		t.Fatalf("fields = %v", got)
	}
	if nearby.ErrorCode(err) != nearby.EINVALID {
		t.Fatalf("code = %q", nearby.ErrorCode(err))
	}
	if nearby.ErrorMessage(nearby.Internal(errors.New("secret"))) != "internal error" {
		t.Fatal("internal error message leaked its cause")
	}
}

func TestLoadLocation(t *testing.T) {
	a, err := nearby.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := nearby.LoadLocation("Asia/Shanghai")
	if a != b {
		t.Fatal("second lookup was not served from the cache")
	}
	if _, err := nearby.LoadLocation("Asia/Beijing"); err == nil {
		t.Fatal("Asia/Beijing is not an IANA zone, want an error")
	}
	if _, err := nearby.LoadLocation("Asia/Beijing"); err == nil {
		t.Fatal("cached failure lost its error")
	}
}
