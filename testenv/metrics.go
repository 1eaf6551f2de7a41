package testenv

import (
	"slices"
	"sync"
)

// Metric is a metric as the guest defined it, with its current value. Counters and gauges have
// Value; histograms have the recorded Samples.
type Metric struct {
	Name    string
	Type    MetricType
	Value   int64
	Samples []uint64
}

// metricStore is shared by every VM, as Envoy's stats store is: two VMs defining the same name
// get their own ids but one value.
type metricStore struct {
	mu     sync.Mutex
	byName map[string]*metric
}

type metric struct {
	name    string
	typ     MetricType
	value   int64
	samples []uint64
}

func (m *metricStore) init() { m.byName = map[string]*metric{} }

// Metrics returns every metric by name.
func (h *Host) Metrics() map[string]Metric {
	h.metrics.mu.Lock()
	defer h.metrics.mu.Unlock()
	out := make(map[string]Metric, len(h.metrics.byName))
	for name, m := range h.metrics.byName {
		out[name] = Metric{Name: name, Type: m.typ, Value: m.value, Samples: slices.Clone(m.samples)}
	}
	return out
}

// Metric returns the value of a counter or gauge, and whether it is defined.
func (h *Host) Metric(name string) (int64, bool) {
	h.metrics.mu.Lock()
	defer h.metrics.mu.Unlock()
	m := h.metrics.byName[name]
	if m == nil {
		return 0, false
	}
	return m.value, true
}

// proxy_define_metric: ids carry the type in their low 2 bits and step by 4, per VM, as in
// cpp-host/Envoy. A type above histogram is BadArgument; a name defined with another type too.
func hostDefineMetric(vm *VM, st []uint64) uint32 {
	const fn = "proxy_define_metric"
	typ := MetricType(st[0])
	name, ok := vm.readString(uint32(st[1]), uint32(st[2]))
	if !ok {
		return vm.badMemory(fn, uint32(st[1]))
	}
	if typ > MetricHistogram {
		return vm.badArg("%s(%q): type %d is not a metric type", fn, name, typ)
	}
	ms := &vm.h.metrics
	ms.mu.Lock()
	m := ms.byName[name]
	if m == nil {
		m = &metric{name: name, typ: typ}
		ms.byName[name] = m
	}
	ms.mu.Unlock()
	if m.typ != typ {
		return vm.badArg("%s(%q): already defined as a %s", fn, name, m.typ)
	}
	id := vm.nextMetric[typ]
	vm.nextMetric[typ] += metricIDIncrement
	vm.metricIDs[id] = m
	return vm.returnU32(fn, uint32(st[3]), id)
}

func (vm *VM) metricByID(id uint32) *metric {
	m := vm.metricIDs[id]
	if m == nil || uint32(m.typ) != id&metricTypeMask {
		return nil
	}
	return m
}

// proxy_increment_metric: counters need a positive offset (else BadArgument), gauges take either
// sign, histograms are BadArgument; unknown ids NotFound.
func hostIncrementMetric(vm *VM, st []uint64) uint32 {
	off := int64(st[1])
	return vm.updateMetric(uint32(st[0]), func(m *metric) uint32 {
		switch m.typ {
		case MetricCounter:
			if off <= 0 {
				return vm.badArg("proxy_increment_metric(%q): counter offset %d must be positive", m.name, off)
			}
			m.value += off
		case MetricGauge:
			m.value += off
		default:
			return vm.badArg("proxy_increment_metric(%q): histograms cannot be incremented", m.name)
		}
		return uint32(StatusOk)
	})
}

// proxy_record_metric: counters add, gauges set, histograms record a sample.
func hostRecordMetric(vm *VM, st []uint64) uint32 {
	v := st[1]
	return vm.updateMetric(uint32(st[0]), func(m *metric) uint32 {
		switch m.typ {
		case MetricCounter:
			m.value += int64(v)
		case MetricGauge:
			m.value = int64(v)
		case MetricHistogram:
			if len(m.samples) < 1<<16 {
				m.samples = append(m.samples, v)
			}
		}
		return uint32(StatusOk)
	})
}

// updateMetric runs f on metric id under the metrics lock and returns its status; an unknown id is
// NotFound.
func (vm *VM) updateMetric(id uint32, f func(m *metric) uint32) uint32 {
	m := vm.metricByID(id)
	if m == nil {
		return uint32(StatusNotFound)
	}
	ms := &vm.h.metrics
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return f(m)
}

// proxy_get_metric: counters and gauges; histograms are BadArgument.
func hostGetMetric(vm *VM, st []uint64) uint32 {
	id := uint32(st[0])
	m := vm.metricByID(id)
	if m == nil {
		return uint32(StatusNotFound)
	}
	if m.typ == MetricHistogram {
		return vm.badArg("proxy_get_metric(%q): histograms have no value", m.name)
	}
	vm.h.metrics.mu.Lock()
	v := m.value
	vm.h.metrics.mu.Unlock()
	if !vm.writeU64(uint32(st[1]), uint64(v)) {
		return vm.badMemory("proxy_get_metric", uint32(st[1]))
	}
	return uint32(StatusOk)
}
