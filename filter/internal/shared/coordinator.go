package shared

import (
	"errors"
	"fmt"
	"time"
)

// Coordinator holds the Slots of one VM (one per plugin configuration is the
// intended use) and drives them from ticks.
type Coordinator struct {
	host     Host
	owner    string
	slots    map[string]*Slot
	order    []*Slot // creation order: ticks visit slots deterministically
	seq      uint64  // lease numbers handed out by this VM
	maxSlots int
}

// DefaultMaxSlots bounds the Slots of one Coordinator.
const DefaultMaxSlots = 1024

// casRetries bounds one read-modify-write of a record under CAS. A mismatch
// means another VM wrote in between; each retry re-reads, so this many in a
// row means the record is being hammered and the caller gives up for now.
const casRetries = 8

// NewCoordinator returns a Coordinator for one VM. owner must be unique among
// the VMs sharing the shared data (a random id made at plugin start) and at
// most 64 bytes.
func NewCoordinator(host Host, owner string) (*Coordinator, error) {
	if owner == "" || len(owner) > maxOwnerLen {
		return nil, fmt.Errorf("shared: owner id must be 1 to %d bytes", maxOwnerLen)
	}
	return &Coordinator{host: host, owner: owner, slots: map[string]*Slot{}, maxSlots: DefaultMaxSlots}, nil
}

// SetMaxSlots changes the bound on Slots (at least 1).
func (c *Coordinator) SetMaxSlots(n int) { c.maxSlots = max(n, 1) }

// Owner returns this VM's owner id.
func (c *Coordinator) Owner() string { return c.owner }

// Config describes one key.
type Config struct {
	Fetcher Fetcher
	Policy  Policy
	// OnUpdate runs when this VM adopts a newer published value: at Slot
	// creation, on a tick, after its own fetch, or in Await. Parse the payload
	// here, once per version.
	OnUpdate func(v Value)
	// OnAttempt runs when an attempt made by this VM finishes (for logs and
	// metrics: exactly one VM reports each attempt).
	OnAttempt func(a Attempt)
}

// Attempt is the outcome of one fetch attempt made by this VM.
type Attempt struct {
	Err      error     // nil on success
	Version  uint64    // the version published (success)
	Forced   bool      // an on-demand attempt (Await with force)
	Failures uint32    // consecutive failures after this attempt
	NextAt   time.Time // earliest next attempt (after a failure)
}

// Slot returns the Slot for key, creating it (and its shared records when
// missing) on first use. A later call with the same key returns the existing
// Slot and ignores cfg. The key must not end in "#s".
func (c *Coordinator) Slot(key string, cfg Config) (*Slot, error) {
	if s := c.slots[key]; s != nil {
		return s, nil
	}
	if key == "" || len(key) >= 2 && key[len(key)-2:] == stateSuffix {
		return nil, fmt.Errorf("shared: invalid key %q", key)
	}
	if cfg.Fetcher == nil {
		return nil, fmt.Errorf("shared: key %q: no Fetcher", key)
	}
	if err := cfg.Policy.check(); err != nil {
		return nil, fmt.Errorf("%w (key %q)", err, key)
	}
	if len(c.slots) >= c.maxSlots {
		return nil, fmt.Errorf("shared: key %q: more than %d keys", key, c.maxSlots)
	}
	s := &Slot{c: c, key: key, cfg: cfg}
	empty := state{}
	if err := c.ensure(key+stateSuffix, empty.encode()); err != nil {
		return nil, err
	}
	none := value{}
	if err := c.ensure(key, none.encode()); err != nil {
		return nil, err
	}
	c.slots[key] = s
	c.order = append(c.order, s)
	s.sync()
	return s, nil
}

// Lookup returns the Slot for key, or nil.
func (c *Coordinator) Lookup(key string) *Slot { return c.slots[key] }

// Forget drops an idle Slot (no waiters, no fetch of this VM in flight) from
// this VM; its shared records stay. It reports whether the Slot was dropped.
func (c *Coordinator) Forget(key string) bool {
	s := c.slots[key]
	if s == nil || s.fetch != nil || len(s.waiters) > 0 {
		return false
	}
	delete(c.slots, key)
	for i, o := range c.order {
		if o == s {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	return true
}

// ensure writes an initial record when key is missing, so that every later
// write can use CAS (see the package doc for the remaining window).
func (c *Coordinator) ensure(key string, initial []byte) error {
	_, _, err := c.host.GetSharedData(key)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("shared: reading %q: %w", key, err)
	}
	if err := c.host.SetSharedData(key, initial, 0); err != nil {
		return fmt.Errorf("shared: creating %q: %w", key, err)
	}
	return nil
}

// Tick drives every Slot: adopt what other VMs published, wake waiters whose
// attempt finished (or whose wait expired), give up on this VM's fetch when
// it outlived its lease, and start the attempts that are due (background
// refresh, waiters with nothing in flight). Call it from proxy_on_tick.
func (c *Coordinator) Tick() {
	now := c.host.Now()
	for _, s := range append([]*Slot(nil), c.order...) {
		s.tick(now)
	}
}

// Busy reports whether some Slot has waiters or a fetch in flight in this
// VM: the caller may tick faster meanwhile, so that values published by other
// VMs reach paused requests sooner.
func (c *Coordinator) Busy() bool {
	for _, s := range c.order {
		if s.fetch != nil || len(s.waiters) > 0 {
			return true
		}
	}
	return false
}
