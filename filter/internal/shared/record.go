package shared

import (
	"encoding/binary"
	"errors"
	"time"
)

// The two records of a key, as stored in shared data. Both are small binary
// encodings (a magic, then varints and length-prefixed strings) so a tick can
// read the state of every key cheaply. A record that does not decode is
// treated as absent and overwritten (under CAS) by the next writer.

// state is the coordination record, key + stateSuffix.
type state struct {
	version     uint64    // last published version (0: none yet)
	freshUntil  time.Time // of the published version
	usableUntil time.Time // of the published version
	attempts    uint64    // finished attempts, successful or not
	failures    uint32    // consecutive failed attempts
	nextAt      time.Time // no attempt before this (backoff); zero: any time
	forcedAt    time.Time // start of the last on-demand attempt (cooldown)
	owner       string    // lease holder (VM id); "" when free
	leaseID     uint64    // the holder's lease number
	leaseUntil  time.Time // the lease is void after this
	lastErr     string    // last failure, short text ("" after a success)
}

// value is the published record, key itself.
type value struct {
	version     uint64
	fetchedAt   time.Time
	freshUntil  time.Time
	usableUntil time.Time
	payload     []byte
}

const (
	stateSuffix  = "#s"
	stateMagic   = "TGs1"
	valueMagic   = "TGv1"
	maxOwnerLen  = 64
	maxErrLen    = 256
	maxRecordLen = 16 << 20
)

var errCorrupt = errors.New("shared: corrupt record")

// leased reports whether a lease is held at now.
func (s *state) leased(now time.Time) bool {
	return s.owner != "" && now.Before(s.leaseUntil)
}

func (s *state) encode() []byte {
	b := make([]byte, 0, 64+len(s.owner)+len(s.lastErr))
	b = append(b, stateMagic...)
	b = binary.AppendUvarint(b, s.version)
	b = appendTime(b, s.freshUntil)
	b = appendTime(b, s.usableUntil)
	b = binary.AppendUvarint(b, s.attempts)
	b = binary.AppendUvarint(b, uint64(s.failures))
	b = appendTime(b, s.nextAt)
	b = appendTime(b, s.forcedAt)
	b = appendString(b, clip(s.owner, maxOwnerLen))
	b = binary.AppendUvarint(b, s.leaseID)
	b = appendTime(b, s.leaseUntil)
	return appendString(b, clip(s.lastErr, maxErrLen))
}

func decodeState(b []byte) (state, error) {
	var s state
	d := decoder{b: b}
	d.magic(stateMagic)
	s.version = d.uvarint()
	s.freshUntil = d.time()
	s.usableUntil = d.time()
	s.attempts = d.uvarint()
	f := d.uvarint()
	if f > 1<<31 {
		d.bad = true
	}
	s.failures = uint32(f)
	s.nextAt = d.time()
	s.forcedAt = d.time()
	s.owner = d.string(maxOwnerLen)
	s.leaseID = d.uvarint()
	s.leaseUntil = d.time()
	s.lastErr = d.string(maxErrLen)
	if d.bad || len(d.b) != 0 {
		return state{}, errCorrupt
	}
	return s, nil
}

func (v *value) encode() []byte {
	b := make([]byte, 0, 48+len(v.payload))
	b = append(b, valueMagic...)
	b = binary.AppendUvarint(b, v.version)
	b = appendTime(b, v.fetchedAt)
	b = appendTime(b, v.freshUntil)
	b = appendTime(b, v.usableUntil)
	b = binary.AppendUvarint(b, uint64(len(v.payload)))
	return append(b, v.payload...)
}

func decodeValue(b []byte) (value, error) {
	var v value
	d := decoder{b: b}
	d.magic(valueMagic)
	v.version = d.uvarint()
	v.fetchedAt = d.time()
	v.freshUntil = d.time()
	v.usableUntil = d.time()
	n := d.uvarint()
	if d.bad || n != uint64(len(d.b)) || n > maxRecordLen {
		return value{}, errCorrupt
	}
	v.payload = append([]byte(nil), d.b...)
	return v, nil
}

// Times are stored as Unix nanoseconds; 0 is the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, 0)
	}
	return binary.AppendVarint(b, t.UnixNano())
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// decoder reads a record; any fault sets bad and later reads return zeros.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) magic(m string) {
	if len(d.b) < len(m) || string(d.b[:len(m)]) != m {
		d.bad = true
		return
	}
	d.b = d.b[len(m):]
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) time() time.Time {
	if d.bad {
		return time.Time{}
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return time.Time{}
	}
	d.b = d.b[n:]
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

func (d *decoder) string(max int) string {
	n := d.uvarint()
	if d.bad || n > uint64(max) || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
