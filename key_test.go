package nearby_test

import (
	"testing"
	"time"

	"github.com/nearby-dev/nearby"
)

func TestMatchKey(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	keys := []nearby.Key{
		{ID: 1, Hash: []byte("a")},
		{ID: 2, Hash: []byte("b"), ExpiresAt: &past},
		{ID: 3, Hash: []byte("c"), ExpiresAt: &future},
	}
	for _, tc := range []struct {
		hash string
		want uint64
	}{{"a", 1}, {"b", 0}, {"c", 3}, {"d", 0}, {"", 0}} {
		got := nearby.MatchKey(keys, []byte(tc.hash), now)
		if (got == nil && tc.want != 0) || (got != nil && got.ID != tc.want) {
			t.Errorf("MatchKey(%q) = %+v, want key %d", tc.hash, got, tc.want)
		}
	}
	used := now.Add(-nearby.KeyUseGranularity / 2)
	k := nearby.Key{LastUsedAt: &used}
	if k.StaleUse(now) || !k.StaleUse(now.Add(nearby.KeyUseGranularity)) || !(&nearby.Key{}).StaleUse(now) {
		t.Error("StaleUse: want a stamp only once per KeyUseGranularity")
	}
}
