package cgroup

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// Max is the value of a cgroup limit file that is a number or the word
// "max": memory.max, pids.max, an io.max field, hugetlb.<size>.max,
// cgroup.max.depth. Its unit is the file's (bytes for memory and
// hugetlb, a count for pids, bytes or operations per second for io).
//
// Unlimited stands for "max" and round-trips through String,
// MarshalText, UnmarshalText and ParseMax: a limit never becomes a large
// number on its way through lx.
type Max uint64

// Unlimited is "max": no limit.
const Unlimited Max = math.MaxUint64

// String returns "max" for Unlimited and the decimal number otherwise:
// the kernel's text form.
func (m Max) String() string {
	b, _ := m.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (m Max) AppendText(b []byte) ([]byte, error) {
	if m == Unlimited {
		return append(b, "max"...), nil
	}
	return strconv.AppendUint(b, uint64(m), 10), nil
}

// MarshalText returns String's text, so that JSON carries "max" or
// "1048576" (a string either way, so that a reader need not guess at a
// number that is too large for a float).
func (m Max) MarshalText() ([]byte, error) { return m.AppendText(nil) }

// UnmarshalText sets *m from "max" or a decimal number (ParseMax).
func (m *Max) UnmarshalText(text []byte) error {
	v, err := ParseMax(text)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMax parses the kernel's text of a limit: exactly "max", or an
// unsigned decimal number without sign or white space. A number that
// overflows uint64 is an error matching strconv.ErrRange; anything else
// that is not a limit, strconv.ErrSyntax.
func ParseMax[T ~string | ~[]byte](s T) (Max, error) {
	if string(s) == "max" {
		return Unlimited, nil
	}
	v, err := parse.Uint([]byte(s))
	if err != nil {
		ne := err.(*strconv.NumError)
		return 0, &strconv.NumError{Func: "cgroup.ParseMax", Num: string(s), Err: ne.Err}
	}
	return Max(v), nil
}

// pageCounterMax is the byte value of a page counter's largest value,
// which means "no limit": PAGE_COUNTER_MAX pages (LONG_MAX / PAGE_SIZE),
// in bytes. v1 memory files print it for no limit, as some kernels do in
// hugetlb files.
var pageCounterMax = uint64(math.MaxInt64) &^ uint64(os.Getpagesize()-1)

// parseMaxLine parses a file holding one limit and a newline.
func parseMaxLine(b []byte) (Max, error) {
	v, err := ParseMax(parse.Trim(b))
	if err != nil {
		return 0, parseErr(0, "", err)
	}
	return v, nil
}

// Switch is the value of a cgroup file that holds 0 or 1:
// memory.oom.group, cpu.idle.
type Switch uint8

// The two values of a Switch.
const (
	Off Switch = 0
	On  Switch = 1
)

// String returns "off" or "on"; another value prints as "Switch(N)".
func (s Switch) String() string {
	switch s {
	case Off:
		return "off"
	case On:
		return "on"
	}
	return "Switch(" + strconv.Itoa(int(s)) + ")"
}

// parseSwitch parses a file holding 0 or 1.
func parseSwitch(b []byte) (Switch, error) {
	switch string(parse.Trim(b)) {
	case "0":
		return Off, nil
	case "1":
		return On, nil
	}
	return 0, parseErr(0, "", fmt.Errorf("%q: want 0 or 1", parse.Trim(b)))
}

// readSwitch reads a file holding 0 or 1.
func (c *Cgroup) readSwitch(name string) (Switch, error) {
	v, err := readFile(c, name, parseSwitch)
	if err != nil {
		return 0, fmt.Errorf("cgroup %s read: %w", name, err)
	}
	return v, nil
}

// setSwitch writes 0 or 1 and reads back what the kernel stored.
func (c *Cgroup) setSwitch(name string, s Switch) (Switch, error) {
	if s != Off && s != On {
		return 0, fmt.Errorf("cgroup %s set %v: want off or on: %w", name, s, fs.ErrInvalid)
	}
	if err := c.writeFile(name, []byte{'0' + byte(s)}); err != nil {
		return 0, fmt.Errorf("cgroup %s set %v: %w", name, s, err)
	}
	return c.readSwitch(name)
}
