package main

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
)

// visitFunc is called once per message in the tree, with the field path that leads to it (for example
// static_resources.listeners[0].filter_chains[0].filters[0].typed_config<...HttpConnectionManager>).
// unpacked is true for the message inside a google.protobuf.Any.
type visitFunc func(path string, m proto.Message, unpacked bool) error

// walkMessage visits m and every message below it, unpacking each google.protobuf.Any into its
// concrete type on the way. It stops at the first error.
func walkMessage(path string, m protoreflect.Message, unpacked bool, visit visitFunc) error {
	if err := visit(path, m.Interface(), unpacked); err != nil {
		return err
	}
	if a, ok := m.Interface().(*anypb.Any); ok {
		inner, err := a.UnmarshalNew()
		if err != nil {
			return fmt.Errorf("%s: unpack %s: %w", path, a.GetTypeUrl(), err)
		}
		name := string(inner.ProtoReflect().Descriptor().FullName())
		return walkMessage(path+"<"+name+">", inner.ProtoReflect(), true, visit)
	}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := join(path, string(fd.Name()))
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = walkMessage(fmt.Sprintf("%s[%d]", p, i), l.Get(i).Message(), false, visit)
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				err = walkMessage(fmt.Sprintf("%s[%v]", p, k.Interface()), mv.Message(), false, visit)
				return err == nil
			})
		case fd.Message() != nil && !fd.IsList() && !fd.IsMap():
			err = walkMessage(p, v.Message(), false, visit)
		}
		return err == nil
	})
	return err
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// validator is what protoc-gen-validate generates for every Envoy message.
type validator interface{ ValidateAll() error }

// validateTree runs the protoc-gen-validate rules on root and on the content of every Any below it
// (the generated code validates an Any's wrapper only), and rejects deprecated fields and enum values.
// It reports every problem it finds, not just the first.
func validateTree(root proto.Message) error {
	var problems []error
	visit := func(path string, m proto.Message, unpacked bool) error {
		if path == "" || unpacked {
			if v, ok := m.(validator); ok {
				if err := v.ValidateAll(); err != nil {
					problems = append(problems, fmt.Errorf("%s: %w", nameOr(path, m), err))
				}
			}
		}
		problems = append(problems, deprecatedFields(path, m.ProtoReflect())...)
		return nil
	}
	if err := walkMessage("", root.ProtoReflect(), false, visit); err != nil {
		return err
	}
	return errors.Join(problems...)
}

func nameOr(path string, m proto.Message) string {
	if path != "" {
		return path
	}
	return string(m.ProtoReflect().Descriptor().Name())
}

// deprecatedFields lists the fields of m (not of its children) that are set although the API marks
// them deprecated, including enum fields set to a deprecated value.
func deprecatedFields(path string, m protoreflect.Message) []error {
	var out []error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := join(path, string(fd.Name()))
		if opts, ok := fd.Options().(*descriptorpb.FieldOptions); ok && opts.GetDeprecated() {
			out = append(out, fmt.Errorf("%s: field is deprecated", p))
		}
		if fd.Enum() != nil && !fd.IsList() && !fd.IsMap() {
			ev := fd.Enum().Values().ByNumber(v.Enum())
			if ev != nil {
				if opts, ok := ev.Options().(*descriptorpb.EnumValueOptions); ok && opts.GetDeprecated() {
					out = append(out, fmt.Errorf("%s: value %s is deprecated", p, ev.Name()))
				}
			}
		}
		return true
	})
	return out
}
