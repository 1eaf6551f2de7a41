package jwtcore

import (
	"reflect"
	"testing"

	"github.com/tidwall/gjson"
)

// tvGetPaths are the paths compared between Claims.Get and gjson.Get: plain member names
// (answered from the member index), absent ones, and paths gjson answers itself.
var tvGetPaths = []string{"iss", "sub", "aud", "exp", "scope", "scp", "a", "b", "x-y", "x_y", "0", "n",
	"roles", "nope", "A", "a.b", "a.sub", "roles.0", "roles.#", "sub|@reverse", "s*b", "", "é"}

// tvCheckGet fails unless c.Get(path) equals gjson.Get on the raw payload for every path in
// tvGetPaths and every top-level member name of the payload.
func tvCheckGet(tb testing.TB, c *Claims) {
	tb.Helper()
	paths := append([]string(nil), tvGetPaths...)
	gjson.ParseBytes(c.Raw()).ForEach(func(k, _ gjson.Result) bool {
		paths = append(paths, k.Str)
		return true
	})
	for _, p := range paths {
		if got, want := c.Get(p), gjson.Get(string(c.Raw()), p); !reflect.DeepEqual(got, want) {
			tb.Fatalf("payload %s: Get(%q) = %#v, gjson.Get = %#v", c.Raw(), p, got, want)
		}
	}
}

func TestClaims_Get(t *testing.T) {
	k := utKeys(t)
	v := utVerifier(t, utAllKeysJWKS(t), Policy{Algorithms: []Alg{HS256}, AllowMissingExp: true})
	hdr := tvHeader("HS256", "oct")
	tests := []struct {
		name    string
		payload string
		indexed bool // the member index is built (no member name written with escapes)
	}{
		{name: "every type", indexed: true, payload: `{"iss":"https://i/","sub":"u-1","a":{"b":1,"sub":"inner"},"b":[1,"x",null],` +
			`"n":null,"t":true,"f":false,"exp":4102444800,"x-y":-1.5e3,"x_y":0.25,"0":"zero","scope":"read write"}`},
		{name: "whitespace", indexed: true, payload: " {\n\t\"sub\" :  \"s\" ,\r\n \"a\"\t:\t{ \"b\" : [ 1 , 2 ] } , \"n\" : null }\n"},
		{name: "escapes in values", indexed: true, payload: `{"sub":"a\"b\\c\/d\u00e9\ud83d\ude00\n","scope":"r\tw","roles":["a\u002cb","c"]}`},
		{name: "escaped member name", indexed: false, payload: `{"s\u0075b":"x","scope":"read"}`},
		{name: "unicode name", indexed: true, payload: `{"é":"accent","sub":"x"}`},
		{name: "empty object", indexed: false, payload: `{}`},
		{name: "nested names only", indexed: true, payload: `{"a":{"sub":"no","iss":"no"}}`},
		{name: "big numbers", indexed: true, payload: `{"n":123456789012345678901234567890,"b":-0,"a":1E+2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(utRaw(t, HS256, k.secret, hdr, tt.payload), utNow)
			if err != nil {
				t.Fatal(err)
			}
			if (c.top != nil) != tt.indexed {
				t.Fatalf("member index built: %t, want %t", c.top != nil, tt.indexed)
			}
			tvCheckGet(t, c)
		})
	}
}
