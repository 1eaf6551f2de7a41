package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// errUsage marks an error after which the command's usage was already printed (exit status 2).
var errUsage = errors.New("usage")

// newFlagSet returns a flag set that reports errors instead of exiting, and prints its usage (a
// synopsis line, a description and the flags) to w.
func newFlagSet(name, synopsis, description string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "usage: tokengate %s %s\n\n%s\n\nflags:\n", name, synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and refuses positional arguments: every input of tokengate is a flag.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (every input is a flag; see tokengate %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}
