package jwtcore

import (
	"math"
	"strconv"
	"unsafe"
)

// NumericDate handling (RFC 7519 §2): a JSON number of seconds since the epoch, integer or
// fractional. Anything else (string, bool, null, object, array) is malformed — never a pass.
// Values are converted to int64 nanoseconds, saturating outside ±292 years; a saturated exp
// means "far future", a saturated nbf/iat "far past" or "far future" as written.

// numericDate parses the raw JSON value of a time claim.
func numericDate(raw []byte) (int64, bool) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	isInt := true
	for _, b := range raw {
		if b == '.' || b == 'e' || b == 'E' {
			isInt = false
			break
		}
	}
	if isInt {
		neg := raw[0] == '-'
		digits := raw
		if neg {
			digits = raw[1:]
		}
		const maxSec = math.MaxInt64 / int64(1e9)
		var sec int64
		for _, d := range digits {
			if sec > maxSec {
				break
			}
			sec = sec*10 + int64(d-'0')
		}
		if sec > maxSec {
			if neg {
				return math.MinInt64, true
			}
			return math.MaxInt64, true
		}
		if neg {
			return -sec * 1e9, true
		}
		return sec * 1e9, true
	}
	// The view never escapes: ParseFloat only reads it (its error value, which would keep it,
	// is dropped here unless it is a range error, whose value we still use).
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(raw), len(raw)), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	ns := f * 1e9
	switch {
	case ns >= math.MaxInt64:
		return math.MaxInt64, true
	case ns <= math.MinInt64:
		return math.MinInt64, true
	}
	return int64(ns), true
}

func addSat(a, b int64) int64 {
	s := a + b
	if (s > a) != (b > 0) {
		if b > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return s
}

func subSat(a, b int64) int64 {
	if b == math.MinInt64 {
		if a >= 0 {
			return math.MaxInt64
		}
		return a - b
	}
	return addSat(a, -b)
}

// checkTime runs the time-window stage in its fixed order: exp, nbf, iat, lifetime.
func (v *Verifier) checkTime(pjs *jsonScan, now int64) (exp int64, hasExp bool, e *Error) {
	if raw, ok := pjs.member(memExp); ok {
		if exp, ok = numericDate(raw); !ok {
			return 0, false, errExpMalformed
		}
		hasExp = true
		if subSat(now, v.leewayNs) >= exp {
			return 0, false, errExpired
		}
	} else if !v.p.AllowMissingExp {
		return 0, false, errExpMissing
	}
	if raw, ok := pjs.member(memNbf); ok {
		nbf, ok := numericDate(raw)
		if !ok {
			return 0, false, errNbfMalformed
		}
		if addSat(now, v.leewayNs) < nbf {
			return 0, false, errNotYetValid
		}
	}
	var iat int64
	raw, hasIat := pjs.member(memIat)
	if hasIat {
		var ok bool
		if iat, ok = numericDate(raw); !ok {
			return 0, false, errIatMalformed
		}
		if addSat(now, v.leewayNs) < iat {
			return 0, false, errIssuedInFuture
		}
	}
	if v.lifeNs > 0 {
		if !hasExp {
			return 0, false, errLifetimeTooLong
		}
		start := now
		if hasIat {
			start = iat
		}
		if subSat(exp, start) > v.lifeNs {
			return 0, false, errLifetimeTooLong
		}
	}
	return exp, hasExp, nil
}
