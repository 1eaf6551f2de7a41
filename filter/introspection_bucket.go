package filter

import (
	"encoding/binary"
	"errors"
	"sort"
	"time"
)

// A bucket is the payload of one cache key's shared.Slot value: up to
// introspectionWays entries of tokens whose hashes fall in the bucket.
//
//	"TGb1" | count byte | count × (len uvarint | introspectionEntry.encode)

const introspectionBucketMagic = "TGb1"

var errIntrospectionBucket = errors.New("introspection cache: corrupt bucket")

func encodeBucket(entries []*introspectionEntry) []byte {
	b := append([]byte(introspectionBucketMagic), byte(len(entries)))
	for _, e := range entries {
		rec := e.encode()
		b = binary.AppendUvarint(b, uint64(len(rec)))
		b = append(b, rec...)
	}
	return b
}

func decodeBucket(b []byte) ([]*introspectionEntry, error) {
	if len(b) < len(introspectionBucketMagic)+1 || string(b[:len(introspectionBucketMagic)]) != introspectionBucketMagic {
		return nil, errIntrospectionBucket
	}
	n := int(b[len(introspectionBucketMagic)])
	b = b[len(introspectionBucketMagic)+1:]
	if n > introspectionWays {
		return nil, errIntrospectionBucket
	}
	out := make([]*introspectionEntry, 0, n)
	for i := 0; i < n; i++ {
		size, k := binary.Uvarint(b)
		if k <= 0 || size > uint64(len(b)-k) {
			return nil, errIntrospectionBucket
		}
		e, err := decodeIntrospectionEntry(b[k : k+int(size)])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		b = b[k+int(size):]
	}
	if len(b) != 0 {
		return nil, errIntrospectionBucket
	}
	return out, nil
}

// findEntry returns the entry for hash that this provider may use at now.
func (in *introspection) findEntry(entries []*introspectionEntry, hash [32]byte, now time.Time) *introspectionEntry {
	for _, e := range entries {
		if in.usable(e, hash, now) {
			return e
		}
	}
	return nil
}

// mergeBucket returns the bucket after adding e (when add) at now: expired
// entries, entries of another provider configuration and the old entry of
// the same token go; when the bucket would hold more than introspectionWays,
// the old entries that expire first go (the oldest first among equals). The
// new entry always stays.
func (in *introspection) mergeBucket(old []*introspectionEntry, e *introspectionEntry, add bool, now time.Time) []*introspectionEntry {
	out := make([]*introspectionEntry, 0, introspectionWays+1)
	for _, o := range old {
		if o.fingerprint == in.fingerprint && now.Before(o.until) && o.hash != e.hash {
			out = append(out, o)
		}
	}
	room := introspectionWays
	if add {
		room--
	}
	if len(out) > room {
		sort.SliceStable(out, func(i, j int) bool { return out[i].until.Before(out[j].until) })
		out = out[len(out)-room:]
	}
	if add {
		out = append(out, e)
	}
	return out
}

// bucketLife is how long the Slot value of a bucket is fresh and usable:
// until its last entry expires (the shared package applies its own minimum).
func bucketLife(entries []*introspectionEntry, now time.Time) time.Duration {
	var d time.Duration
	for _, e := range entries {
		d = max(d, e.until.Sub(now))
	}
	return d
}
