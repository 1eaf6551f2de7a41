package jwtcore

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// A strict, iterative (no recursion: the wasm VM's stack is small) RFC 8259 validator that also
// records every object member name, so duplicates can be rejected at every nesting level, and the
// value span of each top-level member, so the claims we act on are read without re-parsing.
// gjson returns the first of duplicate members and most other libraries the last; rejecting
// duplicates everywhere removes that difference (RFC 7519 §4 allows rejecting them).

// MaxJSONDepth bounds the nesting of objects and arrays in a header, payload or JWKS.
const MaxJSONDepth = 32

type scanResult uint8

const (
	scanOK scanResult = iota
	scanInvalid
	scanNotObject
	scanTooDeep
	scanDuplicate
)

type keyRec struct {
	head   uint64 // the name's first 8 bytes, little-endian, zero-padded (see nameHead)
	obj    int32  // offset of the '{' that owns this member
	start  int32  // name bytes: data[start:end], or buf[start:end] when inBuf
	end    int32
	vStart int32 // value span (top-level members only)
	vEnd   int32
	inBuf  bool
}

// nameHead returns the first 8 bytes of b[start:end] as a little-endian word, zero-padded; with
// the length it identifies names of up to 8 bytes. Within b it is one load.
func nameHead(b []byte, start, end int) uint64 {
	l := end - start
	if l > 8 {
		l = 8
	}
	if start+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[start : start+8])
		if l < 8 {
			x &= 1<<(8*l) - 1
		}
		return x
	}
	var x uint64
	for i := 0; i < l; i++ {
		x |= uint64(b[start+i]) << (8 * i)
	}
	return x
}

// memberID names a top-level member that jwtcore itself reads (header or payload). The scan
// notes where each is, so reading one costs no lookup.
type memberID uint8

const (
	memAlg memberID = iota
	memKid
	memCrit
	memIss
	memSub
	memAud
	memExp
	memNbf
	memIat
	memberIDs
)

