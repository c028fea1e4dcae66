package mount

import (
	"fmt"
	"math"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// Propagation is the propagation state of a mount: the optional fields
// of its mountinfo line, between the per-mount options and the "-"
// separator (Documentation/filesystems/sharedsubtree.rst). Peer group ids
// start at 1, so 0 means "absent". A mount with none of them is private.
type Propagation struct {
	// Shared is N of "shared:N": the mount is shared in peer group N.
	Shared int
	// Master is N of "master:N": the mount is a slave receiving
	// propagation from peer group N.
	Master int
	// PropagateFrom is N of "propagate_from:N": the slave receives from
	// peer group N, the closest dominant peer group visible from the
	// process's root; the kernel prints it only when it differs from
	// Master.
	PropagateFrom int
	// Unbindable is "unbindable": the mount cannot be bind mounted.
	Unbindable bool
}

// IsPrivate reports whether p has none of the fields: the mount neither
// sends nor receives propagation and may be bind mounted.
func (p Propagation) IsPrivate() bool { return p == Propagation{} }

// String returns the optional fields as the kernel prints them, separated
// by spaces in the kernel's order ("shared:1 master:2"), or "private"
// when there are none (findmnt's word; the kernel prints nothing).
func (p Propagation) String() string {
	b, _ := p.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (p Propagation) AppendText(b []byte) ([]byte, error) {
	start := len(b)
	field := func(name string, n int) {
		if len(b) > start {
			b = append(b, ' ')
		}
		b = append(b, name...)
		if n != 0 {
			b = strconv.AppendInt(append(b, ':'), int64(n), 10)
		}
	}
	if p.Shared != 0 {
		field("shared", p.Shared)
	}
	if p.Master != 0 {
		field("master", p.Master)
	}
	if p.PropagateFrom != 0 {
		field("propagate_from", p.PropagateFrom)
	}
	if p.Unbindable {
		field("unbindable", 0)
	}
	if len(b) == start {
		b = append(b, "private"...)
	}
	return b, nil
}

// MarshalText returns String's text.
func (p Propagation) MarshalText() ([]byte, error) { return p.AppendText(nil) }

// UnmarshalText sets *p from text ParsePropagation accepts.
func (p *Propagation) UnmarshalText(text []byte) error {
	v, err := ParsePropagation(text)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePropagation parses the optional fields of a mountinfo line,
// separated by spaces or tabs: "shared:N", "master:N", "propagate_from:N"
// and "unbindable", N a peer group id 1..2^31-1. An empty text and the
// word "private" alone are the private state. Fields lx does not know,
// with or without a colon, are skipped, as proc(5) asks of parsers; a
// known tag with a malformed id is an error wrapping strconv.ErrSyntax,
// or strconv.ErrRange for an id above 2^31-1. It allocates nothing
// unless it fails.
func ParsePropagation[T ~string | ~[]byte](text T) (Propagation, error) {
	// The kernel's usual fields, "shared:N" and "master:N" separated by
	// one space with N of up to nine digits, are read on a fast path:
	// the tag compared as one word, the digits with a loop. Anything
	// else goes to parsePropagationFields, which gives the same answer
	// and reports errors.
	var p Propagation
	for i := 0; i < len(text); {
		var dst *int
		switch load8(text, i) & (1<<56 - 1) {
		case 0x3a646572616873: // "shared:"
			dst = &p.Shared
		case 0x3a72657473616d: // "master:"
			dst = &p.Master
		default:
			return parsePropagationFields(text)
		}
		j := i + 7
		var n uint64
		k := j
		for k < len(text) && text[k]-'0' <= 9 && k-j < 9 {
			n = n*10 + uint64(text[k]-'0')
			k++
		}
		if n == 0 || (k < len(text) && text[k] != ' ') {
			return parsePropagationFields(text)
		}
		*dst = int(n)
		i = k + 1
	}
	return p, nil
}

// parsePropagationFields is ParsePropagation field by field: it takes
// any text, and reports the errors.
func parsePropagationFields[T ~string | ~[]byte](text T) (Propagation, error) {
	var p Propagation
	if string(text) == "private" {
		return p, nil
	}
	for i := 0; i < len(text); {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		start, end := i, i
		colon := -1
		for end < len(text) && text[end] != ' ' && text[end] != '\t' {
			if text[end] == ':' && colon < 0 {
				colon = end
			}
			end++
		}
		field := text[start:end]
		i = end
		if colon < 0 {
			if string(field) == "unbindable" {
				p.Unbindable = true
			}
			continue
		}
		var dst *int
		switch string(text[start:colon]) {
		case "shared":
			dst = &p.Shared
		case "master":
			dst = &p.Master
		case "propagate_from":
			dst = &p.PropagateFrom
		default:
			continue
		}
		n, err := parse.Uint([]byte(text[colon+1 : end]))
		if err == nil && (n == 0 || n > math.MaxInt32) {
			err = strconv.ErrRange
		}
		if err != nil {
			return Propagation{}, propagationError(field, err)
		}
		*dst = int(n)
	}
	return p, nil
}

//go:noinline
func propagationError[T ~string | ~[]byte](field T, err error) error {
	return fmt.Errorf("mount: invalid propagation field %q: %w", string(field), err)
}
