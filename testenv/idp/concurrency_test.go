package idp

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// TestServer_Concurrent issues, introspects and revokes tokens from many goroutines while keys
// rotate and faults toggle on another endpoint; run with -race it checks the server's locking.
func TestServer_Concurrent(t *testing.T) {
	s, ts := start(t)
	const workers, rounds = 8, 5
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := jwtClient
			if w%2 == 1 {
				c = opaqueClient
			}
			for r := 0; r < rounds; r++ {
				// t.Fatal must not run off the test goroutine, so no postForm here.
				form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ID}, "client_secret": {c.Secret}}
				res, err := ts.Client().PostForm(ts.URL+PathToken, form)
				if err != nil {
					errs <- "token: " + err.Error()
					continue
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs <- "token: " + res.Status
				}
				s.Revoke("ory_at_x.y")
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for r := 0; r < 3; r++ {
			if _, err := s.RotateKey(true); err != nil {
				errs <- err.Error()
			}
			s.SetDown(r%2 == 0, EndpointDiscovery)
			_ = s.Hits(EndpointToken)
			_ = s.Requests()
		}
	}()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := s.Hits(EndpointToken); got != workers*rounds {
		t.Errorf("token hits %d, want %d", got, workers*rounds)
	}
	// Every key published during the rotations still verifies its tokens.
	tok := token(t, ts, authBasic, jwtClient, nil).AccessToken
	if m := introspect(t, ts, tok); m["active"] != true {
		t.Errorf("after concurrent rotation: %v", m)
	}
	if n := len(s.KeyIDs()); n != 4 {
		t.Errorf("published keys %d, want 4", n)
	}
}
