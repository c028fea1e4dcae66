package signal

import (
	"fmt"
	"iter"
	"math/bits"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// Set is a set of signals 1..64: signal n is bit n-1. It is the value of
// the SigPnd, ShdPnd, SigBlk, SigIgn and SigCgt lines of /proc/PID/status
// (16 hexadecimal digits) and of the obsolete decimal fields 31-34 of
// /proc/PID/stat, and the layout of the kernel's sigset_t on every
// architecture lx supports. The zero Set is empty.
type Set uint64

// SetOf returns the set of the given signals. It panics if one is
// outside 1..64, which no set can hold: a programming error.
func SetOf(sigs ...Signal) Set {
	var s Set
	for _, sig := range sigs {
		s.Add(sig)
	}
	return s
}

// Has reports whether sig is in s; a number outside 1..64 never is.
func (s Set) Has(sig Signal) bool { return sig >= 1 && sig <= 64 && s&(1<<(sig-1)) != 0 }

// Add puts sig in s. It panics if sig is outside 1..64, which no set can
// hold: a programming error.
func (s *Set) Add(sig Signal) {
	if sig < 1 || sig > 64 {
		panic("signal: Add of " + sig.String() + ", outside 1..64")
	}
	*s |= 1 << (sig - 1)
}

// Remove takes sig out of s; a number outside 1..64 is never in a set.
func (s *Set) Remove(sig Signal) {
	if sig >= 1 && sig <= 64 {
		*s &^= 1 << (sig - 1)
	}
}

// Union returns the signals in s or t.
func (s Set) Union(t Set) Set { return s | t }

// Intersect returns the signals in both s and t.
func (s Set) Intersect(t Set) Set { return s & t }

// Difference returns the signals in s but not in t.
func (s Set) Difference(t Set) Set { return s &^ t }

// Len returns the number of signals in s.
func (s Set) Len() int { return bits.OnesCount64(uint64(s)) }

// All yields the signals in s in increasing order.
func (s Set) All() iter.Seq[Signal] {
	return func(yield func(Signal) bool) {
		for w := uint64(s); w != 0; w &= w - 1 {
			if !yield(Signal(bits.TrailingZeros64(w) + 1)) {
				return
			}
		}
	}
}

// String lists the signals in increasing order, separated by commas:
// "SIGINT,SIGTERM,SIGRTMIN+1". The empty set is "".
func (s Set) String() string {
	b, _ := s.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (s Set) AppendText(b []byte) ([]byte, error) {
	for w := uint64(s); w != 0; w &= w - 1 {
		if w != uint64(s) {
			b = append(b, ',')
		}
		b = Signal(bits.TrailingZeros64(w) + 1).appendName(b)
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

// ParseSet parses a comma-separated list of signals, each as Parse
// accepts it, in any order and with repeats: String's form. The empty
// string is the empty set; 0 is not a signal a set can hold.
func ParseSet(text string) (Set, error) {
	var s Set
	if text == "" {
		return s, nil
	}
	rest := text
	for {
		item, more, found := strings.Cut(rest, ",")
		sig, err := parseSignal(item)
		if err == nil && sig == 0 {
			err = strconv.ErrRange
		}
		if err != nil {
			return 0, fmt.Errorf("signal: invalid set %q: item %q: %w", text, item, err)
		}
		s |= 1 << (sig - 1)
		if !found {
			return s, nil
		}
		rest = more
	}
}

// Hex returns s as /proc/PID/status prints a signal set: 16 lower-case
// hexadecimal digits, "0000000000014002".
func (s Set) Hex() string {
	return fmt.Sprintf("%016x", uint64(s))
}

// ParseHex parses a signal set in hexadecimal, the form of the SigPnd,
// ShdPnd, SigBlk, SigIgn and SigCgt lines of /proc/PID/status: 1 to 16
// significant digits in either case, with no "0x" prefix, sign or space.
// The error wraps strconv.ErrSyntax, or strconv.ErrRange for a value
// above 64 bits. It allocates nothing unless it fails.
func ParseHex[T ~string | ~[]byte](text T) (Set, error) {
	n, err := parse.Hex([]byte(text))
	if err != nil {
		return 0, fmt.Errorf("signal: invalid hex set: %w", err)
	}
	return Set(n), nil
}
