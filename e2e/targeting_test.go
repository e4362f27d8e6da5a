package e2e_test

import (
	"net/http"
	"testing"
)

// TestNearby_TargetingRewardsFit: two programs at the same store, one aimed
// at female iOS users aged 18 to 25 and one untargeted. A phone that fits
// the targeting sees the targeted one first, a phone that contradicts it
// sees it last, and a phone that sends nothing sees the tie broken by
// program id (the untargeted one was created first); explain shows the fit
// per dimension.
func TestNearby_TargetingRewardsFit(t *testing.T) {
	s := startServer(t)
	var m struct {
		APIKey string `json:"api_key"`
	}
	s.postJSON("/v1/merchants", adminToken, map[string]string{"name": "fit"}, &m)
	var st storeRow
	s.postJSON("/v1/stores", m.APIKey, map[string]any{"name": "Soho", "lat": 51.5136, "lng": -0.1365, "category": "coffee"}, &st)
	var plain, aimed programRow
	s.postJSON("/v1/programs", m.APIKey, map[string]any{"app_id": "wxplain", "name": "Plain", "category": "coffee", "store_ids": []string{st.ID}}, &plain)
	s.postJSON("/v1/programs", m.APIKey, map[string]any{"app_id": "wxaimed", "name": "Aimed", "category": "coffee", "store_ids": []string{st.ID},
		"targeting": map[string]any{"age_min": 18, "age_max": 25, "genders": []string{"female"}, "os": []string{"ios"}}}, &aimed)

	for _, tc := range []struct {
		name, phone string
		first       string
	}{
		{"Match", "&age=22&gender=female&os=ios", aimed.ID},
		{"MatchOne", "&os=ios", aimed.ID},
		{"Silent", "", plain.ID},
		{"Contradiction", "&age=40&gender=male&os=android", plain.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a nearbyAnswer
			s.do(http.MethodGet, "/v1/nearby?lat=51.514&lng=-0.133&explain=true"+tc.phone, "", "", nil, &a)
			if len(a.Results) != 2 || a.Results[0].DistanceM != a.Results[1].DistanceM {
				t.Fatalf("got %+v, want both programs at the same distance", a.Results)
			}
			if a.Results[0].Program.ID != tc.first {
				t.Errorf("first %s (%+v), want %s", a.Results[0].Program.ID, a.Results, tc.first)
			}
			if tc.name == "Silent" && a.Results[0].Score != a.Results[1].Score {
				t.Errorf("silent phone: scores %v and %v, want equal", a.Results[0].Score, a.Results[1].Score)
			}
			for _, r := range a.Results {
				for _, k := range []string{"fit_age", "fit_gender", "fit_os"} {
					if _, ok := r.Explain[k]; !ok {
						t.Errorf("explain %v has no %s", r.Explain, k)
					}
				}
			}
			if tc.name == "Match" {
				got, plainPart := a.Results[0].Explain["fit_os"], a.Results[1].Explain["fit_os"]
				if !(got > plainPart) {
					t.Errorf("fit_os of the match %v, untargeted %v: want higher", got, plainPart)
				}
			}
		})
	}
}
