package proxywasm

import (
	"errors"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// Enumerations of proxy-wasm ABI v0.2.1
// (https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#types).

// LogLevel is proxy_log_level_t. It is an addition to the SDK v0.24.0 API
// (see GetLogLevel).
type LogLevel uint32

const (
	LogLevelTrace    LogLevel = 0
	LogLevelDebug    LogLevel = 1
	LogLevelInfo     LogLevel = 2
	LogLevelWarn     LogLevel = 3
	LogLevelError    LogLevel = 4
	LogLevelCritical LogLevel = 5
)

// proxy_status_t
const (
	statusOK                   = 0
	statusNotFound             = 1
	statusBadArgument          = 2
	statusSerializationFailure = 3
	statusParseFailure         = 4
	statusInvalidMemoryAccess  = 6
	statusEmpty                = 7
	statusCasMismatch          = 8
	statusInternalFailure      = 10
	statusUnimplemented        = 12
)

// proxy_map_type_t
const (
	mapHTTPRequestHeaders       = 0
	mapHTTPRequestTrailers      = 1
	mapHTTPResponseHeaders      = 2
	mapHTTPResponseTrailers     = 3
	mapHTTPCallResponseHeaders  = 6
	mapHTTPCallResponseTrailers = 7
)

// proxy_buffer_type_t
const (
	bufferHTTPRequestBody      = 0
	bufferHTTPResponseBody     = 1
	bufferHTTPCallResponseBody = 4
	bufferVMConfiguration      = 6
	bufferPluginConfiguration  = 7
)

// proxy_stream_type_t
const (
	streamHTTPRequest  = 0
	streamHTTPResponse = 1
)

// proxy_metric_type_t
const (
	metricCounter   = 0
	metricGauge     = 1
	metricHistogram = 2
)

// Errors for statuses the SDK's types package has no sentinel for.
var (
	ErrorStatusSerializationFailure = errors.New("error status returned by host: serialization failure")
	ErrorStatusParseFailure         = errors.New("error status returned by host: parse failure")
	ErrorStatusInvalidMemoryAccess  = errors.New("error status returned by host: invalid memory access")
	ErrorStatusUnknown              = errors.New("error status returned by host: unknown status")
	// ErrorHostMemory reports that the host returned a pointer the guest never
	// handed out through proxy_on_memory_allocate.
	ErrorHostMemory = errors.New("proxywasm: host returned memory not allocated by the guest")
)

// statusToError maps a proxy_status_t to the SDK's error sentinels (so
// errors.Is(err, types.ErrorStatusNotFound) works in both builds).
func statusToError(st uint32) error {
	switch st {
	case statusOK:
		return nil
	case statusNotFound:
		return types.ErrorStatusNotFound
	case statusBadArgument:
		return types.ErrorStatusBadArgument
	case statusSerializationFailure:
		return ErrorStatusSerializationFailure
	case statusParseFailure:
		return ErrorStatusParseFailure
	case statusInvalidMemoryAccess:
		return ErrorStatusInvalidMemoryAccess
	case statusEmpty:
		return types.ErrorStatusEmpty
	case statusCasMismatch:
		return types.ErrorStatusCasMismatch
	case statusInternalFailure:
		return types.ErrorInternalFailure
	case statusUnimplemented:
		return types.ErrorUnimplemented
	}
	return ErrorStatusUnknown
}
