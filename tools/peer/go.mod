module github.com/tokengate/tokengate/tools/peer

go 1.25.0

replace github.com/tokengate/tokengate => ../..

require github.com/tokengate/tokengate v0.0.0-00010101000000-000000000000

require (
	github.com/tetratelabs/wazero v1.12.0 // indirect
	golang.org/x/sys v0.44.0 // indirect
)
