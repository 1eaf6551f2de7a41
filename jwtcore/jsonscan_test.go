package jwtcore

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestJSONScan_scan(t *testing.T) {
	deep := func(n int) string { return `{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}` }
	tests := []struct {
		name string
		in   string
		want scanResult
	}{
		{name: "empty object", in: `{}`, want: scanOK},
		{name: "whitespace", in: " \t\r\n{ \"a\" : [ 1 , 2 ] }\n", want: scanOK},
		{name: "all value types", in: `{"s":"x","n":-1.5e+3,"t":true,"f":false,"z":null,"o":{"a":{}},"a":[[],{}]}`, want: scanOK},
		{name: "escapes", in: `{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, want: scanOK},
		{name: "utf8 value", in: `{"s":"é✓😀"}`, want: scanOK},
		{name: "same name in different objects", in: `{"a":{"x":1},"b":{"x":1},"x":[{"x":1},{"x":2}]}`, want: scanOK},
		{name: "depth at limit", in: deep(MaxJSONDepth), want: scanOK},
		{name: "depth over limit", in: deep(MaxJSONDepth + 1), want: scanTooDeep},
		{name: "very deep", in: `{"a":` + strings.Repeat("[", 100000), want: scanTooDeep},
		{name: "duplicate top", in: `{"exp":1,"exp":2}`, want: scanDuplicate},
		{name: "duplicate via escape", in: `{"exp":1,"\u0065xp":2}`, want: scanDuplicate},
		{name: "duplicate via escaped slash", in: `{"a/b":1,"a\/b":2}`, want: scanDuplicate},
		{name: "duplicate nested", in: `{"a":{"b":1,"b":2}}`, want: scanDuplicate},
		{name: "duplicate in array element", in: `{"a":[{"b":1},{"c":1,"c":2}]}`, want: scanDuplicate},
		{name: "duplicate lone surrogates", in: `{"\ud800":1,"\udbff":2}`, want: scanDuplicate},
		{name: "names differing in case", in: `{"exp":1,"Exp":2}`, want: scanOK},
		{name: "long names differing after 8 bytes", in: `{"abcdefghX":1,"abcdefghY":2}`, want: scanOK},
		{name: "duplicate long names", in: `{"abcdefghij":1,"x":0,"abcdefghij":2}`, want: scanDuplicate},
		{name: "names differing by a trailing NUL", in: `{"a":1,"a\u0000":2}`, want: scanOK},
		{name: "escaped name and 8-byte prefix", in: `{"abcdefgh\u0041":1,"abcdefghA":2}`, want: scanDuplicate},
		{name: "duplicate after many members", in: `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1,"o":1,"p":1,"q":1,"a":2}`, want: scanDuplicate},
		{name: "many members, no duplicate", in: `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1,"o":1,"p":1,"q":1,"r":2}`, want: scanOK},
		{name: "negative zero and fractions", in: `{"a":-0,"b":0.5e-3,"c":1E5,"d":-1.25E+10,"e":[0,-0.0,10]}`, want: scanOK},
		{name: "lone minus", in: `{"a":-}`, want: scanInvalid},
		{name: "minus letter", in: `{"a":-a}`, want: scanInvalid},
		{name: "negative leading zero", in: `{"a":-01}`, want: scanInvalid},
		{name: "zero bare exponent", in: `{"a":0e}`, want: scanInvalid},
		{name: "exponent sign only", in: `{"a":1.5E+}`, want: scanInvalid},
		{name: "number then letter", in: `{"a":12x}`, want: scanInvalid},
		{name: "array top", in: `[]`, want: scanNotObject},
		{name: "string top", in: `"x"`, want: scanNotObject},
		{name: "empty", in: ``, want: scanNotObject},
		{name: "trailing garbage", in: `{}x`, want: scanInvalid},
		{name: "two objects", in: `{}{}`, want: scanInvalid},
		{name: "trailing comma", in: `{"a":1,}`, want: scanInvalid},
		{name: "array trailing comma", in: `{"a":[1,]}`, want: scanInvalid},
		{name: "missing colon", in: `{"a" 1}`, want: scanInvalid},
		{name: "unquoted key", in: `{a:1}`, want: scanInvalid},
		{name: "single quotes", in: `{'a':1}`, want: scanInvalid},
		{name: "unterminated", in: `{"a":1`, want: scanInvalid},
		{name: "unterminated string", in: `{"a":"x}`, want: scanInvalid},
		{name: "control char in string", in: "{\"a\":\"x\ny\"}", want: scanInvalid},
		{name: "bad escape", in: `{"a":"\x"}`, want: scanInvalid},
		{name: "short unicode escape", in: `{"a":"\u12"}`, want: scanInvalid},
		{name: "leading zero", in: `{"a":01}`, want: scanInvalid},
		{name: "plus number", in: `{"a":+1}`, want: scanInvalid},
		{name: "dot number", in: `{"a":.5}`, want: scanInvalid},
		{name: "trailing dot", in: `{"a":1.}`, want: scanInvalid},
		{name: "bare exponent", in: `{"a":1e}`, want: scanInvalid},
		{name: "NaN", in: `{"a":NaN}`, want: scanInvalid},
		{name: "truncated literal", in: `{"a":tru}`, want: scanInvalid},
		{name: "invalid utf8", in: "{\"a\":\"\xff\"}", want: scanInvalid},
		{name: "overlong utf8", in: "{\"a\":\"\xc0\xaf\"}", want: scanInvalid},
		{name: "NUL outside", in: "{}\x00", want: scanInvalid},
		{name: "vertical tab ws", in: "{\v}", want: scanInvalid},
		{name: "comment", in: `{/*x*/}`, want: scanInvalid},
	}
	var s jsonScan
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.scan([]byte(tt.in))
			if got != tt.want {
				t.Fatalf("scan = %d want %d", got, tt.want)
			}
			// Cross-check validity with encoding/json (which accepts duplicates and any depth).
			if tt.want == scanOK || tt.want == scanDuplicate {
				if !json.Valid([]byte(tt.in)) {
					t.Fatalf("encoding/json rejects %q", tt.in)
				}
			}
			if tt.want == scanInvalid && json.Valid([]byte(tt.in)) && !strings.Contains(tt.name, "utf8") {
				t.Fatalf("encoding/json accepts %q", tt.in)
			}
		})
	}
}

