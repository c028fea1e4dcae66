package cli

// The struct side of the JSON encoder (json.go): which fields a struct
// type has in JSON, by encoding/json's rules, and their values.

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// structValue appends the exported fields of a struct.
func (e *jsonEncoder) structValue(v reflect.Value) error {
	fields, err := structFields(v.Type())
	if err != nil {
		return err
	}
	e.open('{')
	n := 0
	for _, f := range fields {
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			continue
		}
		if err := e.member(n == 0, f.name, fv); err != nil {
			return err
		}
		n++
	}
	e.close('}', n)
	return nil
}

// fieldByIndex returns the field at index, following embedded pointers;
// ok is false when one of them is nil (the field is then left out).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// isEmpty is omitempty's test: false, 0, "", a nil pointer or interface,
// and an empty array, slice or map.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is omitzero's test: the value's IsZero method when it has one
// (time.Time), the zero value otherwise.
func isZero(v reflect.Value) bool {
	if z, ok := method[interface{ IsZero() bool }](v, isZeroerType); ok {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		return z.IsZero()
	}
	return v.IsZero()
}

// jsonField is one member of a struct's JSON object.
type jsonField struct {
	name      string
	index     []int // the path through embedded structs
	tagged    bool  // the name comes from a json tag
	omitEmpty bool
	omitZero  bool
}

// fieldCache maps a struct type to its []jsonField or its error.
var fieldCache sync.Map

type cachedFields struct {
	fields []jsonField
	err    error
}

// structFields returns the members of struct type t in field order, by
// encoding/json's rules: exported fields, named by their json tag or
// else their Go name, "-" left out; the fields of an embedded struct
// without a tag promoted into t, where the shallowest field of a name
// wins, a tagged one among equally shallow ones, and a name still
// ambiguous is left out.
func structFields(t reflect.Type) ([]jsonField, error) {
	if c, ok := fieldCache.Load(t); ok {
		return c.(cachedFields).fields, c.(cachedFields).err
	}
	fields, err := collectFields(t)
	fieldCache.Store(t, cachedFields{fields, err})
	return fields, err
}

func collectFields(t reflect.Type) ([]jsonField, error) {
	type level struct {
		t     reflect.Type
		index []int
	}
	var all []jsonField
	visited := map[reflect.Type]bool{}
	// count is how often each struct type of the current level was
	// reached: a type embedded twice at one depth makes its names
	// ambiguous, so its fields are recorded twice to be dropped below.
	var count map[reflect.Type]int
	nextCount := map[reflect.Type]int{}
	for next := []level{{t: t}}; len(next) > 0; {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, l := range current {
			if visited[l.t] {
				continue
			}
			visited[l.t] = true
			for i := range l.t.NumField() {
				sf := l.t.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clone(l.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					if nextCount[ft]++; nextCount[ft] == 1 {
						next = append(next, level{ft, index})
					}
					continue
				}
				f := jsonField{name: name, index: index, tagged: name != ""}
				if name == "" {
					f.name = sf.Name
				}
				for o := range strings.SplitSeq(opts, ",") {
					switch o {
					case "":
					case "omitempty":
						f.omitEmpty = true
					case "omitzero":
						f.omitZero = true
					default:
						return nil, fmt.Errorf("%s.%s: unsupported json tag option %q", t, sf.Name, o)
					}
				}
				all = append(all, f)
				if count[l.t] > 1 {
					all = append(all, f)
				}
			}
		}
	}
	// The dominant field of each name.
	slices.SortStableFunc(all, func(a, b jsonField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return 0
	})
	var out []jsonField
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		group := all[i:j]
		if len(group) == 1 || len(group[1].index) > len(group[0].index) ||
			group[0].tagged && !group[1].tagged {
			out = append(out, group[0])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	return out, nil
}
