package cli

// This file is the CLI's JSON encoder. encoding/json replaces every byte
// that is not UTF-8 with U+FFFD, so a command name, path or argument that
// is not UTF-8 could not be recovered from lx's output. This encoder
// follows encoding/json's rules (struct tags, omitempty, Marshaler,
// TextMarshaler, embedded structs, field names) with one difference, the
// exact-string rule, so that the library's own values (procfs.Stat,
// procfs.Comm, ...) can be printed as they are, without a parallel report
// type per command:
//
//   - A string, a []byte or the text of an encoding.TextMarshaler is a
//     JSON string when it is valid UTF-8 (control characters escaped as
//     JSON requires), and otherwise the object {"base64": "..."}, the
//     standard base64 (RFC 4648, padded) of its exact bytes.
//
// Beyond encoding/json it also encodes an error as its message, a
// time.Time as RFC 3339 with the zone (fractions of a second only when the
// value has them) and a time.Duration as integer nanoseconds. A map key
// must be valid UTF-8: it has no room for the base64 form, so a map with
// another key is an error, and the CLI keeps kernel strings out of map
// keys (it uses slices). Tag options other than omitempty and omitzero
// (",string") are errors rather than silently ignored. `lx help json`
// documents the result for users.

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// writeJSON writes v as one indented JSON value followed by a newline.
// Nothing is written when v cannot be encoded.
func writeJSON(w io.Writer, v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// marshalJSON returns v as indented JSON (two spaces per level, as
// json.MarshalIndent(v, "", "  ") without HTML escaping).
func marshalJSON(v any) ([]byte, error) {
	e := &jsonEncoder{}
	rv := reflect.ValueOf(v)
	if rv.IsValid() {
		// A copy that is addressable, so that methods with pointer
		// receivers are found on its fields, as encoding/json finds them
		// when given a pointer.
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		rv = p.Elem()
	}
	if err := e.value(rv); err != nil {
		return nil, fmt.Errorf("json: %w", err)
	}
	return e.buf, nil
}

// maxJSONDepth bounds the nesting, so that a pointer cycle is an error
// rather than a stack overflow.
const maxJSONDepth = 1000

type jsonEncoder struct {
	buf    []byte
	depth  int // nesting of value calls, bounded by maxJSONDepth
	indent int // indentation level of the current line
}

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	errorType         = reflect.TypeFor[error]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	timeType          = reflect.TypeFor[time.Time]()
)

