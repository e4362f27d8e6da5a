package rotation_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
	"github.com/nearby-dev/nearby/rotation"
)

func TestMajorMinor_Vectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vectors []struct {
			Secret       string `json:"secret"`
			PeriodS      int    `json:"period_s"`
			Unix         int64  `json:"unix"`
			Window       int64  `json:"window"`
			Major, Minor uint16
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Vectors) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range doc.Vectors {
		key, err := hex.DecodeString(v.Secret)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Unix(v.Unix, 0)
		if got := rotation.Window(at, v.PeriodS); got != v.Window {
			t.Errorf("%s/%d/%d: window %d, want %d", v.Secret, v.PeriodS, v.Unix, got, v.Window)
		}
		u := nearby.MustParseUUID("f7826da6-4fa2-4e98-8024-bc5b71e0893e")
		id, err := rotation.At(u, key, v.PeriodS, at)
		if err != nil {
			t.Fatal(err)
		}
		if id.Major != v.Major || id.Minor != v.Minor || id.UUID != u {
			t.Errorf("%s/%d/%d: %d/%d, want %d/%d", v.Secret, v.PeriodS, v.Unix, id.Major, id.Minor, v.Major, v.Minor)
		}
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		unix   int64
		period int
		want   int64
	}{
		{0, 60, 0}, {59, 60, 0}, {60, 60, 1}, {-1, 60, -1}, {-60, 60, -1}, {-61, 60, -2}, {100, 0, 0},
	}
	for _, tt := range tests {
		if got := rotation.Window(time.Unix(tt.unix, 0), tt.period); got != tt.want {
			t.Errorf("Window(%d, %d) = %d, want %d", tt.unix, tt.period, got, tt.want)
		}
		if tt.period > 0 && rotation.Start(tt.want, tt.period).Unix() > tt.unix {
			t.Errorf("Start(%d) after %d", tt.want, tt.unix)
		}
	}
}

func TestMajorMinor_Errors(t *testing.T) {
	if _, _, err := rotation.MajorMinor(make([]byte, 15), 60, 1); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := rotation.At(nearby.UUID{}, make([]byte, 16), 0, time.Now()); err == nil {
		t.Error("zero period accepted")
	}
}

func TestAccepted(t *testing.T) {
	for _, tt := range []struct {
		seen, now int64
		want      bool
	}{{10, 10, true}, {9, 10, true}, {11, 10, true}, {8, 10, false}, {12, 10, false}} {
		if got := rotation.Accepted(tt.seen, tt.now); got != tt.want {
			t.Errorf("Accepted(%d, %d) = %v", tt.seen, tt.now, got)
		}
	}
}

func TestNewSecret(t *testing.T) {
	a, b := rotation.NewSecret(), rotation.NewSecret()
	if len(a) != rotation.SecretLen || string(a) == string(b) {
		t.Errorf("secrets %x, %x", a, b)
	}
}
