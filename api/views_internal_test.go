package api

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/nearby-dev/nearby"
)

func TestBeaconInput_Apply_Identity(t *testing.T) {
	const canon = "f7826da6-4fa2-4e98-8024-bc5b71e0893e"
	tests := []struct {
		name, body string
		want       string   // canonical uuid on success
		fields     []string // error fields; nil for OK
	}{
		{"OK", `{"store_id":"st_1","uuid":"` + canon + `","major":1,"minor":2}`, canon, nil},
		{"OKUpperNoHyphens", `{"store_id":"st_1","uuid":"F7826DA64FA24E988024BC5B71E0893E","major":1,"minor":2}`, canon, nil},
		{"OKAllocate", `{"store_id":"st_1"}`, "", nil},
		{"ErrUUID", `{"store_id":"st_1","uuid":"xyz","major":1,"minor":2}`, "", []string{"uuid"}},
		// The zero UUID is how a beacon without an identity is held; a
		// merchant bringing it would silently be given another one.
		{"ErrNilUUID", `{"store_id":"st_1","uuid":"00000000-0000-0000-0000-000000000000","major":1,"minor":2}`, "", []string{"uuid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in beaconInput
			if err := json.Unmarshal([]byte(tt.body), &in); err != nil {
				t.Fatal(err)
			}
			var b nearby.Beacon
			err := in.apply(&b)
			var got []string
			if e, ok := err.(*nearby.Error); ok {
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatalf("apply: %v, want a *nearby.Error", err)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("apply: error fields %v (%v), want %v", got, err, tt.fields)
			}
			if err != nil {
				return
			}
			switch {
			case tt.want == "" && !b.Identity.UUID.IsZero():
				t.Errorf("identity %v, want none (allocated by the store)", b.Identity)
			case tt.want != "" && (b.Identity.UUID.String() != tt.want || b.Identity.Major != 1 || b.Identity.Minor != 2):
				t.Errorf("identity %v, want %s/1/2", b.Identity, tt.want)
			}
		})
	}
}
