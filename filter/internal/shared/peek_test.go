package shared

import "testing"

func TestPeek(t *testing.T) {
	p := newProxy(t, 2)
	h := p.hosts[1]
	if _, ok := Peek(h, "k"); ok {
		t.Fatal("Peek of a missing key: ok")
	}
	p.slot("k", fetcher(), basePolicy)
	if _, ok := Peek(h, "k"); ok {
		t.Fatal("Peek before any publish: ok (version 0 is no value)")
	}
	if out, _ := p.slots[0].Await(0, false, func() {}); out != Pending {
		t.Fatalf("Await = %v", out)
	}
	p.hosts[0].respond(t, ok("K1"))
	v, ok := Peek(h, "k")
	if !ok || v.Version != 1 || string(v.Payload) != "K1" || !v.Usable(p.clk.now) {
		t.Fatalf("Peek after publish = %+v, %v", v, ok)
	}
	before := p.st.sets
	Peek(h, "k")
	if p.st.sets != before {
		t.Fatalf("Peek wrote shared data (%d -> %d sets)", before, p.st.sets)
	}
	p.st.m["bad"] = rec{v: []byte("TGv1garbage"), cas: 99}
	if _, ok := Peek(h, "bad"); ok {
		t.Fatal("Peek of a corrupt record: ok")
	}
}