// jsonScan holds reusable scratch; the zero value is ready to use. Not safe for concurrent use.
type jsonScan struct {
	data  []byte
	root  int32
	keys  []keyRec
	table []int32 // the duplicate table; empty when the object had few members (hasDuplicate)
	buf   []byte
	known [memberIDs]int32 // 1 + index in keys of each top-level memberID, 0 when absent
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// strPlain marks the bytes that stand for themselves inside a JSON string: neither '"', '\\' nor
// a control character. The scan's loops walk over them without calls (a call costs most in wasm).
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scan validates data as a JSON object within MaxJSONDepth with unique member names.
//
// The grammar is walked with gotos between its four positions (member, value, after a value, and
// the start of an object or array), so each token costs one dispatch: in wasm, where the scan
// spends most of its time on control flow, that is cheaper than a state variable switched on per
// token. Plain strings and integers are walked inline; escapes, fractions and exponents go to
// scanString and scanNumber.
func (s *jsonScan) scan(data []byte) scanResult {
	s.data = data
	s.keys = s.keys[:0]
	s.buf = s.buf[:0]
	s.table = s.table[:0]
	s.known = [memberIDs]int32{}
	if !utf8.Valid(data) {
		return scanInvalid
	}
	var (
		kinds      [MaxJSONDepth]byte // '{' or '['
		objs       [MaxJSONDepth]int32
		n          = len(data)
		i, j       int
		depth      int
		pendingTop = -1
		c          byte
		kHead      uint64 // the member name being recorded
		kStart     int32
		kEnd       int32
		kInBuf     bool
		keys       = s.keys[:0] // appended here, stored in s.keys at the end
	)
	for i < n && isWS(data[i]) {
		i++
	}
	if i >= n || data[i] != '{' {
		return scanNotObject
	}
	s.root = int32(i)
	kinds[0], objs[0], depth = '{', int32(i), 1
	i++

objectStart: // after '{'
	for i < n && data[i] <= ' ' && isWS(data[i]) {
		i++
	}
	if i < n && data[i] == '}' {
		i++
		depth--
		goto afterValue
	}

member: // at a member name (after '{' or ',')
	for i < n && data[i] <= ' ' && isWS(data[i]) {
		i++
	}
	if i >= n || data[i] != '"' {
		return scanInvalid
	}
	j = plainEnd(data, i+1)
	if j < n && data[j] == '"' {
		kHead, kStart, kEnd, kInBuf = nameHead(data, i+1, j), int32(i+1), int32(j), false
		i = j + 1
	} else {
		end, _, ok := scanString(data, i) // escapes, or an error
		if !ok {
			return scanInvalid
		}
		bs := len(s.buf)
		s.buf = unescapeJSON(s.buf, data[i+1:end-1])
		kHead, kStart, kEnd, kInBuf = nameHead(s.buf, bs, len(s.buf)), int32(bs), int32(len(s.buf)), true
		i = end
	}
	for i < n && isWS(data[i]) {
		i++
	}
	if i >= n || data[i] != ':' {
		return scanInvalid
	}
	i++
	for i < n && data[i] <= ' ' && isWS(data[i]) {
		i++
	}
	if len(keys) < cap(keys) {
		keys = keys[:len(keys)+1]
	} else {
		keys = append(keys, keyRec{})
	}
	keys[len(keys)-1] = keyRec{head: kHead, obj: objs[depth-1], start: kStart, end: kEnd, vStart: int32(i), inBuf: kInBuf}
	if depth == 1 {
		pendingTop = len(keys) - 1
		if id := knownMember(kHead, kEnd-kStart); id < memberIDs {
			s.known[id] = int32(len(keys))
		}
	}
	goto value

arrayStart: // after '['
	for i < n && data[i] <= ' ' && isWS(data[i]) {
		i++
	}
	if i < n && data[i] == ']' {
		i++
		depth--
		goto afterValue
	}

value: // at a value (after ':', '[' or ',' in an array)
	for i < n && data[i] <= ' ' && isWS(data[i]) {
		i++
	}
	if i >= n {
		return scanInvalid
	}
	switch c = data[i]; {
	case c == '"':
		j = plainEnd(data, i+1)
		if j < n && data[j] == '"' {
			i = j + 1
			break
		}
		end, _, ok := scanString(data, i) // escapes, or an error
		if !ok {
			return scanInvalid
		}
		i = end
	case c == '{' || c == '[':
		if depth == MaxJSONDepth {
			return scanTooDeep
		}
		kinds[depth], objs[depth] = c, int32(i)
		depth++
		i++
		if c == '{' {
			goto objectStart
		}
		goto arrayStart
	case c == '-' || (c >= '0' && c <= '9'):
		// An integer here; a fraction or exponent goes to scanNumber.
		j = i
		if c == '-' {
			j++
		}
		switch {
		case j < n && data[j] == '0':
			j++
		case j < n && data[j] >= '1' && data[j] <= '9':
			j++
			for j < n && data[j] >= '0' && data[j] <= '9' {
				j++
			}
		default:
			return scanInvalid
		}
		if j < n && (data[j] == '.' || data[j]|0x20 == 'e') {
			end, ok := scanNumber(data, i)
			if !ok {
				return scanInvalid
			}
			j = end
		}
		i = j
	case c == 't':
		if !hasLit(data, i, "true") {
			return scanInvalid
		}
		i += 4
	case c == 'f':
		if !hasLit(data, i, "false") {
			return scanInvalid
		}
		i += 5
	case c == 'n':
		if !hasLit(data, i, "null") {
			return scanInvalid
		}
		i += 4
	default:
		return scanInvalid
	}

afterValue: // after a value, in the container at depth (0: the root object closed)
	if depth == 1 && pendingTop >= 0 {
		keys[pendingTop].vEnd = int32(i)
		pendingTop = -1
	}
	if depth > 0 {
		for i < n && data[i] <= ' ' && isWS(data[i]) {
			i++
		}
		if i >= n {
			return scanInvalid
		}
		switch c = data[i]; {
		case c == ',':
			i++
			if kinds[depth-1] == '{' {
				goto member
			}
			goto value
		case c == '}' && kinds[depth-1] == '{', c == ']' && kinds[depth-1] == '[':
			i++
			depth--
			goto afterValue
		}
		return scanInvalid
	}

	for i < n && isWS(data[i]) {
		i++
	}
	s.keys = keys
	if i != n {
		return scanInvalid
	}
	if s.hasDuplicate() {
		return scanDuplicate
	}
	// Defence in depth: the library that later queries the JSON must agree that it is valid.
	// Its validator recurses, which is safe only because the depth is bounded above.
	if !gjson.ValidBytes(data) {
		return scanInvalid
	}
	return scanOK
}

// plainEnd returns the offset of the first byte at or after i that does not stand for itself in
// a JSON string ('"', '\\' or a control character), or len(b). It tests 8 bytes per step: in
// wasm each loop iteration costs a dispatch, so a byte loop costs ~2 ns per byte. For a word x,
// (x - 0x01..*k) &^ x & 0x80.. flags the bytes below k (exactly at the lowest flagged byte, and
// never a byte >= 0x80), and x ^ 0x22.. or x ^ 0x5c.. turns '"' or '\\' into such a zero byte.
func plainEnd(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	w := b[i:]
	for len(w) >= 8 {
		x := binary.LittleEndian.Uint64(w)
		q, bs := x^(ones*'"'), x^(ones*'\\')
		if t := ((x-ones*0x20)&^x | (q-ones)&^q | (bs-ones)&^bs) & highs; t != 0 {
			return len(b) - len(w) + bits.TrailingZeros64(t)>>3
		}
		w = w[8:]
	}
	for len(w) > 0 && strPlain[w[0]] {
		w = w[1:]
	}
	return len(b) - len(w)
}

// knownMember returns the memberID of a member name given by its head and length, or memberIDs.
func knownMember(head uint64, l int32) memberID {
	const (
		alg  = 'a' | 'l'<<8 | 'g'<<16
		kid  = 'k' | 'i'<<8 | 'd'<<16
		crit = 'c' | 'r'<<8 | 'i'<<16 | 't'<<24
		iss  = 'i' | 's'<<8 | 's'<<16
		sub  = 's' | 'u'<<8 | 'b'<<16
		aud  = 'a' | 'u'<<8 | 'd'<<16
		exp  = 'e' | 'x'<<8 | 'p'<<16
		nbf  = 'n' | 'b'<<8 | 'f'<<16
		iat  = 'i' | 'a'<<8 | 't'<<16
	)
	if l == 4 {
		if head == crit {
			return memCrit
		}
		return memberIDs
	}
	if l != 3 {
		return memberIDs
	}
	switch head {
	case alg:
		return memAlg
	case kid:
		return memKid
	case iss:
		return memIss
	case sub:
		return memSub
	case aud:
		return memAud
	case exp:
		return memExp
	case nbf:
		return memNbf
	case iat:
		return memIat
	}
	return memberIDs
}

// member returns the raw value of top-level member id after a successful scan.
func (s *jsonScan) member(id memberID) ([]byte, bool) {
	k := s.known[id] - 1
	if k < 0 {
		return nil, false
	}
	r := &s.keys[k]
	return s.data[r.vStart:r.vEnd], true
}

func hasLit(data []byte, i int, lit string) bool {
	return len(data)-i >= len(lit) && string(data[i:i+len(lit)]) == lit
}

// scanString scans the string starting at data[i] == '"'; it returns the offset after the closing
// quote and whether the string contains escapes.
func scanString(data []byte, i int) (end int, esc bool, ok bool) {
	i++
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			return i + 1, esc, true
		case c < 0x20:
			return 0, false, false
		case c == '\\':
			esc = true
			if i+1 >= len(data) {
				return 0, false, false
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) {
					return 0, false, false
				}
				for _, h := range data[i+2 : i+6] {
					if hexVal(h) < 0 {
						return 0, false, false
					}
				}
				i += 6
			default:
				return 0, false, false
			}
		default:
			i++
		}
	}
	return 0, false, false
}

