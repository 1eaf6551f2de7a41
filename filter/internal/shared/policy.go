package shared

import (
	"errors"
	"time"
)

// Policy says how one key is fetched and served.
type Policy struct {
	// LeaseTTL bounds one fetch: the lease (and the fetching VM's own wait)
	// lasts this long, after which another VM may take over. It must cover
	// every call of a fetch (the sum of their timeouts) with some margin.
	LeaseTTL time.Duration
	// BackoffBase and BackoffMax give the deterministic retry schedule after
	// consecutive failures: attempt n+1 waits BackoffBase * 2^(n-1), at most
	// BackoffMax, after failure n. No jitter: the lease already keeps VMs from
	// retrying together, and a fixed schedule is testable.
	BackoffBase, BackoffMax time.Duration
	// Cooldown is the least time between two on-demand (forced) attempts,
	// across all VMs (Slot.Await with force).
	Cooldown time.Duration
	// Background refreshes the value from ticks when it is missing or past
	// its FreshFor, without any request asking.
	Background bool
	// MaxWait bounds how long a waiter waits for an attempt to finish before
	// its callback runs anyway. 0: twice LeaseTTL.
	MaxWait time.Duration
	// MaxWaiters bounds the waiters of the key in one VM; Await refuses
	// beyond it. 0: DefaultMaxWaiters.
	MaxWaiters int
}

// DefaultMaxWaiters is the default bound of waiters per key per VM.
const DefaultMaxWaiters = 4096

// minFresh is the least FreshFor applied to a published value, so a provider
// answering max-age=0 cannot turn ticks into a fetch loop.
const minFresh = time.Second

func (p *Policy) check() error {
	switch {
	case p.LeaseTTL <= 0:
		return errors.New("shared: policy: LeaseTTL must be positive")
	case p.BackoffBase <= 0 || p.BackoffMax < p.BackoffBase:
		return errors.New("shared: policy: need 0 < BackoffBase <= BackoffMax")
	case p.Cooldown < 0 || p.MaxWait < 0 || p.MaxWaiters < 0:
		return errors.New("shared: policy: negative Cooldown, MaxWait or MaxWaiters")
	}
	return nil
}

// backoff is the wait after the given number of consecutive failures (>= 1).
func (p *Policy) backoff(failures uint32) time.Duration {
	d := p.BackoffBase
	for i := uint32(1); i < failures; i++ {
		d *= 2
		if d >= p.BackoffMax || d <= 0 {
			return p.BackoffMax
		}
	}
	return min(d, p.BackoffMax)
}

func (p *Policy) maxWait() time.Duration {
	if p.MaxWait > 0 {
		return p.MaxWait
	}
	return 2 * p.LeaseTTL
}

func (p *Policy) maxWaiters() int {
	if p.MaxWaiters > 0 {
		return p.MaxWaiters
	}
	return DefaultMaxWaiters
}
