package jwtcore

import (
	"math"
	"strings"
	"sync"
	"time"
)

// Cache is a bounded verified-token cache: successes only, keyed by the exact token string.
// (The index is the token's last cacheKeyLen bytes, its signature, folded into one word, which
// costs a fraction of hashing the whole token inside wasm; an entry is served only when the
// whole token matches, and two tokens sharing that index share one slot: the later success
// replaces the earlier.)
//
// Bounds: at most maxEntries entries and maxBytes bytes (token + payload + a fixed per-entry
// overhead); the least recently used entry is evicted first. Lookup is a map access plus O(1)
// list surgery under a mutex, and allocates nothing on a hit.
//
// Validity: an entry is served while insert time <= now < min(exp, insert time + ttl). It is
// never served at or after exp, even though verification allows exp + leeway. A token without
// exp is cached only when ttl > 0.
//
// Trust: every entry remembers the Verifier and the key that verified it. A Verifier serves an
// entry it verified itself, or one verified by another Verifier with an identical policy (same
// Name, algorithms, issuers, audiences, times...) using a key that the serving Verifier still
// holds (same material, kid and JWK alg); otherwise it misses and verifies afresh. So a new
// Verifier built from a changed KeySet never serves tokens verified with a removed key.
// Cache.Get, which has no Verifier, applies the same rule with the current Verifier for the
// entry's Name: NewVerifier with Policy.Cache set makes the new Verifier current for its Name.
// Give each provider sharing a cache a distinct Name.
type Cache struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int
	ttl        int64
	m          map[uint64]int32 // cacheKey(token) -> index in ents
	ents       []cacheEntry
	free       int32 // head of the free list (via next), -1 when empty
	head, tail int32 // LRU list, head = most recently used; -1 when empty
	bytes      int
	current    map[string]*Verifier
	gen        uint64 // changes whenever current does (register); never 0
}

type cacheEntry struct {
	token      string
	claims     *Claims
	from       int64 // insert time, unix ns
	until      int64 // exclusive end of validity, unix ns
	size       int
	prev, next int32
	gen        uint64 // Cache.gen when claims.v was last found current for its Name; 0: never
}

// cacheEntryOverhead approximates the fixed memory of one entry (struct, map slot, Claims).
const cacheEntryOverhead = 192

// NewCache returns a cache bounded by maxEntries entries and maxBytes bytes, whose entries live
// at most ttl (ttl <= 0: until exp only). maxEntries <= 0 or maxBytes <= 0 gives a cache that
// stores nothing.
func NewCache(maxEntries, maxBytes int, ttl time.Duration) *Cache {
	if maxEntries < 0 {
		maxEntries = 0
	}
	if maxEntries > math.MaxInt32 {
		maxEntries = math.MaxInt32
	}
	if maxBytes < 0 {
		maxBytes = 0
	}
	if ttl < 0 {
		ttl = 0
	}
	return &Cache{
		maxEntries: maxEntries, maxBytes: maxBytes, ttl: int64(ttl),
		m: map[uint64]int32{}, free: -1, head: -1, tail: -1,
		current: map[string]*Verifier{}, gen: 1,
	}
}

// Len returns the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Bytes returns the accounted size of all entries.
func (c *Cache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Purge removes every entry (the registry of current verifiers is kept).
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.tail >= 0 {
		c.remove(c.tail)
	}
}

// Get returns the cached claims for token when valid at now and trusted by the current Verifier
// of the entry's Name (see Cache). claims.VerifiedBy() tells which Verifier.
func (c *Cache) Get(token string, now time.Time) (*Claims, bool) {
	return c.lookup(token, now.UnixNano(), nil)
}

func (c *Cache) register(v *Verifier) {
	c.mu.Lock()
	c.current[v.p.Name] = v
	c.gen++
	c.mu.Unlock()
}

