package filter

import "github.com/tokengate/tokengate/filter/internal/shared"

// The parts of a native stand-in for one Envoy proxy that the remote-keys,
// introspection and upstream-token tests share.

// fakeSharedData is one proxy's shared data: one store that every VM sees,
// with a CAS per key checked as proxy_set_shared_data does (0 skips it).
type fakeSharedData struct {
	data    map[string][]byte
	cas     map[string]uint32
	lastCas uint32
}

func newFakeSharedData() fakeSharedData {
	return fakeSharedData{data: map[string][]byte{}, cas: map[string]uint32{}}
}

func (s *fakeSharedData) GetSharedData(key string) ([]byte, uint32, error) {
	v, ok := s.data[key]
	if !ok {
		return nil, 0, shared.ErrNotFound
	}
	return append([]byte(nil), v...), s.cas[key], nil
}

func (s *fakeSharedData) SetSharedData(key string, v []byte, cas uint32) error {
	if cur, ok := s.cas[key]; ok && cas != 0 && cas != cur {
		return shared.ErrCasMismatch
	}
	s.lastCas++
	s.data[key], s.cas[key] = append([]byte(nil), v...), s.lastCas
	return nil
}

// fakeCallQueue holds the answers of http calls until the test delivers them,
// as the host's event loop would: never inside the guest call that made them.
type fakeCallQueue struct {
	pending []func()
}

// later queues an answer.
func (q *fakeCallQueue) later(answer func()) { q.pending = append(q.pending, answer) }

// deliver runs every queued answer, and those the answers queue, in order.
func (q *fakeCallQueue) deliver() {
	for len(q.pending) > 0 {
		f := q.pending[0]
		q.pending = q.pending[1:]
		f()
	}
}
