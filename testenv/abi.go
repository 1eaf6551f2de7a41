package testenv

import "strconv"

// This file holds the proxy-wasm ABI 0.2.1 vocabulary the host speaks. Values follow the spec
// (https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1) and proxy-wasm-cpp-host's
// include/proxy-wasm/wasm_api_impl.h; names are ours.

// Status is a proxy-wasm WasmResult, the value every env.proxy_* host call returns.
type Status uint32

// The WasmResult values of ABI 0.2.1.
const (
	StatusOk                   Status = 0
	StatusNotFound             Status = 1
	StatusBadArgument          Status = 2
	StatusSerializationFailure Status = 3
	StatusParseFailure         Status = 4
	StatusBadExpression        Status = 5
	StatusInvalidMemoryAccess  Status = 6
	StatusEmpty                Status = 7
	StatusCasMismatch          Status = 8
	StatusResultMismatch       Status = 9
	StatusInternalFailure      Status = 10
	StatusBrokenConnection     Status = 11
	StatusUnimplemented        Status = 12
)

var statusNames = [...]string{"Ok", "NotFound", "BadArgument", "SerializationFailure", "ParseFailure",
	"BadExpression", "InvalidMemoryAccess", "Empty", "CasMismatch", "ResultMismatch", "InternalFailure",
	"BrokenConnection", "Unimplemented"}

func (s Status) String() string { return enumName(statusNames[:], s, "Status") }

// Action is what a stream callback returned (FilterHeadersStatus, FilterDataStatus or
// FilterTrailersStatus in the spec). Only ActionContinue lets the stream go on; every other value
// the guest can return stops it (ABI 0.2.x hosts treat StopIteration from headers as StopAll).
type Action uint32

// Actions a guest returns, plus ActionNotDelivered, which testenv returns when the callback was not
// delivered at all (the stream is paused and the data was buffered, or the stream has ended).
const (
	ActionContinue                     Action = 0
	ActionPause                        Action = 1 // StopIteration, and StopIterationAndBuffer for bodies
	ActionContinueAndEndStream         Action = 2
	ActionStopAllIterationAndBuffer    Action = 3
	ActionStopAllIterationAndWatermark Action = 4
	ActionNotDelivered                 Action = 0xffff_ffff
)

func (a Action) String() string {
	switch a {
	case ActionContinue:
		return "Continue"
	case ActionPause:
		return "Pause"
	case ActionContinueAndEndStream:
		return "ContinueAndEndStream"
	case ActionStopAllIterationAndBuffer:
		return "StopAllIterationAndBuffer"
	case ActionStopAllIterationAndWatermark:
		return "StopAllIterationAndWatermark"
	case ActionNotDelivered:
		return "NotDelivered"
	}
	return "Action(" + strconv.FormatUint(uint64(a), 10) + ")"
}

// MapType selects a header map (proxy_get_header_map_value and friends).
type MapType uint32

// Header maps of ABI 0.2.1.
const (
	MapRequestHeaders      MapType = 0
	MapRequestTrailers     MapType = 1
	MapResponseHeaders     MapType = 2
	MapResponseTrailers    MapType = 3
	MapGrpcInitialMetadata MapType = 4
	MapGrpcTrailerMetadata MapType = 5
	MapHttpCallHeaders     MapType = 6
	MapHttpCallTrailers    MapType = 7
)

var mapNames = [...]string{"request_headers", "request_trailers", "response_headers", "response_trailers",
	"grpc_initial_metadata", "grpc_trailing_metadata", "http_call_response_headers", "http_call_response_trailers"}

func (m MapType) String() string { return enumName(mapNames[:], m, "map") }

// BufferType selects a buffer (proxy_get_buffer_bytes and friends).
type BufferType uint32

// Buffers of ABI 0.2.1.
const (
	BufferRequestBody      BufferType = 0
	BufferResponseBody     BufferType = 1
	BufferDownstreamData   BufferType = 2
	BufferUpstreamData     BufferType = 3
	BufferHttpCallResponse BufferType = 4
	BufferGrpcReceive      BufferType = 5
	BufferVMConfiguration  BufferType = 6
	BufferPluginConfig     BufferType = 7
	BufferCallData         BufferType = 8
)

var bufferNames = [...]string{"request_body", "response_body", "downstream_data", "upstream_data",
	"http_call_response_body", "grpc_receive_buffer", "vm_configuration", "plugin_configuration", "call_data"}

func (b BufferType) String() string { return enumName(bufferNames[:], b, "buffer") }

// LogLevel is a proxy_log level.
type LogLevel uint32

// Log levels of ABI 0.2.1.
const (
	LogTrace    LogLevel = 0
	LogDebug    LogLevel = 1
	LogInfo     LogLevel = 2
	LogWarn     LogLevel = 3
	LogError    LogLevel = 4
	LogCritical LogLevel = 5
)

var levelNames = [...]string{"trace", "debug", "info", "warn", "error", "critical"}

func (l LogLevel) String() string { return enumName(levelNames[:], l, "level") }

// MetricType is the type of a metric; cpp-host and Envoy encode it in the low 2 bits of the id.
type MetricType uint32

// Metric types of ABI 0.2.1.
const (
	MetricCounter   MetricType = 0
	MetricGauge     MetricType = 1
	MetricHistogram MetricType = 2

	metricTypeMask    = 0x3
	metricIDIncrement = 0x4
)

func (m MetricType) String() string {
	switch m {
	case MetricCounter:
		return "counter"
	case MetricGauge:
		return "gauge"
	case MetricHistogram:
		return "histogram"
	}
	return "metric(" + strconv.FormatUint(uint64(m), 10) + ")"
}

// Stream types of proxy_continue_stream and proxy_close_stream.
const (
	streamRequest    = 0
	streamResponse   = 1
	streamDownstream = 2
	streamUpstream   = 3
)

// WASI errno values used by the shim (wasi_snapshot_preview1).
const (
	errnoSuccess = 0
	errnoBadf    = 8
	errnoFault   = 21
	errnoInval   = 28
	errnoNosys   = 52
)

// enumName is names[v], or prefix(v) for a value past the end of the table.
func enumName[T ~uint32](names []string, v T, prefix string) string {
	if uint64(v) < uint64(len(names)) {
		return names[v]
	}
	return prefix + "(" + strconv.FormatUint(uint64(v), 10) + ")"
}
