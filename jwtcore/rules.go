package jwtcore

import (
	"errors"
	"strings"

	"github.com/tidwall/gjson"
)

// RuleOp is a claim-rule operator. The zero value is invalid and never passes.
type RuleOp uint8

// The operators.
const (
	RuleEquals   RuleOp = iota + 1 // the value equals Values[0]
	RuleOneOf                      // the value equals one of Values
	RuleContains                   // an array element, or a space-delimited word of a string, equals Values[0]
	RulePrefix                     // the string value starts with Values[0]
	RuleExists                     // the path exists (any type, including null)
)

var ruleOpNames = [...]string{RuleEquals: "equals", RuleOneOf: "one_of", RuleContains: "contains", RulePrefix: "prefix", RuleExists: "exists"}

// ParseRuleOp maps "equals", "one_of", "contains", "prefix" or "exists" to a RuleOp.
func ParseRuleOp(name string) (RuleOp, bool) {
	for op := RuleEquals; op <= RuleExists; op++ {
		if ruleOpNames[op] == name {
			return op, true
		}
	}
	return 0, false
}

// String returns the operator's configuration name.
func (op RuleOp) String() string {
	if op >= RuleEquals && op <= RuleExists {
		return ruleOpNames[op]
	}
	return "invalid"
}

// ClaimRule is a requirement on one claim, addressed by a gjson path.
//
// Scalars compare as text: a string by its decoded value, a number or boolean by its JSON text
// (so equals "true" matches true, equals "42" matches 42 but not 42.0). Comparing an object,
// array or null with equals/one_of/prefix is a malformed claim, as is contains on anything but a
// string or an array.
type ClaimRule struct {
	Path   string   // gjson path
	Op     RuleOp   //
	Values []string // Equals/Contains/Prefix use Values[0]; OneOf uses all; Exists none
}

// Validate reports configuration mistakes (load time): empty path, invalid op, missing values.
func (r ClaimRule) Validate() error {
	switch {
	case r.Path == "":
		return errors.New("jwtcore: claim rule: empty path")
	case r.Op < RuleEquals || r.Op > RuleExists:
		return errors.New("jwtcore: claim rule " + r.Path + ": invalid op")
	case r.Op != RuleExists && len(r.Values) == 0:
		return errors.New("jwtcore: claim rule " + r.Path + ": " + r.Op.String() + " needs a value")
	}
	return nil
}

// Check applies the rule. Errors: ErrClaimRuleFailed (Detail names the path) when the claim is
// missing or does not match, ErrClaimMalformed when its type cannot be compared. A rule that
// fails Validate never passes.
func (r ClaimRule) Check(c *Claims) error {
	if r.Validate() != nil {
		return newErr(ErrClaimRuleFailed, r.Path+" (invalid rule)")
	}
	res := c.Get(r.Path)
	fail := func() error { return newErr(ErrClaimRuleFailed, r.Path) }
	if !res.Exists() {
		return fail()
	}
	if r.Op == RuleExists {
		return nil
	}
	if r.Op == RuleContains {
		switch {
		case res.Type == gjson.String:
			if hasWord(res.Str, r.Values[0]) {
				return nil
			}
			return fail()
		case res.IsArray():
			found := false
			res.ForEach(func(_, el gjson.Result) bool {
				t, ok := scalarText(el)
				found = ok && t == r.Values[0]
				return !found
			})
			if found {
				return nil
			}
			return fail()
		}
		return newErr(ErrClaimMalformed, r.Path)
	}
	text, ok := scalarText(res)
	if !ok || (r.Op == RulePrefix && res.Type != gjson.String) {
		return newErr(ErrClaimMalformed, r.Path)
	}
	switch r.Op {
	case RuleEquals:
		ok = text == r.Values[0]
	case RuleOneOf:
		ok = containsString(r.Values, text)
	case RulePrefix:
		ok = strings.HasPrefix(text, r.Values[0])
	}
	if !ok {
		return fail()
	}
	return nil
}

// scalarText returns the comparable text of a string, number or boolean.
func scalarText(r gjson.Result) (string, bool) {
	switch r.Type {
	case gjson.String:
		return r.Str, true
	case gjson.Number, gjson.True, gjson.False:
		return r.Raw, true
	}
	return "", false
}
