package peer

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tokengate/tokengate/testenv"
)

// BenchmarkPeer_Speed measures, in one run:
//
//   - HAProxy (seed configuration, one thread): CPU per request (utime+stime of the haproxy
//     process from /proc/<pid>/stat around N requests, divided by N) on /rs (RS256 verify and
//     claims), /hs (HS256 and claims) and /claims (the claims checks alone), minus the same
//     figure on /none (no JWT work: HTTP parsing, the response, the connection) measured
//     interleaved with them; N is PEER_HAPROXY_REQUESTS (default 20000 per path);
//   - tokengate's .wasm under testenv, per request (stream create, request headers, response
//     headers, done/log/delete): an RS256 and an HS256 cache miss (64 rotating tokens, a
//     one-entry cache) and a cache hit (one token),
//
// and reports tokengate's ns/op beside HAProxy's figure and their ratio (x-haproxy < 1 means
// tokengate spends less). Nothing is asserted about the timings.
func BenchmarkPeer_Speed(b *testing.B) {
	p := startPeers(b, false)
	wasm, err := ReadWasm()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	rsToks, hsToks := benchTokens(p, now, 64)

	n := 20000
	if v := os.Getenv("PEER_HAPROXY_REQUESTS"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("PEER_HAPROXY_REQUESTS=%q: want an integer >= 1000", v)
		}
	}
	hp := measureHAProxy(b, p, n, map[string][]string{"/none": rsToks, "/claims": rsToks, "/rs": rsToks, "/hs": hsToks})
	b.Logf("haproxy CPU per request over %d requests per path: baseline /none %.1f µs; above it: RS256 %.1f µs, HS256 %.1f µs, claims only %.1f µs",
		n, us(hp["/none"]), us(hp["/rs"]), us(hp["/hs"]), us(hp["/claims"]))

	missCfg := TokengateConfig(p.policy, 1)
	hitCfg := TokengateConfig(p.policy, 4096)
	cases := []struct {
		name   string
		cfg    []byte
		toks   []string
		ref    string // HAProxy path to compare with
		metric string // tokengate metric that must count every request
	}{
		{name: "tokengate_rs256_miss", cfg: missCfg, toks: rsToks, ref: "/rs", metric: "tokengate.cache_miss"},
		{name: "tokengate_hs256_miss", cfg: missCfg, toks: hsToks, ref: "/hs", metric: "tokengate.cache_miss"},
		{name: "tokengate_cache_hit_vs_rs256", cfg: hitCfg, toks: rsToks[:1], ref: "/rs", metric: "tokengate.cache_hit"},
		{name: "tokengate_cache_hit_vs_claims", cfg: hitCfg, toks: rsToks[:1], ref: "/claims", metric: "tokengate.cache_hit"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			env := testenv.New(b, wasm, testenv.PluginConfig(c.cfg), testenv.StartTime(now))
			reqs := make([][][2]string, len(c.toks))
			for i, t := range c.toks {
				reqs[i] = [][2]string{{":method", "GET"}, {":path", "/api/items"}, {":authority", "api.mywebsite.com"},
					{":scheme", "http"}, {"user-agent", "peer-bench"}, {"accept", "*/*"}, {"authorization", "Bearer " + t}}
			}
			resp := [][2]string{{":status", "200"}, {"content-length", "0"}}
			run := func(i int) {
				s := env.NewStream()
				if act := s.RequestHeaders(reqs[i%len(reqs)], true); act != testenv.ActionContinue {
					if lr := s.LocalResponse(); lr != nil {
						b.Fatalf("request denied: %d %s", lr.StatusCode, lr.Body)
					}
					b.Fatalf("request not forwarded: %v", act)
				}
				s.ResponseHeaders(resp, true)
				s.Complete()
			}
			for i := range reqs { // warm-up: compile paths, fill the hit cache
				run(i)
			}
			before, _ := env.Metric(c.metric)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run(i)
			}
			b.StopTimer()
			after, _ := env.Metric(c.metric)
			if after-before != int64(b.N) {
				b.Fatalf("%s rose by %d over %d requests: the benchmark does not measure what it says", c.metric, after-before, b.N)
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			ref := float64(hp[c.ref].Nanoseconds())
			b.ReportMetric(ref/1e3, "haproxy-µs/req")
			b.ReportMetric(perOp/ref, "x-haproxy")
		})
	}
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// benchTokens mints n valid RS256 and n valid HS256 tokens with read scope.
func benchTokens(p *peers, now time.Time, n int) (rs, hs []string) {
	for i := 0; i < n; i++ {
		cl := map[string]any{"iss": p.policy.RSIssuer, "sub": fmt.Sprintf("bench-%d@clients", i), "aud": p.policy.Audience,
			"iat": now.Unix() - 60, "exp": now.Unix() + 3600, "scope": "read write", "gty": "client-credentials"}
		rs = append(rs, Compact(`{"alg":"RS256","typ":"JWT"}`, JSON(cl), p.keys.SignRS256))
		cl["iss"] = p.policy.HSIssuer
		hs = append(hs, Compact(`{"alg":"HS256","typ":"JWT"}`, JSON(cl), func(in string) []byte { return SignHS256([]byte(p.keys.HMAC), in) }))
	}
	return rs, hs
}

// measureHAProxy sends n GET requests to each path of HAProxy's bench frontend (tokens rotate),
// in 4 interleaved rounds, and returns each path's CPU per request; every path but /none is
// returned minus /none's. Every response must be 200 (a denial would measure the wrong path).
func measureHAProxy(b *testing.B, p *peers, n int, paths map[string][]string) map[string]time.Duration {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
	defer client.CloseIdleConnections()
	order := []string{"/none", "/claims", "/rs", "/hs"}
	cpu := map[string]time.Duration{}
	const rounds = 4
	sent := map[string]int{}
	for r := 0; r < rounds; r++ {
		for j := range order {
			path := order[(j+r)%len(order)]
			toks := paths[path]
			k := n / rounds
			before, err := CPUTime(p.haproxy.Pid())
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < k; i++ {
				req, _ := http.NewRequest("GET", p.hpBench+path, nil)
				req.Header.Set("Authorization", "Bearer "+toks[(sent[path]+i)%len(toks)])
				resp, err := client.Do(req)
				if err != nil {
					b.Fatalf("haproxy %s: %v", path, err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("haproxy %s: status %d, want 200 (the token must pass every check)", path, resp.StatusCode)
				}
			}
			after, err := CPUTime(p.haproxy.Pid())
			if err != nil {
				b.Fatal(err)
			}
			cpu[path] += after - before
			sent[path] += k
		}
	}
	out := map[string]time.Duration{}
	base := cpu["/none"] / time.Duration(sent["/none"])
	out["/none"] = base
	for _, path := range order[1:] {
		out[path] = cpu[path]/time.Duration(sent[path]) - base
	}
	return out
}