func TestJSONScan_top(t *testing.T) {
	var s jsonScan
	in := ` { "exp" : 1700000000.5 , "aud":[ "a", "b" ] ,"o":{"exp":2},"s":"x\"y" , "e\u0073c":true,"n":null } `
	if r := s.scan([]byte(in)); r != scanOK {
		t.Fatalf("scan = %d", r)
	}
	tests := []struct {
		name string
		key  string
		raw  string
		ok   bool
	}{
		{name: "number", key: "exp", raw: "1700000000.5", ok: true},
		{name: "array", key: "aud", raw: `[ "a", "b" ]`, ok: true},
		{name: "object", key: "o", raw: `{"exp":2}`, ok: true},
		{name: "string with escape", key: "s", raw: `"x\"y"`, ok: true},
		{name: "escaped name", key: "esc", raw: "true", ok: true},
		{name: "null", key: "n", raw: "null", ok: true},
		{name: "nested is not top", key: "o.exp"},
		{name: "absent", key: "nbf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, ok := s.top(tt.key)
			if ok != tt.ok || string(raw) != tt.raw {
				t.Fatalf("top(%q) = %q,%v want %q,%v", tt.key, raw, ok, tt.raw, tt.ok)
			}
		})
	}
	v, ok := s.stringValue([]byte(`"a\u00e9\n"`))
	if !ok || string(v) != "aé\n" {
		t.Fatalf("stringValue = %q,%v", v, ok)
	}
	if _, ok := s.stringValue([]byte(`5`)); ok {
		t.Fatal("stringValue accepted a number")
	}
}

