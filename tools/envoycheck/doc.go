// Command envoycheck validates tokengate's Envoy bootstrap (envoy.yaml) without running Envoy.
//
//	cd tools/envoycheck && go test ./...        # checks ../../envoy.yaml (what CI runs)
//	cd tools/envoycheck && go run . FILE...      # checks other bootstrap files
//
// What it checks:
//   - the YAML decodes into go-control-plane's config.bootstrap.v3.Bootstrap with protojson: an unknown
//     field name (a typo) or a typed_config whose "@type" is not linked into this program fails;
//   - every google.protobuf.Any in the tree is unpacked and its message checked in turn, because the
//     generated protoc-gen-validate code stops at an Any (it validates only the wrapper);
//   - protoc-gen-validate rules (ValidateAll) on the bootstrap and on every unpacked message: required
//     fields, port ranges, non-empty names, positive durations...;
//   - no deprecated field or enum value is set (Envoy warns about them, and drops them in later releases);
//   - tokengate's own expectations: the wasm filter runs on V8 from a local file with a vm_id, comes
//     before the router, and carries a plugin configuration that is a JSON object with tokengate's
//     top-level fields only.
//
// What it does NOT check: anything Envoy decides at run time (DNS, files such as the .wasm or CA bundle
// existing, cross-references between clusters and routes beyond the ones tested here, extension-specific
// checks that live in Envoy's C++ factories), and the meaning of the plugin configuration beyond its
// top-level shape: the filter's own configuration parser is the authority on that.
//
// It is a separate Go module so that go-control-plane, protobuf and gRPC never enter tokengate's go.mod.
// A new extension in envoy.yaml needs its package imported in extensions.go; otherwise decoding fails
// with "unable to resolve" naming the type URL.
package main
