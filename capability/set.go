package capability

import (
	"fmt"
	"iter"
	"math/bits"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// Set is a set of capabilities: bit n is capability n. It is the value of
// every capability line of /proc/PID/status (CapInh, CapPrm, CapEff,
// CapBnd, CapAmb) and the union of capget(2)'s two 32-bit words. The zero
// Set is empty.
type Set uint64

// SetOf returns the set of the given capabilities. It panics if one is above
// 63, which no set can hold: a programming error.
func SetOf(caps ...Cap) Set {
	var s Set
	for _, c := range caps {
		s.Add(c)
	}
	return s
}

// named is the set of the capabilities lx has names for.
const named Set = 1<<numNamed - 1

// Has reports whether c is in s.
func (s Set) Has(c Cap) bool { return c < 64 && s&(1<<c) != 0 }

// Add puts c in s. It panics if c is above 63, which no set can hold: a
// programming error.
func (s *Set) Add(c Cap) {
	if c >= 64 {
		panic("capability: Add of capability " + c.String() + ", above 63")
	}
	*s |= 1 << c
}

// Remove takes c out of s; a capability above 63 is never in a set.
func (s *Set) Remove(c Cap) {
	if c < 64 {
		*s &^= 1 << c
	}
}

// Union returns the capabilities in s or t.
func (s Set) Union(t Set) Set { return s | t }

// Intersect returns the capabilities in both s and t.
func (s Set) Intersect(t Set) Set { return s & t }

// Difference returns the capabilities in s but not in t.
func (s Set) Difference(t Set) Set { return s &^ t }

// Len returns the number of capabilities in s.
func (s Set) Len() int { return bits.OnesCount64(uint64(s)) }

// All yields the capabilities in s in increasing order.
func (s Set) All() iter.Seq[Cap] {
	return func(yield func(Cap) bool) {
		for w := uint64(s); w != 0; w &= w - 1 {
			if !yield(Cap(bits.TrailingZeros64(w))) {
				return
			}
		}
	}
}

// String lists the capabilities in increasing order, separated by commas
// ("cap_chown,cap_kill", the form of capsh --decode); a capability lx has
// no name for is its number ("cap_bpf,41"). The empty set is "".
func (s Set) String() string {
	b, _ := s.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (s Set) AppendText(b []byte) ([]byte, error) {
	first := true
	for w := uint64(s); w != 0; w &= w - 1 {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = Cap(bits.TrailingZeros64(w)).appendName(b)
	}
	return b, nil
}

// MarshalText returns String's text.
func (s Set) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText sets *s from text ParseSet accepts.
func (s *Set) UnmarshalText(text []byte) error {
	v, err := ParseSet(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSet parses a comma-separated list of capabilities, each as Parse
// accepts it, in any order and with repeats: String's form. The empty
// string is the empty set.
func ParseSet(text string) (Set, error) {
	var s Set
	if text == "" {
		return s, nil
	}
	for i := 0; ; i++ {
		c, next, err := scanCap(text, i)
		if err == nil && next < len(text) && text[next] != ',' {
			err = strconv.ErrSyntax
		}
		if err != nil {
			return 0, fmt.Errorf("capability: invalid set %q at offset %d: %w", text, i, err)
		}
		s |= 1 << c
		if next == len(text) {
			return s, nil
		}
		i = next
	}
}

// Hex returns s as /proc/PID/status prints a capability set: 16
// lower-case hexadecimal digits, "000001ffffffffff".
func (s Set) Hex() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := range b {
		b[i] = digits[uint64(s)>>(60-4*i)&0xf]
	}
	return string(b[:])
}

// ParseHex parses a capability set in hexadecimal, the form of the
// capability lines of /proc/PID/status ("000001ffffffffff") and of capsh
// --decode: 1 to 16 significant digits in either case, with no "0x"
// prefix, sign or space. Leading zeros are allowed. The error wraps
// strconv.ErrSyntax, or strconv.ErrRange for a value above 64 bits. It
// allocates nothing unless it fails.
func ParseHex[T ~string | ~[]byte](text T) (Set, error) {
	n, err := parse.Hex([]byte(text))
	if err != nil {
		return 0, fmt.Errorf("capability: invalid hex set: %w", err)
	}
	return Set(n), nil
}
