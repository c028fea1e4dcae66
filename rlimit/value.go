package rlimit

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// Value is one limit value (rlim_t) in its resource's unit, or Unlimited.
type Value uint64

// Unlimited is RLIM_INFINITY: no limit. prlimit(2) takes and gives it as
// 2^64-1 on every architecture.
const Unlimited Value = math.MaxUint64

// IsUnlimited reports whether v is Unlimited.
func (v Value) IsUnlimited() bool { return v == Unlimited }

// String returns "unlimited" or the decimal value, as /proc/PID/limits
// prints them.
func (v Value) String() string {
	if v == Unlimited {
		return "unlimited"
	}
	return strconv.FormatUint(uint64(v), 10)
}

// AppendText appends String's text to b.
func (v Value) AppendText(b []byte) ([]byte, error) {
	if v == Unlimited {
		return append(b, "unlimited"...), nil
	}
	return strconv.AppendUint(b, uint64(v), 10), nil
}

// MarshalText returns String's text, for text contexts (a map key, a
// flag, a text encoding); JSON uses MarshalJSON.
func (v Value) MarshalText() ([]byte, error) { return v.AppendText(nil) }

// MarshalJSON returns v as a JSON number in its resource's unit, or the
// string "unlimited" for Unlimited.
func (v Value) MarshalJSON() ([]byte, error) {
	if v == Unlimited {
		return []byte(`"unlimited"`), nil
	}
	return strconv.AppendUint(nil, uint64(v), 10), nil
}

// UnmarshalJSON sets *v from a JSON number, an integer 0..2^64-1
// written without a fraction or an exponent, or a JSON string
// ParseValue accepts ("unlimited", or a number in decimal as
// MarshalText writes it). null leaves *v unchanged, as encoding/json
// does for other types.
func (v *Value) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	text := b
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("rlimit: invalid limit value %s: %w", b, err)
		}
		text = []byte(s)
	}
	n, err := ParseValue(text)
	if err != nil {
		return err
	}
	*v = n
	return nil
}

// UnmarshalText sets *v from text ParseValue accepts.
func (v *Value) UnmarshalText(text []byte) error {
	n, err := ParseValue(text)
	if err != nil {
		return err
	}
	*v = n
	return nil
}

// ParseValue parses a limit value as /proc/PID/limits prints it:
// "unlimited" or a decimal number 0..2^64-1 (2^64-1 is Unlimited too).
//
// The kernel prints RLIM_INFINITY as "unlimited" on every architecture
// (fs/proc/base.c), so a number is never RLIM_INFINITY in disguise: on a
// 32-bit kernel, whose RLIM_INFINITY is 2^32-1, the largest finite value
// is 2^32-2, and on a 64-bit kernel 4294967295 is a finite limit even
// when a 32-bit program reads it. The error wraps strconv.ErrSyntax, or
// strconv.ErrRange for a number above 2^64-1. It allocates nothing
// unless it fails.
func ParseValue[T ~string | ~[]byte](text T) (Value, error) {
	if string(text) == "unlimited" {
		return Unlimited, nil
	}
	n, err := parse.Uint([]byte(text))
	if err != nil {
		return 0, fmt.Errorf("rlimit: invalid limit value: %w", err)
	}
	return Value(n), nil
}

// Limit is a soft and a hard limit. The soft limit is what the kernel
// enforces; the hard limit is the ceiling of the soft one, which a
// process may lower but raise only with CAP_SYS_RESOURCE.
type Limit struct {
	Soft, Hard Value
}

// String returns "soft:hard", the form prlimit(1) takes ("1024:4096",
// "unlimited:unlimited").
func (l Limit) String() string {
	b, _ := l.Soft.AppendText(nil)
	b, _ = l.Hard.AppendText(append(b, ':'))
	return string(b)
}
