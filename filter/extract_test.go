package filter

import (
	"strings"
	"testing"
)

func Test_extractTokens(t *testing.T) {
	bearer := tokenSource{kind: sourceHeader, name: "authorization", prefix: "Bearer "}
	raw := tokenSource{kind: sourceHeader, name: "x-token"}
	query := tokenSource{kind: sourceQuery, name: "access_token"}
	cookie := tokenSource{kind: sourceCookie, name: "at"}
	all := []tokenSource{bearer, raw, query, cookie}
	tests := []struct {
		name    string
		headers [][2]string
		query   string
		want    []foundToken
	}{
		{name: "nothing"},
		{name: "bearer", headers: [][2]string{{"authorization", "Bearer a.b.c"}},
			want: []foundToken{{source: 0, token: "a.b.c"}}},
		{name: "bearer scheme case insensitive", headers: [][2]string{{"Authorization", "bEaReR   a.b.c  "}},
			want: []foundToken{{source: 0, token: "a.b.c"}}},
		{name: "other scheme is no token", headers: [][2]string{{"authorization", "Basic dXNlcjpwdw=="}}},
		{name: "bearer alone is malformed", headers: [][2]string{{"authorization", "Bearer"}},
			want: []foundToken{{source: 0, malformed: true}}},
		{name: "bearer and spaces is malformed", headers: [][2]string{{"authorization", "Bearer   "}},
			want: []foundToken{{source: 0, malformed: true}}},
		{name: "bearer and a tab", headers: [][2]string{{"authorization", "Bearer\ta.b.c"}},
			want: []foundToken{{source: 0, token: "a.b.c"}}},
		{name: "bearer and a tab alone is malformed", headers: [][2]string{{"authorization", "Bearer\t"}},
			want: []foundToken{{source: 0, malformed: true}}},
		{name: "bearer and a separator is a bad token", headers: [][2]string{{"authorization", "Bearer,a.b.c"}},
			want: []foundToken{{source: 0, token: ",a.b.c"}}},
		{name: "bearer and a vertical tab is a bad token", headers: [][2]string{{"authorization", "Bearer\va.b.c"}},
			want: []foundToken{{source: 0, token: "\va.b.c"}}},
		{name: "a longer scheme name is another scheme", headers: [][2]string{{"authorization", "Bearerx a.b.c"}}},
		// Legacy parsers split a query on ';' and cookies on ',': a token hidden there counts as present
		// and malformed (the request fails closed), beside the token the RFC split finds.
		{name: "query token hidden behind ';'", query: "x=1;access_token=EVIL",
			want: []foundToken{{source: 2, malformed: true}}},
		{name: "query token hidden behind ';' with an encoded name", query: "access_token=a.b.c&x=1;access%5Ftoken=EVIL",
			want: []foundToken{{source: 2, token: "a.b.c"}, {source: 2, malformed: true}}},
		{name: "cookie token hidden behind ','", headers: [][2]string{{"cookie", "at=a.b.c; x=1, at=EVIL"}},
			want: []foundToken{{source: 3, token: "a.b.c"}, {source: 3, malformed: true}}},
		{name: "cookie with a control byte is malformed", headers: [][2]string{{"cookie", "at=a.b.c; x=\x00"}},
			want: []foundToken{{source: 3, token: "a.b.c"}, {source: 3, malformed: true}}},
		{name: "';' and ',' elsewhere are harmless", query: "q=a;b&r=c,d", headers: [][2]string{{"cookie", "x=1,2; y=a;b"}}},
		{name: "two authorization headers", headers: [][2]string{{"authorization", "Bearer one"}, {"authorization", "Bearer two"}},
			want: []foundToken{{source: 0, token: "one"}, {source: 0, token: "two"}}},
		{name: "raw header", headers: [][2]string{{"x-token", " t.o.k "}},
			want: []foundToken{{source: 1, token: "t.o.k"}}},
		{name: "raw header empty", headers: [][2]string{{"x-token", ""}},
			want: []foundToken{{source: 1, malformed: true}}},
		{name: "query", query: "a=1&access_token=q.r.s&b",
			want: []foundToken{{source: 2, token: "q.r.s"}}},
		{name: "query escaped", query: "access%5Ftoken=q%2Er.s",
			want: []foundToken{{source: 2, token: "q.r.s"}}},
		{name: "query bad escape", query: "access_token=q%zz",
			want: []foundToken{{source: 2, malformed: true}}},
		{name: "query empty value", query: "access_token=",
			want: []foundToken{{source: 2, malformed: true}}},
		{name: "query name is exact", query: "Access_Token=x&access_tokens=y"},
		{name: "cookie", headers: [][2]string{{"cookie", "a=1; at=c.d.e; b=2"}},
			want: []foundToken{{source: 3, token: "c.d.e"}}},
		{name: "cookie quoted", headers: [][2]string{{"cookie", `at="c.d.e"`}},
			want: []foundToken{{source: 3, token: "c.d.e"}}},
		{name: "cookie split headers", headers: [][2]string{{"cookie", "a=1"}, {"cookie", "at=x.y.z"}},
			want: []foundToken{{source: 3, token: "x.y.z"}}},
		{name: "cookie name exact", headers: [][2]string{{"cookie", "AT=1; att=2"}}},
		{name: "everywhere in source order",
			headers: [][2]string{{"cookie", "at=4"}, {"x-token", "2"}, {"authorization", "Bearer 1"}},
			query:   "access_token=3",
			want: []foundToken{{source: 0, token: "1"}, {source: 1, token: "2"},
				{source: 2, token: "3"}, {source: 3, token: "4"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			equal(t, "tokens", extractTokens(nil, all, tc.headers, tc.query), tc.want)
		})
	}
}

func Test_withoutQueryParams(t *testing.T) {
	tests := []struct {
		name, query, want string
		names             []string
	}{
		{name: "only param", query: "access_token=x", names: []string{"access_token"}, want: ""},
		{name: "middle", query: "a=1&access_token=x&b=%41", names: []string{"access_token"}, want: "a=1&b=%41"},
		{name: "repeated", query: "access_token=x&a&access_token=y", names: []string{"access_token"}, want: "a"},
		{name: "escaped name", query: "access%5Ftoken=x&a=1", names: []string{"access_token"}, want: "a=1"},
		{name: "untouched", query: "a=1&&b", names: []string{"t"}, want: "a=1&b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			equal(t, "query", withoutQueryParams(tc.query, tc.names), tc.want)
		})
	}
}

