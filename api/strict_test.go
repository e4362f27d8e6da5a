package api_test

import (
	"encoding/json"
	"testing"
)

// TestStrictJSON: a key given twice, a NUL (raw or escaped) and a lone
// surrogate are 400 problems naming the field, on every kind of body.
func TestStrictJSON(t *testing.T) {
	c := newContractClient(t, nil)
	const js = "application/json"
	key := decode[struct {
		APIKey string `json:"api_key"`
	}](t, c.do("POST", "/v1/merchants", adminToken, js, `{"name":"m"}`, 201)).APIKey
	st := decode[idJSON](t, c.do("POST", "/v1/stores", key, js, `{"name":"S","lat":1,"lng":1,"category":"coffee"}`, 201)).ID
	agent := decode[struct {
		AgentToken string `json:"agent_token"`
	}](t, c.do("POST", "/v1/beacons", key, js, `{"store_id":"`+st+`"}`, 201)).AgentToken
	for _, tc := range []struct {
		name, method, path, token, body, field string
	}{
		{"duplicate key", "POST", "/v1/merchants", adminToken, `{"name":"a","name":"b"}`, "name"},
		{"duplicate nested key", "POST", "/v1/beacons/resolve", "", `{"beacons":[{"uuid":"e2c56db5-dffb-48d2-b060-d0f5a71096e0","major":1,"major":2,"minor":3}]}`, "beacons[0].major"},
		{"escaped NUL", "POST", "/v1/stores", key, `{"name":"a\u0000b","lat":1,"lng":1,"category":"coffee"}`, "name"},
		{"raw NUL", "POST", "/v1/stores", key, "{\"name\":\"a\x00b\",\"lat\":1,\"lng\":1,\"category\":\"coffee\"}", "name"},
		{"lone surrogate", "POST", "/v1/shake", "", `{"device_id":"\ud83d"}`, "device_id"},
		{"NUL in an event", "POST", "/v1/agent/events", agent, `{"events":[{"id":"x","type":"enter","at":"2026-11-23T20:00:00Z","device_id":"\u0000"}]}`, "events[0].device_id"},
		{"duplicate in an event", "POST", "/v1/agent/events", agent, `{"events":[{"id":"x","id":"y"}]}`, "events[0].id"},
	} {
		c.lax = true // a JSON Schema cannot say any of this
		var p struct {
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(c.do(tc.method, tc.path, tc.token, js, tc.body, 400), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
			t.Errorf("%s: problem fields %+v, want %q", tc.name, p.Errors, tc.field)
		}
	}
}
