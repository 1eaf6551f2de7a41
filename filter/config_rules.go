package filter

import (
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tokengate/tokengate/jwtcore"
)

// parseRules reads "rules": ordered, the first match wins.
func parseRules(cfg *compiledConfig, r gjson.Result) error {
	items, err := asArray("rules", r)
	if err != nil {
		return err
	}
	for i, it := range items {
		ru, err := parseRule(cfg, i, it)
		if err != nil {
			return err
		}
		cfg.rules = append(cfg.rules, ru)
	}
	return nil
}

func parseRule(cfg *compiledConfig, i int, r gjson.Result) (rule, error) {
	path := index("rules", i)
	m, _, err := object(path, r, "match", "allow", "require")
	if err != nil {
		return rule{}, err
	}
	mr, ok := m["match"]
	if !ok {
		return rule{}, errAt(field(path, "match"), "is required")
	}
	match, err := parseMatch(field(path, "match"), mr)
	if err != nil {
		return rule{}, err
	}
	av, hasAllow := m["allow"]
	rv, hasRequire := m["require"]
	switch {
	case hasAllow && hasRequire:
		return rule{}, errAt(field(path, "require"), "a rule has either allow or require, not both")
	case hasAllow:
		allow, err := asBool(field(path, "allow"), av)
		if err != nil {
			return rule{}, err
		}
		if !allow {
			return rule{}, errAt(field(path, "allow"), "must be true (a request that matches no rule is denied already)")
		}
		return rule{index: i, match: match, allow: true}, nil
	case hasRequire:
		return parseRequire(cfg, path, i, match, rv)
	}
	return rule{}, errAt(path, "needs allow or require")
}

func parseMatch(path string, r gjson.Result) (routeMatch, error) {
	m, _, err := object(path, r, "prefix", "exact", "methods")
	if err != nil {
		return routeMatch{}, err
	}
	var rm routeMatch
	pv, hasPrefix := m["prefix"]
	ev, hasExact := m["exact"]
	switch {
	case hasPrefix && hasExact:
		return routeMatch{}, errAt(field(path, "exact"), "a match has either prefix or exact, not both")
	case hasPrefix:
		if rm.prefix, err = parseRulePath(field(path, "prefix"), pv); err != nil {
			return routeMatch{}, err
		}
	case hasExact:
		if rm.exact, err = parseRulePath(field(path, "exact"), ev); err != nil {
			return routeMatch{}, err
		}
	default:
		return routeMatch{}, errAt(path, "needs prefix or exact")
	}
	if v, ok := m["methods"]; ok {
		methods, err := asStringList(field(path, "methods"), v)
		if err != nil {
			return routeMatch{}, err
		}
		if len(methods) == 0 {
			return routeMatch{}, errAt(field(path, "methods"), "must not be empty (leave it out to match every method)")
		}
		for j, meth := range methods {
			if !validHeaderName(meth) || strings.ToUpper(meth) != meth {
				return routeMatch{}, errAt(index(field(path, "methods"), j), "%q is not an upper-case method name", meth)
			}
		}
		rm.methods = methods
	}
	return rm, nil
}

// parseRulePath reads a prefix or exact path: it must already be in the
// normal form that requests are matched in (path.go).
func parseRulePath(path string, r gjson.Result) (string, error) {
	s, err := asNonEmptyString(path, r)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(s, "?#") {
		return "", errAt(path, "%q must be a path without query or fragment", s)
	}
	norm, nerr := normalizePath(s)
	if nerr != nil {
		return "", errAt(path, "%q: %v", s, nerr)
	}
	if norm != s {
		return "", errAt(path, "%q is not a normalized path (requests are matched as %q)", s, norm)
	}
	return s, nil
}

