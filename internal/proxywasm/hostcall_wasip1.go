//go:build wasip1 && !tinygo

package proxywasm

import (
	"fmt"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// The public host-call API, named and typed as the SDK v0.24.0 proxywasm
// package. Errors are the SDK's types.ErrorStatus* sentinels where one exists.

// allOfBuffer asks for a whole buffer (hosts clamp the length).
const allOfBuffer = 0x7fffffff

// Arguments of proxy_set_buffer_bytes for the three edits Envoy supports.
const (
	bufferStartEnd = 0xffffffff // start past the end: append
	bufferSizeAll  = 0xffffffff // size covering everything: replace
)

// GetVMConfiguration returns the VM configuration (buffer VM_CONFIGURATION).
func GetVMConfiguration() ([]byte, error) {
	return getBuffer(bufferVMConfiguration, 0, allOfBuffer)
}

// GetPluginConfiguration returns the plugin configuration (buffer
// PLUGIN_CONFIGURATION); Envoy serves it only during OnPluginStart.
func GetPluginConfiguration() ([]byte, error) {
	return getBuffer(bufferPluginConfiguration, 0, allOfBuffer)
}

// SetTickPeriodMilliSeconds sets the period of OnTick; 0 disables it.
func SetTickPeriodMilliSeconds(millSec uint32) error {
	return statusToError(proxy_set_tick_period_milliseconds(millSec))
}

// SetEffectiveContext makes contextID the context later host calls act on.
func SetEffectiveContext(contextID uint32) error {
	if err := statusToError(proxy_set_effective_context(contextID)); err != nil {
		return err
	}
	activeID = contextID
	return nil
}

// RegisterSharedQueue registers (or opens) the named shared queue of this VM.
func RegisterSharedQueue(name string) (queueID uint32, err error) {
	resetRet()
	st := proxy_register_shared_queue(strPtr(name), uint32(len(name)), &retU32)
	if st != statusOK {
		return 0, statusToError(st)
	}
	return retU32, nil
}

// ResolveSharedQueue finds the queue queueName registered by VM vmID.
func ResolveSharedQueue(vmID, queueName string) (queueID uint32, err error) {
	resetRet()
	st := proxy_resolve_shared_queue(strPtr(vmID), uint32(len(vmID)), strPtr(queueName), uint32(len(queueName)), &retU32)
	if st != statusOK {
		return 0, statusToError(st)
	}
	return retU32, nil
}

// EnqueueSharedQueue appends data to the queue.
func EnqueueSharedQueue(queueID uint32, data []byte) error {
	return statusToError(proxy_enqueue_shared_queue(queueID, bytesPtr(data), uint32(len(data))))
}

// DequeueSharedQueue removes and returns the queue's first item;
// types.ErrorStatusEmpty when there is none.
func DequeueSharedQueue(queueID uint32) ([]byte, error) {
	resetRet()
	return fetched(proxy_dequeue_shared_queue(queueID, &retData, &retSize))
}

// PluginDone tells the host the plugin context finished (after OnPluginDone
// returned false).
func PluginDone() {
	proxy_done()
}

// DispatchHttpCall sends an HTTP request to cluster. callBack runs when the
// response (or a failure: numHeaders 0) arrives; the binding makes the
// dispatching context effective first, though the host delivers the response
// on the root context. If that context was deleted meanwhile, callBack runs
// with the root context effective.
func DispatchHttpCall(
	cluster string,
	headers [][2]string,
	body []byte,
	trailers [][2]string,
	timeoutMillisecond uint32,
	callBack func(numHeaders, bodySize, numTrailers int),
) (calloutID uint32, err error) {
	scratchA = appendPairs(scratchA, headers)
	scratchB = appendPairs(scratchB, trailers)
	resetRet()
	st := proxy_http_call(strPtr(cluster), uint32(len(cluster)),
		&scratchA[0], uint32(len(scratchA)), bytesPtr(body), uint32(len(body)),
		&scratchB[0], uint32(len(scratchB)), timeoutMillisecond, &retU32)
	trimScratch()
	if st != statusOK {
		return 0, statusToError(st)
	}
	reg.addCallout(activeID, retU32, callBack)
	return retU32, nil
}

// GetHttpCallResponseHeaders returns the http-call response headers (only
// inside a DispatchHttpCall callback).
func GetHttpCallResponseHeaders() ([][2]string, error) {
	return getMap(mapHTTPCallResponseHeaders)
}

// GetHttpCallResponseBody returns up to maxSize bytes of the http-call
// response body from start.
func GetHttpCallResponseBody(start, maxSize int) ([]byte, error) {
	return getBufferInt(bufferHTTPCallResponseBody, start, maxSize)
}

// GetHttpCallResponseTrailers returns the http-call response trailers.
func GetHttpCallResponseTrailers() ([][2]string, error) {
	return getMap(mapHTTPCallResponseTrailers)
}

// GetHttpRequestHeaders returns all request headers.
func GetHttpRequestHeaders() ([][2]string, error) { return getMap(mapHTTPRequestHeaders) }

// ReplaceHttpRequestHeaders replaces all request headers.
func ReplaceHttpRequestHeaders(headers [][2]string) error {
	return setMap(mapHTTPRequestHeaders, headers)
}

// GetHttpRequestHeader returns the first value of request header key.
func GetHttpRequestHeader(key string) (string, error) {
	return getMapValue(mapHTTPRequestHeaders, key)
}

// GetHttpRequestHeaderBorrowed returns the first value of request header key,
// like GetHttpRequestHeader, but usually without allocating: the host writes
// the value into a buffer the binding reuses.
//
// THE RETURNED SLICE IS BORROWED. It is valid only until the next call of any
// function of this package (any host call may overwrite it); copy what must
// outlive that, and never keep the slice itself. Not in the SDK v0.24.0 API:
// an addition of this binding (natively it returns a fresh copy).
func GetHttpRequestHeaderBorrowed(key string) ([]byte, error) {
	return getMapValueBorrowed(mapHTTPRequestHeaders, key)
}

// GetHttpRequestHeadersBorrowed returns every request header, like
// GetHttpRequestHeaders, but usually without allocating: the host writes the
// map into a buffer the binding reuses, and the pairs come in a reused slice.
//
// THE RESULT IS BORROWED: the slice and every string in it are valid only
// until the next call of GetHttpRequestHeadersBorrowed, which overwrites
// them (other host calls leave them alone). Copy what must outlive that, e.g.
// what a paused stream keeps, or a cache key; never keep the slice or its
// strings themselves. Not in the SDK v0.24.0 API: an addition of this
// binding (natively it returns a fresh copy).
func GetHttpRequestHeadersBorrowed() ([][2]string, error) {
	return getMapBorrowed(mapHTTPRequestHeaders)
}

// RemoveHttpRequestHeader removes request header key.
func RemoveHttpRequestHeader(key string) error { return removeMapValue(mapHTTPRequestHeaders, key) }

// ReplaceHttpRequestHeader sets request header key to value.
func ReplaceHttpRequestHeader(key, value string) error {
	return replaceMapValue(mapHTTPRequestHeaders, key, value)
}

// AddHttpRequestHeader adds a value to request header key.
func AddHttpRequestHeader(key, value string) error {
	return addMapValue(mapHTTPRequestHeaders, key, value)
}

// GetHttpRequestBody returns up to maxSize bytes of the buffered request body
// from start.
func GetHttpRequestBody(start, maxSize int) ([]byte, error) {
	return getBufferInt(bufferHTTPRequestBody, start, maxSize)
}

// AppendHttpRequestBody appends data to the request body.
func AppendHttpRequestBody(data []byte) error {
	return setBuffer(bufferHTTPRequestBody, bufferStartEnd, 0, data)
}

// PrependHttpRequestBody prepends data to the request body.
func PrependHttpRequestBody(data []byte) error {
	return setBuffer(bufferHTTPRequestBody, 0, 0, data)
}

// ReplaceHttpRequestBody replaces the request body with data.
func ReplaceHttpRequestBody(data []byte) error {
	return setBuffer(bufferHTTPRequestBody, 0, bufferSizeAll, data)
}

// GetHttpRequestTrailers returns all request trailers.
func GetHttpRequestTrailers() ([][2]string, error) { return getMap(mapHTTPRequestTrailers) }

// ReplaceHttpRequestTrailers replaces all request trailers.
func ReplaceHttpRequestTrailers(trailers [][2]string) error {
	return setMap(mapHTTPRequestTrailers, trailers)
}

// GetHttpRequestTrailer returns the first value of request trailer key.
func GetHttpRequestTrailer(key string) (string, error) {
	return getMapValue(mapHTTPRequestTrailers, key)
}

// RemoveHttpRequestTrailer removes request trailer key.
func RemoveHttpRequestTrailer(key string) error { return removeMapValue(mapHTTPRequestTrailers, key) }

// ReplaceHttpRequestTrailer sets request trailer key to value.
func ReplaceHttpRequestTrailer(key, value string) error {
	return replaceMapValue(mapHTTPRequestTrailers, key, value)
}

// AddHttpRequestTrailer adds a value to request trailer key.
func AddHttpRequestTrailer(key, value string) error {
	return addMapValue(mapHTTPRequestTrailers, key, value)
}

// ResumeHttpRequest continues a request paused by a callback.
func ResumeHttpRequest() error { return statusToError(proxy_continue_stream(streamHTTPRequest)) }

// GetHttpResponseHeaders returns all response headers.
func GetHttpResponseHeaders() ([][2]string, error) { return getMap(mapHTTPResponseHeaders) }

// ReplaceHttpResponseHeaders replaces all response headers.
func ReplaceHttpResponseHeaders(headers [][2]string) error {
	return setMap(mapHTTPResponseHeaders, headers)
}

// GetHttpResponseHeader returns the first value of response header key.
func GetHttpResponseHeader(key string) (string, error) {
	return getMapValue(mapHTTPResponseHeaders, key)
}

// RemoveHttpResponseHeader removes response header key.
func RemoveHttpResponseHeader(key string) error { return removeMapValue(mapHTTPResponseHeaders, key) }

// ReplaceHttpResponseHeader sets response header key to value.
func ReplaceHttpResponseHeader(key, value string) error {
	return replaceMapValue(mapHTTPResponseHeaders, key, value)
}

// AddHttpResponseHeader adds a value to response header key.
func AddHttpResponseHeader(key, value string) error {
	return addMapValue(mapHTTPResponseHeaders, key, value)
}

// GetHttpResponseBody returns up to maxSize bytes of the buffered response
// body from start.
func GetHttpResponseBody(start, maxSize int) ([]byte, error) {
	return getBufferInt(bufferHTTPResponseBody, start, maxSize)
}

// AppendHttpResponseBody appends data to the response body.
func AppendHttpResponseBody(data []byte) error {
	return setBuffer(bufferHTTPResponseBody, bufferStartEnd, 0, data)
}

// PrependHttpResponseBody prepends data to the response body.
func PrependHttpResponseBody(data []byte) error {
	return setBuffer(bufferHTTPResponseBody, 0, 0, data)
}

// ReplaceHttpResponseBody replaces the response body with data.
func ReplaceHttpResponseBody(data []byte) error {
	return setBuffer(bufferHTTPResponseBody, 0, bufferSizeAll, data)
}

// GetHttpResponseTrailers returns all response trailers.
func GetHttpResponseTrailers() ([][2]string, error) { return getMap(mapHTTPResponseTrailers) }

// ReplaceHttpResponseTrailers replaces all response trailers.
func ReplaceHttpResponseTrailers(trailers [][2]string) error {
	return setMap(mapHTTPResponseTrailers, trailers)
}

// GetHttpResponseTrailer returns the first value of response trailer key.
func GetHttpResponseTrailer(key string) (string, error) {
	return getMapValue(mapHTTPResponseTrailers, key)
}

// RemoveHttpResponseTrailer removes response trailer key.
func RemoveHttpResponseTrailer(key string) error {
	return removeMapValue(mapHTTPResponseTrailers, key)
}

// ReplaceHttpResponseTrailer sets response trailer key to value.
func ReplaceHttpResponseTrailer(key, value string) error {
	return replaceMapValue(mapHTTPResponseTrailers, key, value)
}

// AddHttpResponseTrailer adds a value to response trailer key.
func AddHttpResponseTrailer(key, value string) error {
	return addMapValue(mapHTTPResponseTrailers, key, value)
}

// ResumeHttpResponse continues a response paused by a callback.
func ResumeHttpResponse() error { return statusToError(proxy_continue_stream(streamHTTPResponse)) }

// SendHttpResponse sends a local reply instead of the upstream response;
// gRPCStatus -1 means none. The host applies it after the callback returns.
func SendHttpResponse(statusCode uint32, headers [][2]string, body []byte, gRPCStatus int32) error {
	return sendLocalResponse(statusCode, "", headers, body, gRPCStatus)
}

// SendHttpResponseWithDetails is SendHttpResponse with the response-code
// details string (proxy_send_local_response's status_code_details; Envoy
// replaces whitespace in it with '_' and shows it in access logs as
// %RESPONSE_CODE_DETAILS%). Not in the SDK v0.24.0 API: an addition of this
// binding. Natively the details are dropped (the SDK cannot pass them).
func SendHttpResponseWithDetails(statusCode uint32, details string, headers [][2]string, body []byte, gRPCStatus int32) error {
	return sendLocalResponse(statusCode, details, headers, body, gRPCStatus)
}

func sendLocalResponse(statusCode uint32, details string, headers [][2]string, body []byte, gRPCStatus int32) error {
	scratchA = appendPairs(scratchA, headers)
	st := proxy_send_local_response(statusCode, strPtr(details), uint32(len(details)),
		bytesPtr(body), uint32(len(body)), &scratchA[0], uint32(len(scratchA)), gRPCStatus)
	trimScratch()
	return statusToError(st)
}

// GetSharedData returns the value of shared-data key and its CAS token.
func GetSharedData(key string) (value []byte, cas uint32, err error) {
	resetRet()
	st := proxy_get_shared_data(strPtr(key), uint32(len(key)), &retData, &retSize, &retU32)
	cas = retU32
	value, err = fetched(st)
	if err != nil {
		return nil, 0, err
	}
	return value, cas, nil
}

// SetSharedData sets shared-data key to data. A non-zero cas must match the
// current token, else types.ErrorStatusCasMismatch.
func SetSharedData(key string, data []byte, cas uint32) error {
	return statusToError(proxy_set_shared_data(strPtr(key), uint32(len(key)), bytesPtr(data), uint32(len(data)), cas))
}

// GetProperty returns the value of the property at path.
func GetProperty(path []string) ([]byte, error) {
	scratchB = appendPropertyPath(scratchB, path)
	resetRet()
	st := proxy_get_property(bytesPtr(scratchB), uint32(len(scratchB)), &retData, &retSize)
	b, err := fetched(st)
	trimScratch()
	return b, err
}

// GetPropertyMap returns a property whose value is a serialized map.
func GetPropertyMap(path []string) ([][2]string, error) {
	b, err := GetProperty(path)
	if err != nil {
		return nil, err
	}
	return parsePairs(b)
}

// SetProperty sets the property at path to data.
func SetProperty(path []string, data []byte) error {
	scratchB = appendPropertyPath(scratchB, path)
	st := proxy_set_property(bytesPtr(scratchB), uint32(len(scratchB)), bytesPtr(data), uint32(len(data)))
	trimScratch()
	return statusToError(st)
}

// GetCurrentTimeNanoseconds returns the host's wall-clock time in nanoseconds
// since the Unix epoch (proxy_get_current_time_nanoseconds). Not in the SDK
// v0.24.0 API: an addition of this binding.
func GetCurrentTimeNanoseconds() (int64, error) {
	resetRet()
	if err := statusToError(proxy_get_current_time_nanoseconds(&retU64)); err != nil {
		return 0, err
	}
	return int64(retU64), nil
}

// GetLogLevel returns the host's current log level (proxy_get_log_level).
// Not in the SDK v0.24.0 API: an addition of this binding.
func GetLogLevel() (LogLevel, error) {
	resetRet()
	if err := statusToError(proxy_get_log_level(&retU32)); err != nil {
		return 0, err
	}
	return LogLevel(retU32), nil
}

// Logging. The status of proxy_log is ignored, as in the SDK.

func logAt(level LogLevel, msg string) { proxy_log(uint32(level), strPtr(msg), uint32(len(msg))) }

func LogTrace(msg string)    { logAt(LogLevelTrace, msg) }
func LogDebug(msg string)    { logAt(LogLevelDebug, msg) }
func LogInfo(msg string)     { logAt(LogLevelInfo, msg) }
func LogWarn(msg string)     { logAt(LogLevelWarn, msg) }
func LogError(msg string)    { logAt(LogLevelError, msg) }
func LogCritical(msg string) { logAt(LogLevelCritical, msg) }

func LogTracef(format string, args ...interface{}) {
	logAt(LogLevelTrace, fmt.Sprintf(format, args...))
}
func LogDebugf(format string, args ...interface{}) {
	logAt(LogLevelDebug, fmt.Sprintf(format, args...))
}
func LogInfof(format string, args ...interface{}) { logAt(LogLevelInfo, fmt.Sprintf(format, args...)) }
func LogWarnf(format string, args ...interface{}) { logAt(LogLevelWarn, fmt.Sprintf(format, args...)) }
func LogErrorf(format string, args ...interface{}) {
	logAt(LogLevelError, fmt.Sprintf(format, args...))
}
func LogCriticalf(format string, args ...interface{}) {
	logAt(LogLevelCritical, fmt.Sprintf(format, args...))
}

// Metrics. As in the SDK, defining or updating a metric panics when the host
// refuses (inside a callback the binding recovers and fails closed), so
// define metrics in OnPluginStart, not in init() (Envoy traps host calls
// other than proxy_log during _initialize).

type (
	// MetricCounter is a counter metric; see DefineCounterMetric.
	MetricCounter uint32
	// MetricGauge is a gauge metric; see DefineGaugeMetric.
	MetricGauge uint32
	// MetricHistogram is a histogram metric; see DefineHistogramMetric.
	MetricHistogram uint32
)

func defineMetric(kind uint32, name string) uint32 {
	resetRet()
	if err := statusToError(proxy_define_metric(kind, strPtr(name), uint32(len(name)), &retU32)); err != nil {
		panic("proxywasm: define metric [" + name + "]: " + err.Error())
	}
	return retU32
}

func metricValue(id uint32) uint64 {
	resetRet()
	if err := statusToError(proxy_get_metric(id, &retU64)); err != nil {
		panic("proxywasm: get metric: " + err.Error())
	}
	return retU64
}

func metricIncrement(id uint32, delta int64) {
	if err := statusToError(proxy_increment_metric(id, delta)); err != nil {
		panic("proxywasm: increment metric: " + err.Error())
	}
}

// DefineCounterMetric defines (or finds) the counter name.
func DefineCounterMetric(name string) MetricCounter {
	return MetricCounter(defineMetric(metricCounter, name))
}

// Value returns the counter's value.
func (m MetricCounter) Value() uint64 { return metricValue(uint32(m)) }

// Increment adds offset to the counter.
func (m MetricCounter) Increment(offset uint64) { metricIncrement(uint32(m), int64(offset)) }

// DefineGaugeMetric defines (or finds) the gauge name.
func DefineGaugeMetric(name string) MetricGauge {
	return MetricGauge(defineMetric(metricGauge, name))
}

// Value returns the gauge's value.
func (m MetricGauge) Value() int64 { return int64(metricValue(uint32(m))) }

// Add adds offset (possibly negative) to the gauge.
func (m MetricGauge) Add(offset int64) { metricIncrement(uint32(m), offset) }

// DefineHistogramMetric defines (or finds) the histogram name.
func DefineHistogramMetric(name string) MetricHistogram {
	return MetricHistogram(defineMetric(metricHistogram, name))
}

// Value returns the histogram's value as the host reports it.
func (m MetricHistogram) Value() uint64 { return metricValue(uint32(m)) }

// Record records value in the histogram.
func (m MetricHistogram) Record(value uint64) {
	if err := statusToError(proxy_record_metric(uint32(m), value)); err != nil {
		panic("proxywasm: record metric: " + err.Error())
	}
}

// Helpers over the map and buffer host calls.

func getMapValue(mapID uint32, key string) (string, error) {
	resetRet()
	b, err := fetched(proxy_get_header_map_value(mapID, strPtr(key), uint32(len(key)), &retData, &retSize))
	if err != nil {
		return "", err
	}
	return aliasString(b), nil
}

// getMapValueBorrowed is getMapValue with the value written into valueBuf
// (see borrow.go) when the host's first allocation holds it.
func getMapValueBorrowed(mapID uint32, key string) ([]byte, error) {
	resetRet()
	armBorrow(&valueBuf)
	return fetchedBorrowed(proxy_get_header_map_value(mapID, strPtr(key), uint32(len(key)), &retData, &retSize))
}

// mapPairs is the reused result of GetHttpRequestHeadersBorrowed.
var mapPairs [][2]string

// getMapBorrowed is getMap with the serialized map written into mapBuf (see
// borrow.go) and decoded into mapPairs: no allocation once both have grown
// to the size of the requests seen.
func getMapBorrowed(mapID uint32) ([][2]string, error) {
	clear(mapPairs) // the previous result's strings alias mapBuf: drop them first
	mapPairs = mapPairs[:0]
	resetRet()
	armBorrow(&mapBuf)
	b, err := fetchedBorrowed(proxy_get_header_map_pairs(mapID, &retData, &retSize))
	if err != nil {
		return nil, err
	}
	out, err := parsePairsInto(mapPairs, b)
	if err != nil {
		return nil, err
	}
	mapPairs = out
	return out, nil
}

func getMap(mapID uint32) ([][2]string, error) {
	resetRet()
	b, err := fetched(proxy_get_header_map_pairs(mapID, &retData, &retSize))
	if err != nil {
		return nil, err
	}
	return parsePairs(b)
}

func setMap(mapID uint32, m [][2]string) error {
	scratchA = appendPairs(scratchA, m)
	st := proxy_set_header_map_pairs(mapID, &scratchA[0], uint32(len(scratchA)))
	trimScratch()
	return statusToError(st)
}

func addMapValue(mapID uint32, key, value string) error {
	return statusToError(proxy_add_header_map_value(mapID, strPtr(key), uint32(len(key)), strPtr(value), uint32(len(value))))
}

func replaceMapValue(mapID uint32, key, value string) error {
	return statusToError(proxy_replace_header_map_value(mapID, strPtr(key), uint32(len(key)), strPtr(value), uint32(len(value))))
}

func removeMapValue(mapID uint32, key string) error {
	return statusToError(proxy_remove_header_map_value(mapID, strPtr(key), uint32(len(key))))
}

func getBuffer(bufferID, start, maxSize uint32) ([]byte, error) {
	resetRet()
	return fetched(proxy_get_buffer_bytes(bufferID, start, maxSize, &retData, &retSize))
}

func getBufferInt(bufferID uint32, start, maxSize int) ([]byte, error) {
	s, ok1 := u32Arg(start)
	n, ok2 := u32Arg(maxSize)
	if !ok1 || !ok2 {
		return nil, types.ErrorStatusBadArgument
	}
	return getBuffer(bufferID, s, n)
}

func setBuffer(bufferID, start, size uint32, data []byte) error {
	return statusToError(proxy_set_buffer_bytes(bufferID, start, size, bytesPtr(data), uint32(len(data))))
}
