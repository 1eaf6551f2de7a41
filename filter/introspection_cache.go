package filter

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strconv"
	"time"
)

// Introspection answers are cached in proxy-wasm shared data, so every VM
// (worker) of the proxy uses an answer one of them obtained.
//
// Keys: shared data has no delete, so the key space is bounded and reused: a
// provider owns ceil(cache_max_entries/4) bucket keys
// "tokengate.introspect.<provider>.<n>", and a token's entry lives in bucket
// n = (first 4 bytes of SHA-256(token)) mod buckets. A bucket holds at most 4
// entries (introspection_bucket.go); the entry that expires first makes room.
// Entries hold the full SHA-256 of the token, never the token; a lookup whose
// hash differs is a miss. Each bucket key is one shared.Slot value: the Slot's
// lease makes one VM ask the authorization server while the others wait.
//
// Entry (introspectionEntry.encode):
//
//	"TGi1" | sha256(token) [32] | fingerprint [8] | stored_at varint ns |
//	until varint ns | active byte | len(doc) uvarint | doc
//
// doc is the introspection response of an active token (its claims), empty
// for an inactive one. An entry is used only while now < until, only by a
// configuration whose provider fingerprint (endpoint and client) matches, and
// its claims are checked again at every use (time window with leeway, issuer,
// audience, scopes and claims rules). A record that does not decode is a miss.

// introspectionEntry is one cached answer.
type introspectionEntry struct {
	hash        [32]byte
	fingerprint [8]byte
	storedAt    time.Time
	until       time.Time
	active      bool
	doc         []byte
}

const (
	introspectionKeyPrefix = "tokengate.introspect."
	introspectionMagic     = "TGi1"
)

var errIntrospectionRecord = errors.New("introspection cache: corrupt record")

// tokenHash is the cache identity of a token.
func tokenHash(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// introspectionWays is the number of entries one bucket holds.
const introspectionWays = 4

// buckets is the number of bucket keys of the provider.
func (in *introspection) buckets() uint32 {
	return uint32((in.cacheEntries + introspectionWays - 1) / introspectionWays)
}

// cacheKey returns the shared-data key of the bucket that holds hash.
func (in *introspection) cacheKey(hash [32]byte) string {
	n := binary.BigEndian.Uint32(hash[:4]) % in.buckets()
	return introspectionKeyPrefix + in.provider.name + "." + strconv.FormatUint(uint64(n), 10)
}

// usable reports whether e answers for a token with this hash, asked by this
// provider, at now.
func (in *introspection) usable(e *introspectionEntry, hash [32]byte, now time.Time) bool {
	return e != nil && e.hash == hash && e.fingerprint == in.fingerprint && now.Before(e.until)
}

func (e *introspectionEntry) encode() []byte {
	b := make([]byte, 0, len(introspectionMagic)+32+8+3*binary.MaxVarintLen64+1+len(e.doc))
	b = append(b, introspectionMagic...)
	b = append(b, e.hash[:]...)
	b = append(b, e.fingerprint[:]...)
	b = binary.AppendVarint(b, e.storedAt.UnixNano())
	b = binary.AppendVarint(b, e.until.UnixNano())
	if e.active {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(e.doc)))
	return append(b, e.doc...)
}

func decodeIntrospectionEntry(b []byte) (*introspectionEntry, error) {
	const fixed = len(introspectionMagic) + 32 + 8
	if len(b) < fixed || string(b[:len(introspectionMagic)]) != introspectionMagic {
		return nil, errIntrospectionRecord
	}
	e := &introspectionEntry{}
	copy(e.hash[:], b[len(introspectionMagic):])
	copy(e.fingerprint[:], b[len(introspectionMagic)+32:])
	b = b[fixed:]
	stored, n := binary.Varint(b)
	if n <= 0 {
		return nil, errIntrospectionRecord
	}
	b = b[n:]
	until, n := binary.Varint(b)
	if n <= 0 || len(b) < n+1 {
		return nil, errIntrospectionRecord
	}
	b = b[n:]
	switch b[0] {
	case 0:
	case 1:
		e.active = true
	default:
		return nil, errIntrospectionRecord
	}
	b = b[1:]
	size, n := binary.Uvarint(b)
	if n <= 0 || size != uint64(len(b)-n) || size > maxIntrospectionResponseBytes || (size == 0) == e.active {
		return nil, errIntrospectionRecord
	}
	e.storedAt, e.until = time.Unix(0, stored), time.Unix(0, until)
	if size > 0 {
		e.doc = append([]byte(nil), b[n:]...)
	}
	return e, nil
}
