package testenv

import (
	"strconv"
	"strings"
)

// ringSize is how many ABI crossings a trap report shows.
const ringSize = 48

// ringEntry is one ABI crossing: a call into the guest (guest=true) or a host call. It is stored
// raw and rendered only when a trap is reported, so recording costs no allocation.
type ringEntry struct {
	guest     bool
	fn        int // export index, or host function index
	nargs     uint8
	args      [12]uint64
	hasResult bool
	result    uint64
}

type ring struct {
	buf  [ringSize]ringEntry
	next uint64
}

func (r *ring) push(guest bool, fn int, args []uint64) int {
	i := int(r.next % ringSize)
	r.next++
	e := &r.buf[i]
	e.guest, e.fn, e.hasResult = guest, fn, false
	e.nargs = uint8(copy(e.args[:], args))
	return i
}

func (r *ring) guestCall(ex int, args []uint64) int { return r.push(true, ex, args) }

func (r *ring) hostCall(fn int, args []uint64) int { return r.push(false, fn, args) }

func (r *ring) setResult(i int, v uint64) {
	r.buf[i].hasResult = true
	r.buf[i].result = v
}

// render prints the recorded crossings oldest first, in wazero's logging-listener form.
func (r *ring) render() string {
	var b strings.Builder
	start := uint64(0)
	if r.next > ringSize {
		start = r.next - ringSize
	}
	for n := start; n < r.next; n++ {
		e := &r.buf[n%ringSize]
		var mod, name, res string
		var params []string
		var kinds []pkind
		if e.guest {
			mod, name, params, res = "guest", exportNames[e.fn], exportParams[e.fn], exportResult[e.fn]
		} else {
			f := hostFuncs[e.fn]
			mod, name, res = f.module, f.name, f.result
			params = make([]string, len(f.params))
			kinds = make([]pkind, len(f.params))
			for i, p := range f.params {
				params[i], kinds[i] = p.name, p.kind
			}
		}
		b.WriteString("==> " + mod + "." + name + "(")
		for i := 0; i < int(e.nargs); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			if i < len(params) {
				b.WriteString(params[i] + "=")
			}
			v := e.args[i]
			if i < len(kinds) && kinds[i] != kI64 {
				v = uint64(uint32(v)) // wazero leaves garbage in the upper half of i32 slots
			}
			b.WriteString(strconv.FormatUint(v, 10))
		}
		b.WriteString(")\n")
		switch {
		case !e.hasResult:
			b.WriteString("<== (did not return)\n")
		case res == "":
			b.WriteString("<==\n")
		case res == "status":
			b.WriteString("<== status=" + Status(e.result).String() + "\n")
		default:
			b.WriteString("<== " + res + "=" + strconv.FormatUint(e.result, 10) + "\n")
		}
	}
	if b.Len() == 0 {
		return "(none)\n"
	}
	return b.String()
}
