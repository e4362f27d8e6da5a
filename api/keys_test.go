package api_test

import (
	"strings"
	"testing"
)

// TestKeys_Rotation: a merchant issues a second key; both work until the
// first is revoked, which is refused (401) from the next request on; the
// admin sees the keys' ids and times, never a secret; a token of the
// wrong kind is a 403 naming the kind needed. Agent tokens rotate alike.
func TestKeys_Rotation(t *testing.T) {
	c := newContractClient(t, nil)
	const js = "application/json"
	mer := decode[struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
		KeyID  string `json:"key_id"`
	}](t, c.do("POST", "/v1/merchants", adminToken, js, `{"name":"Rotating"}`, 201))
	old := mer.APIKey
	nk := decode[struct {
		ID     string `json:"id"`
		APIKey string `json:"api_key"`
	}](t, c.do("POST", "/v1/merchants/"+mer.ID+"/keys", old, js, `{}`, 201))
	if nk.APIKey == "" || nk.APIKey == old || nk.ID == mer.KeyID {
		t.Fatalf("issued %+v, want a new key beside %s", nk, mer.KeyID)
	}
	c.do("GET", "/v1/stores", nk.APIKey, "", "", 200)
	c.do("GET", "/v1/stores", old, "", "", 200)

	list := decode[struct {
		Items []struct {
			ID   string `json:"id"`
			Keys []struct {
				ID         string  `json:"id"`
				LastUsedAt *string `json:"last_used_at"`
			} `json:"keys"`
		} `json:"items"`
	}](t, c.do("GET", "/v1/merchants", adminToken, "", "", 200))
	if len(list.Items) != 1 || len(list.Items[0].Keys) != 2 || list.Items[0].Keys[0].ID != mer.KeyID ||
		list.Items[0].Keys[0].LastUsedAt == nil || list.Items[0].Keys[1].LastUsedAt == nil {
		t.Errorf("merchants = %+v, want one with both keys, both used", list)
	}
	body := string(c.do("GET", "/v1/merchants", adminToken, "", "", 200))
	for _, secret := range []string{old, nk.APIKey, old[strings.LastIndex(old, "_")+1:]} {
		if strings.Contains(body, secret) {
			t.Errorf("GET /v1/merchants shows a secret: %s", body)
		}
	}

	c.do("DELETE", "/v1/merchants/"+mer.ID+"/keys/"+mer.KeyID, nk.APIKey, "", "", 204)
	c.do("GET", "/v1/stores", old, "", "", 401)
	c.do("GET", "/v1/stores", nk.APIKey, "", "", 200)

	// Wrong kinds.
	for _, tc := range []struct{ method, path, token, need string }{
		{"GET", "/v1/stores", adminToken, "merchant API key"},
		{"GET", "/v1/merchants", nk.APIKey, "admin token"},
	} {
		got := string(c.do(tc.method, tc.path, tc.token, "", "", 403))
		if !strings.Contains(got, tc.need) || !strings.Contains(got, `"status":403`) {
			t.Errorf("%s %s with the wrong kind: %s, want a 403 naming %q", tc.method, tc.path, got, tc.need)
		}
	}

	// Agent tokens.
	st := decode[idJSON](t, c.do("POST", "/v1/stores", nk.APIKey, js, `{"name":"S","lat":37.79,"lng":-122.39,"category":"coffee"}`, 201)).ID
	bcn := decode[struct {
		ID          string `json:"id"`
		AgentToken  string `json:"agent_token"`
		AgentTokens []struct {
			ID string `json:"id"`
		} `json:"agent_tokens"`
	}](t, c.do("POST", "/v1/beacons", nk.APIKey, js, `{"store_id":"`+st+`"}`, 201))
	if len(bcn.AgentTokens) != 1 {
		t.Fatalf("new beacon's tokens = %+v, want its first", bcn.AgentTokens)
	}
	nt := decode[struct {
		AgentToken string `json:"agent_token"`
	}](t, c.do("POST", "/v1/beacons/"+bcn.ID+"/tokens", nk.APIKey, js, `{}`, 201))
	c.do("GET", "/v1/agent/config", bcn.AgentToken, "", "", 200)
	c.do("GET", "/v1/agent/config", nt.AgentToken, "", "", 200)
	c.do("DELETE", "/v1/beacons/"+bcn.ID+"/tokens/"+bcn.AgentTokens[0].ID, nk.APIKey, "", "", 204)
	c.do("GET", "/v1/agent/config", bcn.AgentToken, "", "", 401)
	c.do("GET", "/v1/agent/config", nt.AgentToken, "", "", 200)
	got := string(c.do("GET", "/v1/agent/config", nk.APIKey, "", "", 403))
	if !strings.Contains(got, "agent token") {
		t.Errorf("a merchant key on an agent route: %s, want a 403 naming the agent token", got)
	}
}