// value appends v. An invalid v (a nil interface) is null.
func (e *jsonEncoder) value(v reflect.Value) error {
	if e.depth++; e.depth > maxJSONDepth {
		return fmt.Errorf("nesting deeper than %d levels (a pointer cycle?)", maxJSONDepth)
	}
	defer func() { e.depth-- }()
	// Follow pointers and interfaces to the value. A pointer whose type
	// has a marshaling method stays: one of the checks below takes it.
	for hops := 0; ; hops++ {
		if hops > maxJSONDepth { // a pointer type that points to itself
			return fmt.Errorf("nesting deeper than %d levels (a pointer cycle?)", maxJSONDepth)
		}
		if !v.IsValid() || (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if v.Kind() == reflect.Interface {
			v = v.Elem()
			continue
		}
		if v.Kind() == reflect.Pointer && (v.Type().Elem() == timeType || !hasMethods(v.Type())) {
			v = v.Elem()
			continue
		}
		break
	}

	// A value reached through an unexported embedded field that has a
	// json tag cannot be passed to its methods (reflect forbids it); like
	// a type without them, it is encoded by its kind.
	if v.CanInterface() {
		if v.Type() == timeType {
			return e.time(v.Interface().(time.Time))
		}
		if m, ok := method[json.Marshaler](v, jsonMarshalerType); ok {
			return e.marshaler(v.Type(), m)
		}
		if m, ok := method[encoding.TextMarshaler](v, textMarshalerType); ok {
			text, err := m.MarshalText()
			if err != nil {
				return fmt.Errorf("%s: MarshalText: %w", v.Type(), err)
			}
			e.bytes(text)
			return nil
		}
		if m, ok := method[error](v, errorType); ok {
			e.string(m.Error())
			return nil
		}
	}

	switch v.Kind() {
	case reflect.Pointer: // one with methods, reached through an unexported field
		return e.value(v.Elem())
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.float(v)
	case reflect.String:
		e.string(v.String())
	case reflect.Struct:
		return e.structValue(v)
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 && !hasMethods(reflect.PointerTo(v.Type().Elem())) {
			e.bytes(v.Bytes())
			return nil
		}
		return e.array(v)
	case reflect.Array:
		return e.array(v)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

// hasMethods reports whether t has one of the methods that decide how a
// value is encoded: MarshalJSON, MarshalText or Error.
func hasMethods(t reflect.Type) bool {
	return t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) || t.Implements(errorType)
}

// method returns v as an M when v's type, or (for an addressable v) its
// pointer type, implements M. A nil pointer never gets here.
func method[M any](v reflect.Value, typ reflect.Type) (M, bool) {
	if v.Type().Implements(typ) {
		return v.Interface().(M), true
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() && reflect.PointerTo(v.Type()).Implements(typ) {
		return v.Addr().Interface().(M), true
	}
	var zero M
	return zero, false
}

// marshaler appends the output of a json.Marshaler, checked and indented
// to the current depth.
func (e *jsonEncoder) marshaler(t reflect.Type, m json.Marshaler) error {
	raw, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%s: MarshalJSON: %w", t, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return fmt.Errorf("%s: MarshalJSON returned invalid JSON: %w", t, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), e.indentString(), "  "); err != nil {
		return fmt.Errorf("%s: MarshalJSON: %w", t, err)
	}
	e.buf = append(e.buf, out.Bytes()...)
	return nil
}

// time appends t in RFC 3339 with its zone and only the fractional
// digits it has.
func (e *jsonEncoder) time(t time.Time) error {
	text, err := t.MarshalText() // RFC 3339 with nanoseconds, trailing zeros dropped
	if err != nil {
		return fmt.Errorf("time: %w", err)
	}
	e.string(string(text))
	return nil
}

// float appends a float as encoding/json does: the shortest decimal that
// reads back as the same value, with an exponent only for very small or
// very large magnitudes. NaN and the infinities have no JSON form.
func (e *jsonEncoder) float(v reflect.Value) error {
	bits := v.Type().Bits()
	f := v.Float()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("unsupported value %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, bits)
	if format == 'e' {
		// "1e-07" becomes "1e-7", as in encoding/json
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	e.buf = append(e.buf, b...)
	return nil
}

// bytes appends a kernel string by the exact-string rule: a JSON string
// when it is valid UTF-8, {"base64": "..."} otherwise.
func (e *jsonEncoder) bytes(b []byte) {
	if utf8.Valid(b) {
		e.buf = appendJSONString(e.buf, string(b))
		return
	}
	e.buf = append(e.buf, '{')
	e.indent++
	e.newline()
	e.buf = append(e.buf, `"base64": "`...)
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, '"')
	e.indent--
	e.newline()
	e.buf = append(e.buf, '}')
}

// string appends s by the exact-string rule.
func (e *jsonEncoder) string(s string) {
	if utf8.ValidString(s) {
		e.buf = appendJSONString(e.buf, s)
		return
	}
	e.bytes([]byte(s))
}

// appendJSONString appends the valid UTF-8 string s as a JSON string,
// escaped as encoding/json escapes it without HTML escaping: '"', '\',
// the control characters below U+0020 (\b \f \n \r \t or \u00XX) and
// U+2028, U+2029 (which JavaScript does not accept in a string).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == '\u2028' || r == '\u2029' {
				b = append(b, s[start:i]...)
				b = append(b, `\u202`...)
				b = append(b, hex[r&0xf])
				start = i + n
			}
			i += n
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// indentString is the indentation of the current line.
func (e *jsonEncoder) indentString() string { return strings.Repeat("  ", e.indent) }

// newline starts a line at the current indentation.
func (e *jsonEncoder) newline() {
	e.buf = append(e.buf, '\n')
	for range e.indent {
		e.buf = append(e.buf, ' ', ' ')
	}
}

// open starts an object or array; close ends it, on a line of its own
// when it has members.
func (e *jsonEncoder) open(c byte) {
	e.buf = append(e.buf, c)
	e.indent++
}

func (e *jsonEncoder) close(c byte, members int) {
	e.indent--
	if members > 0 {
		e.newline()
	}
	e.buf = append(e.buf, c)
}

// array appends a slice or array.
func (e *jsonEncoder) array(v reflect.Value) error {
	e.open('[')
	n := v.Len()
	for i := range n {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline()
		if err := e.value(v.Index(i)); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	e.close(']', n)
	return nil
}

// member appends one object member, its key already valid UTF-8.
func (e *jsonEncoder) member(first bool, key string, v reflect.Value) error {
	if !first {
		e.buf = append(e.buf, ',')
	}
	e.newline()
	e.buf = appendJSONString(e.buf, key)
	e.buf = append(e.buf, ':', ' ')
	if err := e.value(v); err != nil {
		return fmt.Errorf("%s: %w", strconv.Quote(key), err)
	}
	return nil
}

// mapValue appends a map with its keys sorted. Keys are strings, integers
// or encoding.TextMarshalers, and must be valid UTF-8 (see the file
// comment).
func (e *jsonEncoder) mapValue(v reflect.Value) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	type entry struct {
		key string
		v   reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, err := mapKey(it.Key())
		if err != nil {
			return err
		}
		entries = append(entries, entry{k, it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	e.open('{')
	for i, en := range entries {
		if err := e.member(i == 0, en.key, en.v); err != nil {
			return err
		}
	}
	e.close('}', len(entries))
	return nil
}

// errInvalidKey is the error for a map key that is not valid UTF-8.
var errInvalidKey = errors.New("map key is not valid UTF-8 (put kernel strings in a slice, not in map keys)")

// mapKey returns the JSON key of k, as encoding/json chooses it: a string
// kind as it is, then a TextMarshaler's text, then an integer in decimal.
func mapKey(k reflect.Value) (string, error) {
	var s string
	switch {
	case k.Kind() == reflect.String:
		s = k.String()
	case k.Type().Implements(textMarshalerType):
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", fmt.Errorf("map key: nil %s", k.Type())
		}
		text, err := k.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return "", fmt.Errorf("map key %s: MarshalText: %w", k.Type(), err)
		}
		s = string(text)
	case k.CanInt():
		s = strconv.FormatInt(k.Int(), 10)
	case k.CanUint():
		s = strconv.FormatUint(k.Uint(), 10)
	default:
		return "", fmt.Errorf("unsupported map key type %s", k.Type())
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: %q", errInvalidKey, s)
	}
	return s, nil
}