// lookup finds a valid entry trusted by v (nil: the current verifier of the entry's Name).
func (c *Cache) lookup(token string, now int64, v *Verifier) (*Claims, bool) {
	c.mu.Lock()
	i, ok := c.m[cacheKey(token)]
	if !ok || !sameToken(c.ents[i].token, token) {
		c.mu.Unlock()
		return nil, false
	}
	e := &c.ents[i]
	if now >= e.until || now < e.from {
		if now >= e.until {
			c.remove(i)
		}
		c.mu.Unlock()
		return nil, false
	}
	cl := e.claims
	byName := v == nil
	if byName {
		if e.gen == c.gen { // cl.v was current, and no Verifier has been registered since
			c.moveToFront(i)
			c.mu.Unlock()
			return cl, true
		}
		v = c.current[cl.v.p.Name]
	}
	if cl.v != v {
		if v == nil || v.policyFP != cl.v.policyFP {
			c.mu.Unlock()
			return nil, false
		}
		k := v.keys.byFingerprint(cl.key.fp)
		if k == nil {
			c.mu.Unlock()
			return nil, false
		}
		cl = cl.withVerifier(v, k) // once per entry and verifier change
		e.claims, e.gen = cl, 0
	}
	if byName {
		e.gen = c.gen // cl.v is now the current Verifier of its Name
	}
	c.moveToFront(i)
	c.mu.Unlock()
	return cl, true
}

// insert caches a fresh success verified at now.
func (c *Cache) insert(token string, cl *Claims, now int64) {
	until := int64(math.MaxInt64)
	if cl.hasExp {
		until = cl.exp
	}
	if c.ttl > 0 {
		until = min(until, addSat(now, c.ttl))
	} else if !cl.hasExp {
		return
	}
	size := len(token) + len(cl.raw) + cacheEntryOverhead
	if until <= now || c.maxEntries == 0 || size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.m[cacheKey(token)]; ok && !sameToken(c.ents[i].token, token) {
		c.remove(i) // another token with the same tail: this newer success replaces it
	}
	if i, ok := c.m[cacheKey(token)]; ok {
		e := &c.ents[i]
		c.bytes += size - e.size
		e.claims, e.from, e.until, e.size, e.gen = cl, now, until, size, 0
		c.moveToFront(i)
		for c.bytes > c.maxBytes && c.tail != i {
			c.remove(c.tail)
		}
		return
	}
	for len(c.m) >= c.maxEntries || c.bytes+size > c.maxBytes {
		c.remove(c.tail)
	}
	var i int32
	if c.free >= 0 {
		i = c.free
		c.free = c.ents[i].next
	} else {
		c.ents = append(c.ents, cacheEntry{})
		i = int32(len(c.ents) - 1)
	}
	tok := strings.Clone(token)
	c.ents[i] = cacheEntry{token: tok, claims: cl, from: now, until: until, size: size, prev: -1, next: -1}
	c.m[cacheKey(tok)] = i
	c.bytes += size
	c.pushFront(i)
}

func (c *Cache) unlink(i int32) {
	e := &c.ents[i]
	if e.prev >= 0 {
		c.ents[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next >= 0 {
		c.ents[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (c *Cache) pushFront(i int32) {
	e := &c.ents[i]
	e.prev, e.next = -1, c.head
	if c.head >= 0 {
		c.ents[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
}

func (c *Cache) moveToFront(i int32) {
	if c.head == i {
		return
	}
	c.unlink(i)
	c.pushFront(i)
}

func (c *Cache) remove(i int32) {
	c.unlink(i)
	e := &c.ents[i]
	delete(c.m, cacheKey(e.token))
	c.bytes -= e.size
	*e = cacheEntry{next: c.free, prev: -1}
	c.free = i
}

// cacheKeyLen is how many trailing bytes of a token index the cache.
const cacheKeyLen = 16

// cacheKey is the index of token in Cache.m: its last cacheKeyLen bytes (part of the signature)
// folded into one word (a word key costs about half a string key's lookup inside wasm). Tokens
// sharing the index share a slot; the index never decides a hit (sameToken does).
func cacheKey(token string) uint64 {
	if len(token) < cacheKeyLen {
		h := uint64(len(token))
		for i := 0; i < len(token); i++ {
			h = h<<8 | h>>56 ^ uint64(token[i])
		}
		return h
	}
	lo, hi := tailWords(token)
	return lo ^ (hi * 0x9e3779b97f4a7c15)
}