func scanNumber(data []byte, i int) (int, bool) {
	if data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(data) && data[i] == '0' {
		i++
	} else if digits() == 0 {
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			return 0, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	return i, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// unescapeJSON appends the decoded form of a validated JSON string body (without quotes).
// Unpaired surrogates decode to U+FFFD.
func unescapeJSON(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch src[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(src[i+2:])
			i += 6
			if r >= 0xd800 && r < 0xdc00 && i+6 <= len(src) && src[i] == '\\' && src[i+1] == 'u' {
				if lo := hex4(src[i+2:]); lo >= 0xdc00 && lo < 0xe000 {
					r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
					i += 6
				}
			}
			if r >= 0xd800 && r < 0xe000 {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, src[i+1])
		}
		i += 2
	}
	return dst
}

func hex4(b []byte) rune {
	return rune(hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3]))
}

func (s *jsonScan) name(k *keyRec) []byte {
	if k.inBuf {
		return s.buf[k.start:k.end]
	}
	return s.data[k.start:k.end]
}

// scanSeed keys the member-name hash of the duplicate table with a secret chosen per process.
// Names come from unverified input (a token's payload is scanned before its signature is
// checked), and with a hash anyone can compute, names chosen to share one bucket make the linear
// probing quadratic in the number of members.
var scanSeed = maphash.MakeSeed()

