//go:build wasip1 && !tinygo

package proxywasm

// Host functions of proxy-wasm ABI v0.2.1, one //go:wasmimport each, declared
// from https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1 with
// the spec's parameter order. Every parameter is an i32 (uint32, *byte,
// *uint32, *uint64) or an i64 (int64, uint64): the wasm signatures are exactly
// the spec's. None is //go:noescape: a host call may re-enter the guest through
// proxy_on_memory_allocate, and the stack may move meanwhile, so pointer
// arguments must point to the heap or to package-level variables. Unused
// imports are dropped by the linker.

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_log
//
//go:wasmimport env proxy_log
func proxy_log(logLevel uint32, messageData *byte, messageSize uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_log_level
//
//go:wasmimport env proxy_get_log_level
func proxy_get_log_level(returnLogLevel *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_current_time_nanoseconds
//
//go:wasmimport env proxy_get_current_time_nanoseconds
func proxy_get_current_time_nanoseconds(returnTime *uint64) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_set_tick_period_milliseconds
//
//go:wasmimport env proxy_set_tick_period_milliseconds
func proxy_set_tick_period_milliseconds(tickPeriod uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_set_effective_context
//
//go:wasmimport env proxy_set_effective_context
func proxy_set_effective_context(contextID uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_done
//
//go:wasmimport env proxy_done
func proxy_done() uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_buffer_bytes
//
//go:wasmimport env proxy_get_buffer_bytes
func proxy_get_buffer_bytes(bufferID, start, maxSize uint32, returnValueData, returnValueSize *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_set_buffer_bytes
//
//go:wasmimport env proxy_set_buffer_bytes
func proxy_set_buffer_bytes(bufferID, start, size uint32, valueData *byte, valueSize uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_header_map_pairs
//
//go:wasmimport env proxy_get_header_map_pairs
func proxy_get_header_map_pairs(mapID uint32, returnData, returnSize *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_set_header_map_pairs
//
//go:wasmimport env proxy_set_header_map_pairs
func proxy_set_header_map_pairs(mapID uint32, data *byte, size uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_header_map_value
//
//go:wasmimport env proxy_get_header_map_value
func proxy_get_header_map_value(mapID uint32, keyData *byte, keySize uint32, returnValueData, returnValueSize *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_add_header_map_value
//
//go:wasmimport env proxy_add_header_map_value
func proxy_add_header_map_value(mapID uint32, keyData *byte, keySize uint32, valueData *byte, valueSize uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_replace_header_map_value
//
//go:wasmimport env proxy_replace_header_map_value
func proxy_replace_header_map_value(mapID uint32, keyData *byte, keySize uint32, valueData *byte, valueSize uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_remove_header_map_value
//
//go:wasmimport env proxy_remove_header_map_value
func proxy_remove_header_map_value(mapID uint32, keyData *byte, keySize uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_continue_stream
//
//go:wasmimport env proxy_continue_stream
func proxy_continue_stream(streamType uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_send_local_response
//
//go:wasmimport env proxy_send_local_response
func proxy_send_local_response(statusCode uint32, detailsData *byte, detailsSize uint32,
	bodyData *byte, bodySize uint32, headersData *byte, headersSize uint32, grpcStatus int32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_http_call
//
//go:wasmimport env proxy_http_call
func proxy_http_call(upstreamData *byte, upstreamSize uint32, headersData *byte, headersSize uint32,
	bodyData *byte, bodySize uint32, trailersData *byte, trailersSize uint32, timeout uint32, returnCallID *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_shared_data
//
//go:wasmimport env proxy_get_shared_data
func proxy_get_shared_data(keyData *byte, keySize uint32, returnValueData, returnValueSize, returnCas *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_set_shared_data
//
//go:wasmimport env proxy_set_shared_data
func proxy_set_shared_data(keyData *byte, keySize uint32, valueData *byte, valueSize uint32, cas uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_register_shared_queue
//
//go:wasmimport env proxy_register_shared_queue
func proxy_register_shared_queue(nameData *byte, nameSize uint32, returnQueueID *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_resolve_shared_queue
//
//go:wasmimport env proxy_resolve_shared_queue
func proxy_resolve_shared_queue(vmIDData *byte, vmIDSize uint32, nameData *byte, nameSize uint32, returnQueueID *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_enqueue_shared_queue
//
//go:wasmimport env proxy_enqueue_shared_queue
func proxy_enqueue_shared_queue(queueID uint32, valueData *byte, valueSize uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_dequeue_shared_queue
//
//go:wasmimport env proxy_dequeue_shared_queue
func proxy_dequeue_shared_queue(queueID uint32, returnValueData, returnValueSize *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_define_metric
//
//go:wasmimport env proxy_define_metric
func proxy_define_metric(metricType uint32, nameData *byte, nameSize uint32, returnMetricID *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_increment_metric
//
//go:wasmimport env proxy_increment_metric
func proxy_increment_metric(metricID uint32, delta int64) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_record_metric
//
//go:wasmimport env proxy_record_metric
func proxy_record_metric(metricID uint32, value uint64) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_metric
//
//go:wasmimport env proxy_get_metric
func proxy_get_metric(metricID uint32, returnValue *uint64) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_get_property
//
//go:wasmimport env proxy_get_property
func proxy_get_property(pathData *byte, pathSize uint32, returnValueData, returnValueSize *uint32) uint32

// Spec: https://github.com/proxy-wasm/spec/tree/master/abi-versions/v0.2.1#proxy_set_property
//
//go:wasmimport env proxy_set_property
func proxy_set_property(pathData *byte, pathSize uint32, valueData *byte, valueSize uint32) uint32
