package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

const mainUsage = `usage: tokengate COMMAND [flags]

commands:
  token    mint a signed test JWT from a private key or HMAC secret
  keygen   write a key pair (private PEM, public PEM, JWKS) or an HMAC secret for tests
  run      serve HTTP through dist/tokengate.wasm (testenv host) in front of an upstream:
           for trying policies without Envoy, NOT a production proxy
  demo     keygen + echo upstream + run on 127.0.0.1:8080, printing curl commands (make run)

"tokengate COMMAND -h" describes a command's flags.
`

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain runs one command and returns the process exit status: 0 success, 1 failure, 2 usage error.
func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "token":
		err = cmdToken(rest, stdout, stderr, time.Now())
	case "keygen":
		err = cmdKeygen(rest, stdout, stderr)
	case "run":
		err = cmdRun(rest, stdout, stderr)
	case "demo":
		err = cmdDemo(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, mainUsage)
		return 0
	default:
		fmt.Fprintf(stderr, "tokengate: unknown command %q\n\n%s", cmd, mainUsage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "tokengate %s: %v\n", args[0], err)
		return 1
	}
}
