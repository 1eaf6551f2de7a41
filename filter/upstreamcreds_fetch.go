package filter

import (
	"time"

	"github.com/tokengate/tokengate/filter/internal/shared"
)

// expiryMargin is how long before its expiry a token stops being used (at
// most a quarter of its life): it still has to travel to the backend, and the
// backend's clock may run ahead.
const expiryMargin = 2 * time.Second

// schedule turns a token's life into when to refresh it and how long to use
// it, both counted from when the response arrived:
//
//   - usable: life minus expiryMargin (at most life/4 off);
//   - fresh: life minus refresh_before_seconds: refreshes start from ticks
//     then, while the token is still served, so steady traffic never waits.
//     When refresh_before_seconds is not below the life, refreshes start at
//     half the life instead (a token that short cannot honour it).
func (c *upstreamCred) schedule(life time.Duration) (fresh, usable time.Duration) {
	usable = life - min(expiryMargin, life/4)
	fresh = life - c.refresh
	if fresh <= 0 {
		fresh = life / 2
	}
	return min(fresh, usable), usable
}

// upstreamTokenFetcher is the shared.Fetcher of one entry: one token request,
// whose answer is the value published to every VM (encodeUpstreamToken).
type upstreamTokenFetcher struct {
	cred *upstreamCred
}

var _ shared.Fetcher = (*upstreamTokenFetcher)(nil)

// First returns the token request.
func (f *upstreamTokenFetcher) First() (*shared.Call, error) { return f.cred.tokenRequest(), nil }

// Next judges the token endpoint's answer.
func (f *upstreamTokenFetcher) Next(resp *shared.Response, _ time.Time) (shared.Step, error) {
	g, err := f.cred.parseTokenResponse(resp)
	if err != nil {
		return shared.Step{}, err
	}
	fresh, usable := f.cred.schedule(g.life)
	return shared.Step{
		Value:     []byte(g.accessToken),
		FreshFor:  fresh,
		UsableFor: usable,
	}, nil
}

// The published value of an entry is the access token itself; its schedule
// (FreshUntil, UsableUntil) travels in the shared record. A VM adopting a
// value checks it again (upstreamTokenOf): shared data is only as trustworthy
// as every VM that writes it, and a bad value must never reach a header.
func upstreamTokenOf(v shared.Value) (string, bool) {
	if v.Version == 0 || len(v.Payload) == 0 || len(v.Payload) > maxUpstreamTokenBytes {
		return "", false
	}
	for _, c := range v.Payload {
		if c < 0x21 || c > 0x7e {
			return "", false
		}
	}
	return string(v.Payload), true
}

// bearerValue is the value of the entry's header for a token.
func bearerValue(token string) string { return "Bearer " + token }
