//go:build !wasip1 || tinygo

package proxywasm

import (
	"time"

	sdk "github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// Native (and TinyGo) build: every function forwards to the SDK's proxywasm
// package, so the SDK's proxytest emulator drives a filter written against
// this package, and TinyGo builds get the SDK's own ABI layer.

type (
	// MetricCounter is the SDK's counter metric.
	MetricCounter = sdk.MetricCounter
	// MetricGauge is the SDK's gauge metric.
	MetricGauge = sdk.MetricGauge
	// MetricHistogram is the SDK's histogram metric.
	MetricHistogram = sdk.MetricHistogram
)

func SetVMContext(ctx types.VMContext)                { sdk.SetVMContext(ctx) }
func GetVMConfiguration() ([]byte, error)             { return sdk.GetVMConfiguration() }
func GetPluginConfiguration() ([]byte, error)         { return sdk.GetPluginConfiguration() }
func SetTickPeriodMilliSeconds(millSec uint32) error  { return sdk.SetTickPeriodMilliSeconds(millSec) }
func SetEffectiveContext(contextID uint32) error      { return sdk.SetEffectiveContext(contextID) }
func RegisterSharedQueue(name string) (uint32, error) { return sdk.RegisterSharedQueue(name) }
func EnqueueSharedQueue(queueID uint32, data []byte) error {
	return sdk.EnqueueSharedQueue(queueID, data)
}
func DequeueSharedQueue(queueID uint32) ([]byte, error) { return sdk.DequeueSharedQueue(queueID) }
func PluginDone()                                       { sdk.PluginDone() }

func ResolveSharedQueue(vmID, queueName string) (uint32, error) {
	return sdk.ResolveSharedQueue(vmID, queueName)
}

func DispatchHttpCall(cluster string, headers [][2]string, body []byte, trailers [][2]string,
	timeoutMillisecond uint32, callBack func(numHeaders, bodySize, numTrailers int)) (uint32, error) {
	return sdk.DispatchHttpCall(cluster, headers, body, trailers, timeoutMillisecond, callBack)
}

func GetHttpCallResponseHeaders() ([][2]string, error)  { return sdk.GetHttpCallResponseHeaders() }
func GetHttpCallResponseTrailers() ([][2]string, error) { return sdk.GetHttpCallResponseTrailers() }
func GetHttpCallResponseBody(start, maxSize int) ([]byte, error) {
	return sdk.GetHttpCallResponseBody(start, maxSize)
}

func GetHttpRequestHeaders() ([][2]string, error) { return sdk.GetHttpRequestHeaders() }

// GetHttpRequestHeadersBorrowed is the binding's addition (see the wasip1
// version). Natively it enforces the borrowed contract instead of just
// returning a copy: the headers are copied into one reused buffer, and each
// call first overwrites the previous result's bytes with 0xAA, so code that
// keeps a borrowed string past the next call sees it change (its tests fail)
// here too, not only inside wasm.
func GetHttpRequestHeadersBorrowed() ([][2]string, error) {
	h, err := sdk.GetHttpRequestHeaders()
	if err != nil {
		return nil, err
	}
	return nativeBorrow.refill(h), nil
}

// borrowedMap is the native stand-in for the wasip1 mapBuf/mapPairs pair.
type borrowedMap struct {
	buf   []byte
	pairs [][2]string
}

var nativeBorrow borrowedMap

// refill poisons the previous result and copies h into the reused buffer.
func (m *borrowedMap) refill(h [][2]string) [][2]string {
	for i := range m.buf {
		m.buf[i] = 0xAA
	}
	clear(m.pairs)
	n := 0
	for _, kv := range h {
		n += len(kv[0]) + len(kv[1])
	}
	if cap(m.buf) < n {
		m.buf = make([]byte, 0, n)
	}
	m.buf = m.buf[:0]
	m.pairs = m.pairs[:0]
	for _, kv := range h {
		k0 := len(m.buf)
		m.buf = append(m.buf, kv[0]...)
		v0 := len(m.buf)
		m.buf = append(m.buf, kv[1]...)
		m.pairs = append(m.pairs, [2]string{aliasString(m.buf[k0:v0]), aliasString(m.buf[v0:])})
	}
	return m.pairs
}
func ReplaceHttpRequestHeaders(headers [][2]string) error {
	return sdk.ReplaceHttpRequestHeaders(headers)
}
func GetHttpRequestHeader(key string) (string, error) { return sdk.GetHttpRequestHeader(key) }

// GetHttpRequestHeaderBorrowed is the binding's addition (see the wasip1
// version); natively the value is a fresh copy, which satisfies the borrowed
// contract trivially.
func GetHttpRequestHeaderBorrowed(key string) ([]byte, error) {
	v, err := sdk.GetHttpRequestHeader(key)
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

func RemoveHttpRequestHeader(key string) error { return sdk.RemoveHttpRequestHeader(key) }
func ReplaceHttpRequestHeader(key, value string) error {
	return sdk.ReplaceHttpRequestHeader(key, value)
}
func AddHttpRequestHeader(key, value string) error { return sdk.AddHttpRequestHeader(key, value) }
func GetHttpRequestBody(start, maxSize int) ([]byte, error) {
	return sdk.GetHttpRequestBody(start, maxSize)
}
func AppendHttpRequestBody(data []byte) error          { return sdk.AppendHttpRequestBody(data) }
func PrependHttpRequestBody(data []byte) error         { return sdk.PrependHttpRequestBody(data) }
func ReplaceHttpRequestBody(data []byte) error         { return sdk.ReplaceHttpRequestBody(data) }
func GetHttpRequestTrailers() ([][2]string, error)     { return sdk.GetHttpRequestTrailers() }
func ReplaceHttpRequestTrailers(t [][2]string) error   { return sdk.ReplaceHttpRequestTrailers(t) }
func GetHttpRequestTrailer(key string) (string, error) { return sdk.GetHttpRequestTrailer(key) }
func RemoveHttpRequestTrailer(key string) error        { return sdk.RemoveHttpRequestTrailer(key) }
func ReplaceHttpRequestTrailer(key, value string) error {
	return sdk.ReplaceHttpRequestTrailer(key, value)
}
func AddHttpRequestTrailer(key, value string) error { return sdk.AddHttpRequestTrailer(key, value) }
func ResumeHttpRequest() error                      { return sdk.ResumeHttpRequest() }

func GetHttpResponseHeaders() ([][2]string, error) { return sdk.GetHttpResponseHeaders() }
func ReplaceHttpResponseHeaders(headers [][2]string) error {
	return sdk.ReplaceHttpResponseHeaders(headers)
}
func GetHttpResponseHeader(key string) (string, error) { return sdk.GetHttpResponseHeader(key) }
func RemoveHttpResponseHeader(key string) error        { return sdk.RemoveHttpResponseHeader(key) }
func ReplaceHttpResponseHeader(key, value string) error {
	return sdk.ReplaceHttpResponseHeader(key, value)
}
func AddHttpResponseHeader(key, value string) error { return sdk.AddHttpResponseHeader(key, value) }
func GetHttpResponseBody(start, maxSize int) ([]byte, error) {
	return sdk.GetHttpResponseBody(start, maxSize)
}
func AppendHttpResponseBody(data []byte) error          { return sdk.AppendHttpResponseBody(data) }
func PrependHttpResponseBody(data []byte) error         { return sdk.PrependHttpResponseBody(data) }
func ReplaceHttpResponseBody(data []byte) error         { return sdk.ReplaceHttpResponseBody(data) }
func GetHttpResponseTrailers() ([][2]string, error)     { return sdk.GetHttpResponseTrailers() }
func ReplaceHttpResponseTrailers(t [][2]string) error   { return sdk.ReplaceHttpResponseTrailers(t) }
func GetHttpResponseTrailer(key string) (string, error) { return sdk.GetHttpResponseTrailer(key) }
func RemoveHttpResponseTrailer(key string) error        { return sdk.RemoveHttpResponseTrailer(key) }
func ReplaceHttpResponseTrailer(key, value string) error {
	return sdk.ReplaceHttpResponseTrailer(key, value)
}
func AddHttpResponseTrailer(key, value string) error { return sdk.AddHttpResponseTrailer(key, value) }
func ResumeHttpResponse() error                      { return sdk.ResumeHttpResponse() }

func SendHttpResponse(statusCode uint32, headers [][2]string, body []byte, gRPCStatus int32) error {
	return sdk.SendHttpResponse(statusCode, headers, body, gRPCStatus)
}

// SendHttpResponseWithDetails forwards to the SDK's SendHttpResponse: the
// SDK v0.24.0 API cannot pass response-code details, so natively they are
// dropped (proxytest reports an empty StatusCodeDetail). In wasm they reach
// the host. Not in the SDK v0.24.0 API.
func SendHttpResponseWithDetails(statusCode uint32, details string, headers [][2]string, body []byte, gRPCStatus int32) error {
	_ = details
	return sdk.SendHttpResponse(statusCode, headers, body, gRPCStatus)
}

func GetSharedData(key string) ([]byte, uint32, error) { return sdk.GetSharedData(key) }
func SetSharedData(key string, data []byte, cas uint32) error {
	return sdk.SetSharedData(key, data, cas)
}

func GetProperty(path []string) ([]byte, error)         { return sdk.GetProperty(path) }
func GetPropertyMap(path []string) ([][2]string, error) { return sdk.GetPropertyMap(path) }
func SetProperty(path []string, data []byte) error      { return sdk.SetProperty(path, data) }

func LogTrace(msg string)    { sdk.LogTrace(msg) }
func LogDebug(msg string)    { sdk.LogDebug(msg) }
func LogInfo(msg string)     { sdk.LogInfo(msg) }
func LogWarn(msg string)     { sdk.LogWarn(msg) }
func LogError(msg string)    { sdk.LogError(msg) }
func LogCritical(msg string) { sdk.LogCritical(msg) }

func LogTracef(format string, args ...interface{})    { sdk.LogTracef(format, args...) }
func LogDebugf(format string, args ...interface{})    { sdk.LogDebugf(format, args...) }
func LogInfof(format string, args ...interface{})     { sdk.LogInfof(format, args...) }
func LogWarnf(format string, args ...interface{})     { sdk.LogWarnf(format, args...) }
func LogErrorf(format string, args ...interface{})    { sdk.LogErrorf(format, args...) }
func LogCriticalf(format string, args ...interface{}) { sdk.LogCriticalf(format, args...) }

func DefineCounterMetric(name string) MetricCounter     { return sdk.DefineCounterMetric(name) }
func DefineGaugeMetric(name string) MetricGauge         { return sdk.DefineGaugeMetric(name) }
func DefineHistogramMetric(name string) MetricHistogram { return sdk.DefineHistogramMetric(name) }

// nativeClock backs GetCurrentTimeNanoseconds in native builds.
var nativeClock = func() time.Time { return time.Now() }

// SetNativeClock replaces the clock GetCurrentTimeNanoseconds reads in native
// builds (the SDK emulator has no clock), so native tests control time. It
// exists only in native builds; nil restores time.Now.
func SetNativeClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	nativeClock = now
}

// GetCurrentTimeNanoseconds returns wall-clock nanoseconds since the Unix
// epoch: from the host in wasm (proxy_get_current_time_nanoseconds), from
// the native clock (SetNativeClock) here. Not in the SDK v0.24.0 API.
func GetCurrentTimeNanoseconds() (int64, error) { return nativeClock().UnixNano(), nil }

// GetLogLevel reports LogLevelTrace natively: the SDK emulator keeps every
// level. Not in the SDK v0.24.0 API.
func GetLogLevel() (LogLevel, error) { return LogLevelTrace, nil }
