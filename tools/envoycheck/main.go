package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: envoycheck BOOTSTRAP.yaml...")
		os.Exit(2)
	}
	failed := false
	for _, name := range os.Args[1:] {
		doc, err := os.ReadFile(name)
		if err == nil {
			_, _, err = check(doc)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			failed = true
			continue
		}
		fmt.Printf("%s: ok\n", name)
	}
	if failed {
		os.Exit(1)
	}
}
