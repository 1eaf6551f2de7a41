package main

import (
	"fmt"

	"github.com/tokengate/tokengate/internal/jwtmint"
)

// lookupAlg finds a JWS algorithm by its exact JOSE name for --alg. "none" is deliberately absent.
func lookupAlg(name string) (jwtmint.Alg, error) {
	if a, ok := jwtmint.LookupAlg(name); ok {
		return a, nil
	}
	return jwtmint.Alg{}, fmt.Errorf("--alg %q: want one of %s", name, jwtmint.AlgNames())
}
