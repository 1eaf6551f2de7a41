package jwtcore

import (
	"encoding/json"
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
