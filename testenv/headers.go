package testenv

import (
	"encoding/binary"
	"strings"
)

// hmap is a header map as Envoy keeps it: ordered, keys lowercased, repeated keys allowed.
type hmap [][2]string

func newHmap(pairs [][2]string) hmap {
	m := make(hmap, len(pairs))
	for i, p := range pairs {
		m[i] = [2]string{strings.ToLower(p[0]), p[1]}
	}
	return m
}

func (m hmap) clone() [][2]string {
	if m == nil {
		return nil
	}
	out := make([][2]string, len(m))
	copy(out, m)
	return out
}

// get returns the first value of key (already lowercased).
func (m hmap) get(key string) (string, bool) {
	for _, p := range m {
		if p[0] == key {
			return p[1], true
		}
	}
	return "", false
}

// getFold is get with an ASCII case-insensitive key, without allocating.
func (m hmap) getFold(key string) (string, bool) {
	for _, p := range m {
		if len(p[0]) == len(key) && asciiEqualFold(p[0], key) {
			return p[1], true
		}
	}
	return "", false
}

// asciiEqualFold compares a stored (lowercase) name with a key of any case.
func asciiEqualFold(lower, key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if lower[i] != c {
			return false
		}
	}
	return true
}

func (m *hmap) add(key, value string) { *m = append(*m, [2]string{key, value}) }

// replace sets the first value of key and drops the others (Envoy's setCopy); adds if absent.
func (m *hmap) replace(key, value string) {
	out := (*m)[:0]
	found := false
	for _, p := range *m {
		if p[0] == key {
			if found {
				continue
			}
			found = true
			p[1] = value
		}
		out = append(out, p)
	}
	if !found {
		out = append(out, [2]string{key, value})
	}
	*m = out
}

func (m *hmap) remove(key string) {
	out := (*m)[:0]
	for _, p := range *m {
		if p[0] != key {
			out = append(out, p)
		}
	}
	*m = out
}

// byteSize is Envoy's HeaderMap::byteSize: the sum of key and value lengths.
func (m hmap) byteSize() int {
	n := 0
	for _, p := range m {
		n += len(p[0]) + len(p[1])
	}
	return n
}

// encodePairs serializes pairs as the proxy-wasm spec says: a little-endian u32 count, then per
// pair the u32 key size and u32 value size, then per pair key, NUL, value, NUL.
func encodePairs(pairs [][2]string) []byte {
	if len(pairs) == 0 {
		return nil
	}
	size := 4 + 8*len(pairs)
	for _, p := range pairs {
		size += len(p[0]) + len(p[1]) + 2
	}
	b := make([]byte, size)
	binary.LittleEndian.PutUint32(b, uint32(len(pairs)))
	off := 4
	for _, p := range pairs {
		binary.LittleEndian.PutUint32(b[off:], uint32(len(p[0])))
		binary.LittleEndian.PutUint32(b[off+4:], uint32(len(p[1])))
		off += 8
	}
	for _, p := range pairs {
		off += copy(b[off:], p[0]) + 1
		off += copy(b[off:], p[1]) + 1
	}
	return b
}

// decodePairs parses the serialization of encodePairs; ok is false when b is malformed.
func decodePairs(b []byte) (pairs [][2]string, ok bool) {
	if len(b) == 0 || (len(b) == 1 && b[0] == 0) { // the spec's empty map is a single NUL
		return nil, true
	}
	if len(b) < 4 {
		return nil, false
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n)*8+4 > uint64(len(b)) {
		return nil, false
	}
	data := 4 + 8*int(n)
	pairs = make([][2]string, n)
	for i := 0; i < int(n); i++ {
		kl := int(binary.LittleEndian.Uint32(b[4+8*i:]))
		vl := int(binary.LittleEndian.Uint32(b[8+8*i:]))
		if kl < 0 || vl < 0 || data+kl+vl+2 > len(b) || data+kl+vl+2 < data {
			return nil, false
		}
		k := string(b[data : data+kl])
		data += kl
		if b[data] != 0 {
			return nil, false
		}
		data++
		v := string(b[data : data+vl])
		data += vl
		if b[data] != 0 {
			return nil, false
		}
		data++
		pairs[i] = [2]string{k, v}
	}
	return pairs, true
}
