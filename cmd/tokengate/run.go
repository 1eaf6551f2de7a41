package main

import (
	"errors"
	"io"
)

func cmdRun(args []string, stdout, stderr io.Writer) error {
	return errors.New("not implemented yet: waiting for testenv")
}

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	return errors.New("not implemented yet: waiting for testenv")
}
