package jwtcore

// Stage benchmarks: where a HS256 verification's time goes besides the MAC. They are meant to run
// inside wasm too (see the Makefile's bench-wasm), where calls and memory traffic cost most:
//
//	GOOS=wasip1 GOARCH=wasm go test -c -o /tmp/jwtcore.test ./jwtcore
//	wasmrun /tmp/jwtcore.test -test.run '^$' -test.bench 'BenchmarkStage' -test.benchmem
//
// BenchmarkStage/HMAC is the signature check alone, so Verify minus HMAC is the rest.

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// stBenchFixture is the HS256 fixture of BenchmarkVerify, split into its segments.
type stBenchFixture struct {
	*tvBenchFixture
	hdrSeg, paySeg, sigSeg string
	payload                []byte
}

func stNewBenchFixture(b *testing.B) *stBenchFixture {
	b.Helper()
	f := &stBenchFixture{tvBenchFixture: tvNewBenchFixture(b, "HS256")}
	f.hdrSeg, f.paySeg, f.sigSeg = tvSplit(b, f.token)
	var err error
	if f.payload, err = AppendDecodeBase64URL(nil, f.paySeg); err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkStage(b *testing.B) {
	f := stNewBenchFixture(b)
	b.Logf("payload: %d bytes (segment %d chars), header segment %d chars", len(f.payload), len(f.paySeg), len(f.hdrSeg))
	sc := new(scratch)
	stage := func(name string, body func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			body(b)
		})
	}
	stage("Base64Payload", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var ok bool
			if sc.pay, ok = appendB64(sc.pay[:0], f.paySeg); !ok {
				b.Fatal("decode failed")
			}
		}
	})
	stage("Base64Signature", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var ok bool
			if sc.sig, ok = appendB64(sc.sig[:0], f.sigSeg); !ok {
				b.Fatal("decode failed")
			}
		}
	})
	stage("UTF8Valid", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if !utf8.Valid(f.payload) {
				b.Fatal("invalid")
			}
		}
	})
	stage("GjsonValid", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if !gjson.ValidBytes(f.payload) {
				b.Fatal("invalid")
			}
		}
	})
	stage("ScanPayload", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if r := sc.pjs.scan(f.payload); r != scanOK {
				b.Fatal(r)
			}
		}
	})
	stage("ScanHeader", func(b *testing.B) {
		hdr, _ := AppendDecodeBase64URL(nil, f.hdrSeg)
		for i := 0; i < b.N; i++ {
			if r := sc.hjs.scan(hdr); r != scanOK {
				b.Fatal(r)
			}
		}
	})
	stage("ClaimChecks", func(b *testing.B) {
		v := f.core
		if r := sc.pjs.scan(f.payload); r != scanOK {
			b.Fatal(r)
		}
		now := tvNow.UnixNano()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if e := v.checkIssuer(&sc.pjs); e != nil {
				b.Fatal(e)
			}
			if _, _, e := v.checkTime(&sc.pjs, now); e != nil {
				b.Fatal(e)
			}
			if e := v.checkAudience(&sc.pjs); e != nil {
				b.Fatal(e)
			}
		}
	})
	stage("ParseJWSMemo", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, e := parseJWS(sc, f.token, &f.core.allowed, payloadJSON, f.core.headers); e != nil {
				b.Fatal(e)
			}
		}
	})
	stage("ParseJWSNoMemo", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, e := parseJWS(sc, f.token, &f.core.allowed, payloadJSON, nil); e != nil {
				b.Fatal(e)
			}
		}
	})
	stage("HMAC", func(b *testing.B) {
		j, e := parseJWS(sc, f.token, &f.core.allowed, payloadJSON, nil)
		if e != nil {
			b.Fatal(e)
		}
		k := f.core.keys.keys[0]
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if !k.verifySig(sc, j.alg, j.msg, sc.sig) {
				b.Fatal("signature rejected")
			}
		}
	})
	stage("NewClaims", func(b *testing.B) {
		k := f.core.keys.keys[0]
		for i := 0; i < b.N; i++ {
			if c := newClaims(f.payload, f.core, k, 1, true); c == nil {
				b.Fatal("nil")
			}
		}
	})
	stage("Peek", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p, err := Peek(f.token, 0)
			if err != nil {
				b.Fatal(err)
			}
			p.Release()
		}
	})
	stage("Verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := f.core.Verify(f.token, tvNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	stage("PeekVerifyPeeked", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p, err := Peek(f.token, 0)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.core.VerifyPeeked(&p, tvNow); err != nil {
				b.Fatal(err)
			}
		}
	})
	stage("HeaderLookup", func(b *testing.B) {
		seg := f.token[:strings.IndexByte(f.token, '.')]
		for i := 0; i < b.N; i++ {
			if f.core.headers.lookup(seg) == nil {
				b.Fatal("header not remembered")
			}
		}
	})
}
