package jwtcore

import "sync"

// scratch is the per-verification working memory. It is pooled so that steady-state
// verification allocates only the result; natively the pool makes Verifier safe for concurrent
// use, inside a single-threaded wasm VM it simply keeps one scratch alive.
type scratch struct {
	tok    []byte // copy of the token: the JWS signing input is tok[:secondDot]
	hdr    []byte // decoded header
	pay    []byte // decoded payload
	sig    []byte // decoded signature
	sum    []byte // MAC / digest output
	der    []byte // ASN.1 form of an ECDSA signature
	hjs    jsonScan
	pjs    jsonScan
	keyBuf [maxAttempts]*key
}

// maxRetainedScratch bounds what a pooled scratch keeps between tokens.
const maxRetainedScratch = 64 << 10

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.tok) > maxRetainedScratch || cap(s.pay) > maxRetainedScratch ||
		cap(s.pjs.keys) > maxRetainedScratch/16 || cap(s.hjs.keys) > maxRetainedScratch/16 {
		return // let oversized buffers go
	}
	s.hjs.data, s.pjs.data = nil, nil
	s.keyBuf = [maxAttempts]*key{}
	scratchPool.Put(s)
}