func keyHash(obj int32, name []byte) uint32 { return mixObj(obj, maphash.Bytes(scanSeed, name)) }

func keyHashString(obj int32, name string) uint32 {
	return mixObj(obj, maphash.String(scanSeed, name))
}

// mixObj combines a name's hash with the offset of its object (multiply-shift: the table uses the
// low bits of the result, which depend on every bit of h ^ obj).
func mixObj(obj int32, h uint64) uint32 {
	return uint32((h ^ uint64(uint32(obj))) * 0x9e3779b97f4a7c15 >> 32)
}

// smallObjectKeys bounds the member count up to which duplicates are found by comparing every
// pair (at most 120 comparisons, no hashing); above it the seeded hash table is built.
const smallObjectKeys = 16

// hasDuplicate reports a repeated member name within one object.
func (s *jsonScan) hasDuplicate() bool {
	if len(s.keys) <= smallObjectKeys {
		return s.hasDuplicateSmall()
	}
	size := 8
	for size < 2*len(s.keys) {
		size <<= 1
	}
	if cap(s.table) < size {
		s.table = make([]int32, size)
	}
	s.table = s.table[:size]
	for i := range s.table {
		s.table[i] = -1
	}
	mask := uint32(size - 1)
	for i := range s.keys {
		k := &s.keys[i]
		nm := s.name(k)
		for p := keyHash(k.obj, nm) & mask; ; p = (p + 1) & mask {
			j := s.table[p]
			if j < 0 {
				s.table[p] = int32(i)
				break
			}
			o := &s.keys[j]
			if o.obj == k.obj && string(s.name(o)) == string(nm) {
				return true
			}
		}
	}
	return false
}

// hasDuplicateSmall compares every pair of members of the same object, first by length and
// their first 8 bytes (enough for names up to 8 bytes), then in full.
func (s *jsonScan) hasDuplicateSmall() bool {
	keys := s.keys
	for i := 1; i < len(keys); i++ {
		k := &keys[i]
		kl := k.end - k.start
		for j := 0; j < i; j++ {
			o := &keys[j]
			if o.head == k.head && o.obj == k.obj && o.end-o.start == kl &&
				(kl <= 8 || string(s.name(o)) == string(s.name(k))) {
				return true
			}
		}
	}
	return false
}

// top returns the raw value of the top-level member name after a successful scan (any name;
// jwtcore's own members are read with member).
func (s *jsonScan) top(name string) ([]byte, bool) {
	if len(s.table) == 0 {
		for i := range s.keys {
			k := &s.keys[i]
			if k.obj == s.root && string(s.name(k)) == name {
				return s.data[k.vStart:k.vEnd], true
			}
		}
		return nil, false
	}
	mask := uint32(len(s.table) - 1)
	for p := keyHashString(s.root, name) & mask; ; p = (p + 1) & mask {
		j := s.table[p]
		if j < 0 {
			return nil, false
		}
		k := &s.keys[j]
		if k.obj == s.root && string(s.name(k)) == name {
			return s.data[k.vStart:k.vEnd], true
		}
	}
}