func parseRequire(cfg *compiledConfig, path string, i int, match routeMatch, r gjson.Result) (rule, error) {
	rpath := field(path, "require")
	m, _, err := object(rpath, r, "provider", "any", "scopes", "claims", "allow_missing")
	if err != nil {
		return rule{}, err
	}
	var names []string
	pv, hasOne := m["provider"]
	av, hasAny := m["any"]
	switch {
	case hasOne && hasAny:
		return rule{}, errAt(field(rpath, "any"), "require has either provider or any, not both")
	case hasOne:
		n, err := asNonEmptyString(field(rpath, "provider"), pv)
		if err != nil {
			return rule{}, err
		}
		names = []string{n}
	case hasAny:
		if names, err = asStringList(field(rpath, "any"), av); err != nil {
			return rule{}, err
		}
		if len(names) == 0 {
			return rule{}, errAt(field(rpath, "any"), "must not be empty")
		}
	default:
		return rule{}, errAt(rpath, "needs provider or any")
	}
	var providers []*provider
	for j, n := range names {
		npath := field(rpath, "provider")
		if hasAny {
			npath = index(field(rpath, "any"), j)
		}
		p := cfg.providerByName(n)
		if p == nil {
			return rule{}, errAt(npath, "unknown provider %q", n)
		}
		for _, have := range providers {
			if have == p {
				return rule{}, errAt(npath, "provider %q is listed twice", n)
			}
		}
		providers = append(providers, p)
	}
	ru := newRequireRule(i, match, providers)
	if v, ok := m["scopes"]; ok {
		if ru.scopes, err = asStringList(field(rpath, "scopes"), v); err != nil {
			return rule{}, err
		}
		for j, s := range ru.scopes {
			if strings.ContainsAny(s, " \t\"\\") || headerSafe(s, len(s)) != s {
				return rule{}, errAt(index(field(rpath, "scopes"), j), "%q is not a scope token", s)
			}
		}
	}
	if v, ok := m["claims"]; ok {
		if ru.claims, err = parseClaimRules(field(rpath, "claims"), v); err != nil {
			return rule{}, err
		}
	}
	if v, ok := m["allow_missing"]; ok {
		if ru.allowMissing, err = asBool(field(rpath, "allow_missing"), v); err != nil {
			return rule{}, err
		}
	}
	return ru, nil
}

func (cfg *compiledConfig) providerByName(name string) *provider {
	for _, p := range cfg.providers {
		if p.name == name {
			return p
		}
	}
	return nil
}

// claimOps are the operators of a claims rule: exactly one per rule.
var claimOps = []string{"equals", "one_of", "contains", "prefix", "exists"}

// parseClaimRules reads [{"path": "roles", "contains": "admin"}, ...].
func parseClaimRules(path string, r gjson.Result) ([]jwtcore.ClaimRule, error) {
	items, err := asArray(path, r)
	if err != nil {
		return nil, err
	}
	out := make([]jwtcore.ClaimRule, 0, len(items))
	for i, it := range items {
		ipath := index(path, i)
		m, order, err := object(ipath, it, append([]string{"path"}, claimOps...)...)
		if err != nil {
			return nil, err
		}
		var cr jwtcore.ClaimRule
		pv, ok := m["path"]
		if !ok {
			return nil, errAt(field(ipath, "path"), "is required")
		}
		if cr.Path, err = asNonEmptyString(field(ipath, "path"), pv); err != nil {
			return nil, err
		}
		var opName string
		for _, k := range order {
			if k == "path" {
				continue
			}
			if opName != "" {
				return nil, errAt(field(ipath, k), "a claims rule has one operator, and %s is already given", opName)
			}
			opName = k
		}
		if opName == "" {
			return nil, errAt(ipath, "needs one operator: %s", strings.Join(claimOps, ", "))
		}
		op, ok := jwtcore.ParseRuleOp(opName)
		if !ok {
			return nil, errAt(field(ipath, opName), "unknown operator")
		}
		cr.Op = op
		v := m[opName]
		opath := field(ipath, opName)
		switch opName {
		case "exists":
			b, err := asBool(opath, v)
			if err != nil {
				return nil, err
			}
			if !b {
				return nil, errAt(opath, "must be true")
			}
		case "one_of":
			if cr.Values, err = asStringList(opath, v); err != nil {
				return nil, err
			}
			if len(cr.Values) == 0 {
				return nil, errAt(opath, "must not be empty")
			}
		default:
			s, err := asString(opath, v)
			if err != nil {
				return nil, err
			}
			cr.Values = []string{s}
		}
		if err := cr.Validate(); err != nil {
			return nil, errAt(ipath, "%s", trimJWTPrefix(err))
		}
		out = append(out, cr)
	}
	return out, nil
}
