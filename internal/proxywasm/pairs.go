package proxywasm

import (
	"encoding/binary"
	"errors"
	"unsafe"
)

// Header maps cross the ABI in the proxy-wasm "pairs" format
// (https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#serialization):
// a little-endian u32 count, count × (u32 key size, u32 value size), then
// key NUL value NUL for every pair.

var errPairsMalformed = errors.New("proxywasm: malformed header map from host")

// pairsSize is the serialized size of m.
func pairsSize(m [][2]string) int {
	n := 4 + 8*len(m)
	for _, kv := range m {
		n += len(kv[0]) + len(kv[1]) + 2
	}
	return n
}

// appendPairs serializes m into dst[:0] (growing it if needed) and returns the
// result. An empty map is serialized as a zero count (4 bytes), which every
// host reading the count first accepts.
func appendPairs(dst []byte, m [][2]string) []byte {
	n := pairsSize(m)
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	binary.LittleEndian.PutUint32(dst, uint32(len(m)))
	p := 4
	for _, kv := range m {
		binary.LittleEndian.PutUint32(dst[p:], uint32(len(kv[0])))
		binary.LittleEndian.PutUint32(dst[p+4:], uint32(len(kv[1])))
		p += 8
	}
	for _, kv := range m {
		p += copy(dst[p:], kv[0])
		dst[p] = 0
		p++
		p += copy(dst[p:], kv[1])
		dst[p] = 0
		p++
	}
	return dst
}

// parsePairs decodes a serialized map into a new slice. The strings alias b
// (no copy): b must be owned by the caller and never modified afterwards.
// Empty input, a single zero byte and a zero count all mean an empty map (nil).
func parsePairs(b []byte) ([][2]string, error) {
	return parsePairsInto(nil, b)
}

// parsePairsInto decodes a serialized map, appending its pairs to dst[:0]
// (reused when large enough). The strings alias b, as for parsePairs. On an
// error it returns nil: nothing of a malformed map is used.
func parsePairsInto(dst [][2]string, b []byte) ([][2]string, error) {
	if len(b) == 0 || (len(b) == 1 && b[0] == 0) {
		return dst[:0], nil
	}
	if len(b) < 4 {
		return nil, errPairsMalformed
	}
	n := binary.LittleEndian.Uint32(b)
	if n == 0 {
		return dst[:0], nil
	}
	// Each pair needs 8 bytes of sizes and 2 NULs: bound n before allocating.
	if uint64(n) > uint64(len(b)-4)/10 {
		return nil, errPairsMalformed
	}
	out := dst[:0]
	if cap(out) < int(n) {
		out = make([][2]string, 0, n)
	}
	out = out[:n]
	sizes := b[4 : 4+8*int(n)] // within b: n <= (len(b)-4)/10
	data := uint64(4) + 8*uint64(n)
	for i := range out {
		sz := sizes[8*i : 8*i+8 : 8*i+8] // one bounds check for both sizes
		ks := uint64(binary.LittleEndian.Uint32(sz[:4]))
		vs := uint64(binary.LittleEndian.Uint32(sz[4:]))
		end := data + ks + vs + 2
		if end > uint64(len(b)) || b[data+ks] != 0 || b[end-1] != 0 {
			clear(out)
			return nil, errPairsMalformed
		}
		// Both strings point into b (aliasString's empty case is "" for any pointer).
		out[i] = [2]string{unsafe.String(&b[data], int(ks)), unsafe.String(&b[data+ks+1], int(vs))}
		data = end
	}
	return out, nil
}

// aliasString returns a string sharing b's memory. b must never change again.
func aliasString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// appendPropertyPath serializes a property path as its segments, each
// followed by a NUL byte (Envoy splits the path on NUL).
func appendPropertyPath(dst []byte, path []string) []byte {
	dst = dst[:0]
	for _, p := range path {
		dst = append(dst, p...)
		dst = append(dst, 0)
	}
	return dst
}