func Test_withoutCookies(t *testing.T) {
	tests := []struct {
		name    string
		headers [][2]string
		names   []string
		want    string
	}{
		{name: "only cookie", headers: [][2]string{{"cookie", "at=x"}}, names: []string{"at"}, want: ""},
		{name: "keeps others", headers: [][2]string{{"cookie", "a=1;at=x;  b=\"2\""}}, names: []string{"at"}, want: `a=1; b="2"`},
		{name: "joins headers", headers: [][2]string{{"cookie", "a=1"}, {"x", "y"}, {"Cookie", "at=x; c=3"}}, names: []string{"at"}, want: "a=1; c=3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			equal(t, "cookie", withoutCookies(tc.headers, tc.names), tc.want)
		})
	}
}

func Test_tokenSource_String(t *testing.T) {
	equal(t, "header", defaultTokenSource.String(), "header authorization")
	equal(t, "query", tokenSource{kind: sourceQuery, name: "t"}.String(), "query t")
	equal(t, "cookie", tokenSource{kind: sourceCookie, name: "c"}.String(), "cookie c")
}

// Test_trimBlanks compares the blank trimmers with strings.Trim* and cutset " \t" on every
// string of up to five bytes drawn from ' ', '\t', 'a', '\n' and 0xa0 (a non-ASCII byte).
func Test_trimBlanks(t *testing.T) {
	const alphabet = " \ta\n\xa0"
	var gen func(s string, n int)
	checked := 0
	gen = func(s string, n int) {
		checked++
		if got, want := trimBlanks(s), strings.Trim(s, " \t"); got != want {
			t.Fatalf("trimBlanks(%q) = %q, want %q", s, got, want)
		}
		if got, want := trimBlanksLeft(s), strings.TrimLeft(s, " \t"); got != want {
			t.Fatalf("trimBlanksLeft(%q) = %q, want %q", s, got, want)
		}
		if got, want := trimBlanksRight(s), strings.TrimRight(s, " \t"); got != want {
			t.Fatalf("trimBlanksRight(%q) = %q, want %q", s, got, want)
		}
		if n == 0 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			gen(s+alphabet[i:i+1], n-1)
		}
	}
	gen("", 5)
	if checked != 1+5+25+125+625+3125 {
		t.Fatalf("checked %d strings", checked)
	}
}

func Test_sameHeaderName(t *testing.T) {
	tests := []struct {
		name string
		h    string
		want bool
	}{
		{name: "exact", h: "authorization", want: true},
		{name: "mixed case", h: "Authorization", want: true},
		{name: "upper case", h: "AUTHORIZATION", want: true},
		{name: "longer", h: "authorizations", want: false},
		{name: "shorter", h: "authorizatio", want: false},
		{name: "same length, other name", h: "authorizatiom", want: false},
		{name: "empty", h: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameHeaderName(tt.h, "authorization"); got != tt.want {
				t.Fatalf("sameHeaderName(%q) = %v", tt.h, got)
			}
		})
	}
}

// Test_walkCookies_foldedName: a Cookie header is found by any name strings.EqualFold takes for
// "cookie", including one of another length ("coo\u212aie", the Kelvin sign folding to 'k').
func Test_walkCookies_foldedName(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   bool
	}{
		{name: "lower case", header: "cookie", want: true},
		{name: "mixed case", header: "Cookie", want: true},
		{name: "kelvin sign", header: "coo\u212aie", want: true},
		{name: "eight bytes, other name", header: "cookies!", want: false},
		{name: "other name", header: "accept", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := false
			walkCookies([][2]string{{tt.header, "at=x"}}, func(_, _, _ string) { got = true })
			if got != tt.want || got != strings.EqualFold(tt.header, "cookie") {
				t.Fatalf("cookie header %q found: %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}
