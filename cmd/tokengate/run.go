package main

import (
	"errors"
	"io"
)

func cmdRun(args []string, stdout, stderr io.Writer) error {
	_, err := parseRunOptions(args, stderr)
	if err != nil {
		return err
	}
	return errors.New("serving is not wired yet: waiting for testenv's gateway")
}

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	return errors.New("not wired yet: waiting for testenv's gateway")
}