// member (the scan's note of jwtcore's own top-level members) agrees with top for every known
// name, plain or escaped, present or absent, nested or not, with few or many members.
func TestJSONScan_member(t *testing.T) {
	names := map[memberID]string{memAlg: "alg", memKid: "kid", memCrit: "crit", memIss: "iss", memSub: "sub",
		memAud: "aud", memExp: "exp", memNbf: "nbf", memIat: "iat"}
	many := ""
	for i := 0; i < 20; i++ {
		many += `"m` + strconv.Itoa(i) + `":` + strconv.Itoa(i) + `,`
	}
	tests := []struct {
		name string
		in   string
	}{
		{name: "payload", in: `{"iss":"a","sub":"b","aud":["c"],"exp":1,"nbf":2,"iat":3,"jti":"x"}`},
		{name: "header", in: `{"alg":"HS256","kid":"k","crit":["x"],"typ":"JWT"}`},
		{name: "escaped names", in: `{"\u0069ss":"a","s\u0075b":"b","au\u0064":1,"\u0063rit":[]}`},
		{name: "nested only", in: `{"o":{"iss":"a","exp":1},"a":[{"alg":"x"}]}`},
		{name: "near names", in: `{"is":"a","isss":"b","Iss":"c","crit2":1,"cri":2}`},
		{name: "many members", in: `{` + many + `"exp":5,"iss":"z"}`},
		{name: "empty", in: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s jsonScan
			if r := s.scan([]byte(tt.in)); r != scanOK {
				t.Fatalf("scan = %d", r)
			}
			for id := memberID(0); id < memberIDs; id++ {
				got, gok := s.member(id)
				want, wok := s.top(names[id])
				if gok != wok || string(got) != string(want) {
					t.Errorf("member(%s) = %q,%v; top = %q,%v", names[id], got, gok, want, wok)
				}
			}
		})
	}
}

// Duplicate detection gives the same answer as a map of names on flat objects of 1 to 40
// members (either side of smallObjectKeys), names drawn from a small set so that repeats occur.
func TestJSONScan_scan_DuplicatesMatchMap(t *testing.T) {
	pool := []string{"a", "b", "iss", "exp", "abcdefgh", "abcdefghi", "abcdefghj", "x\\u0041", "xA", "\\u0078A"}
	decoded := []string{"a", "b", "iss", "exp", "abcdefgh", "abcdefghi", "abcdefghj", "xA", "xA", "xA"}
	var s jsonScan
	seed := uint32(1)
	var outcomes [2]int // without, with a duplicate
	for n := 1; n <= 40; n++ {
		for trial := 0; trial < 30; trial++ {
			var b strings.Builder
			seen := map[string]bool{}
			dup := false
			b.WriteByte('{')
			for i := 0; i < n; i++ {
				seed = seed*1103515245 + 12345
				k := int(seed>>16) % len(pool)
				name, dec := pool[k], decoded[k]
				if (seed>>8)%3 != 0 { // mostly unique names
					name = "u" + strconv.Itoa(i) + name
					dec = "u" + strconv.Itoa(i) + dec
				}
				if seen[dec] {
					dup = true
				}
				seen[dec] = true
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + name + `":` + strconv.Itoa(i))
			}
			b.WriteByte('}')
			want := scanOK
			if dup {
				want = scanDuplicate
				outcomes[1]++
			} else {
				outcomes[0]++
			}
			if got := s.scan([]byte(b.String())); got != want {
				t.Fatalf("%s: scan = %d, want %d", b.String(), got, want)
			}
		}
	}
	if outcomes[0] < 100 || outcomes[1] < 100 {
		t.Fatalf("generated %d objects without and %d with a duplicate: too few of one kind", outcomes[0], outcomes[1])
	}
}

func TestJSONScan_scan_NoAllocsWhenWarm(t *testing.T) {
	var s jsonScan
	in := []byte(`{"iss":"https://issuer.example/","aud":["a","b"],"exp":1700000000,"scope":"read write","o":{"x":[1,2,{"y":null}]}}`)
	s.scan(in)
	if got := testing.AllocsPerRun(100, func() { s.scan(in) }); got != 0 {
		t.Fatalf("allocs/op = %v", got)
	}
}

func TestNumericDate(t *testing.T) {
	const max, min = int64(^uint64(0) >> 1), -int64(^uint64(0)>>1) - 1
	tests := []struct {
		name string
		raw  string
		want int64
		ok   bool
	}{
		{name: "int", raw: "1700000000", want: 1700000000e9, ok: true},
		{name: "zero", raw: "0", want: 0, ok: true},
		{name: "negative", raw: "-1", want: -1e9, ok: true},
		{name: "fraction", raw: "1.5", want: 1.5e9, ok: true},
		{name: "exponent", raw: "17e8", want: 1.7e18, ok: true},
		{name: "huge int saturates", raw: "99999999999999999999999", want: max, ok: true},
		{name: "huge negative saturates", raw: "-99999999999999999999999", want: min, ok: true},
		{name: "huge float saturates", raw: "1e400", want: max, ok: true},
		{name: "max seconds", raw: "9223372036", want: 9223372036e9, ok: true},
		{name: "max seconds + 1 saturates", raw: "9223372037", want: max, ok: true},
		{name: "string", raw: `"1700000000"`},
		{name: "bool", raw: "true"},
		{name: "null", raw: "null"},
		{name: "array", raw: "[1]"},
		{name: "object", raw: "{}"},
		{name: "empty", raw: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := numericDate([]byte(tt.raw))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("numericDate(%s) = %d,%v want %d,%v", tt.raw, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// publicFNV is the member-name hash jwtcore once used (FNV-1a, unkeyed): anyone can compute it, so
// anyone can choose member names that all land in one bucket of the duplicate table.
func publicFNV(obj int32, name string) uint32 {
	h := uint32(2166136261) ^ uint32(obj)*0x9e3779b1
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return h
}

// collidingObject returns a JSON object of n top-level members whose names share their bucket
// under publicFNV with a table of size buckets.
func collidingObject(n int, buckets uint32) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, found := 0, 0; found < n; i++ {
		name := strconv.FormatInt(int64(i), 36)
		if publicFNV(0, name)&(buckets-1) != 0 {
			continue
		}
		if found > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + name + `":0`)
		found++
	}
	b.WriteByte('}')
	return b.String()
}

// The duplicate table's work must stay linear in the number of members whatever the names: a
// token's payload is scanned before any signature check (Peek routes by iss), so names chosen to
// collide would otherwise cost quadratic work per request for free (600 members of an 8 KiB token:
// ~10x a plain scan; 4000 of a 64 KiB one: ~100x, tens of ms natively, more in wasm).
func TestJSONScan_hasDuplicate_collidingNames(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "600 names colliding under public FNV-1a", in: collidingObject(600, 2048)},
		{name: "4000 names colliding under public FNV-1a", in: collidingObject(4000, 8192)},
		{name: "ordinary names", in: `{"iss":"a","sub":"b","aud":["c"],"exp":1,"nbf":1,"iat":1,"jti":"x","scope":"r w"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s jsonScan
			if r := s.scan([]byte(tt.in)); r != scanOK {
				t.Fatalf("scan = %d, want scanOK", r)
			}
			// Total displacement of the members from their home bucket: the probes of all insertions.
			mask := uint32(len(s.table) - 1)
			probes := 0
			for p, j := range s.table {
				if j < 0 {
					continue
				}
				k := &s.keys[j]
				probes += int((uint32(p) - keyHash(k.obj, s.name(k))) & mask)
			}
			if limit := 8*len(s.keys) + 64; probes > limit {
				t.Errorf("%d members took %d probes, want at most %d", len(s.keys), probes, limit)
			}
			for _, name := range []string{"iss", "exp", "0", "1a", "zz"} {
				want := strings.Contains(tt.in, `"`+name+`":`)
				if _, got := s.top(name); got != want {
					t.Errorf("top(%q) found = %v, want %v", name, got, want)
				}
			}
		})
	}
}

// plainEnd (8 bytes per step) stops where a byte loop over strPlain stops, for every byte value
// at every position of buffers of 0 to 20 bytes, from every start.
func Test_plainEnd(t *testing.T) {
	for n := 0; n <= 20; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("aé~ ", 6)[:n])
				b[pos] = byte(c)
				for from := 0; from <= n; from++ {
					want := from
					for want < n && strPlain[b[want]] {
						want++
					}
					if got := plainEnd(b, from); got != want {
						t.Fatalf("plainEnd(%q, %d) = %d, want %d", b, from, got, want)
					}
				}
			}
		}
	}
}
