package procfs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// SwapType is the kind of a swap area.
type SwapType string

// Swap area kinds, as /proc/swaps prints them.
const (
	SwapPartition SwapType = "partition" // a block device
	SwapFile      SwapType = "file"      // a regular file
)

// String returns the kernel's name.
func (t SwapType) String() string { return string(t) }

// MarshalText returns the kernel's name ("" for the zero SwapType); one
// with a space, tab or newline, which /proc/swaps could not print as one
// field, is an error.
func (t SwapType) MarshalText() ([]byte, error) {
	if !swapTypeValid(string(t)) {
		return nil, fmt.Errorf("procfs: invalid swap type %q", string(t))
	}
	return []byte(t), nil
}

// UnmarshalText sets *t from a type name as /proc/swaps prints it:
// "partition", "file", another word a newer kernel may print, or "" for
// the zero SwapType. Text with a space, tab or newline is an error
// wrapping strconv.ErrSyntax.
func (t *SwapType) UnmarshalText(text []byte) error {
	if !swapTypeValid(string(text)) {
		return fmt.Errorf("procfs: invalid swap type %q: %w", text, strconv.ErrSyntax)
	}
	*t = SwapType(text)
	return nil
}

// swapTypeValid reports whether s can be a field of /proc/swaps, or is
// the zero SwapType.
func swapTypeValid(s string) bool { return !strings.ContainsAny(s, " \t\n") }

// Swap is one line of /proc/swaps: an active swap area (swapon(8)).
type Swap struct {
	Filename string   // the device or file, with the kernel's octal escapes decoded
	Type     SwapType // partition or file
	Size     uint64   // size in bytes
	Used     uint64   // bytes in use
	// Priority is the area's priority (higher is used first); areas
	// activated without one get decreasing negative values.
	Priority int
}

// Swaps reads /proc/swaps. The result is empty when no swap is active.
// Any user can read it.
func (fs FS) Swaps() ([]Swap, error) { return readFS(fs, "swaps", parseSwaps) }

// parseSwaps parses the header line and one line per swap area:
//
//	Filename				Type		Size		Used		Priority
//	/dev/vda2                               partition	1048572		0		-2
func parseSwaps(b []byte) ([]Swap, error) {
	var list []Swap
	header, b := parse.Line(b)
	if f, _ := parse.Field(header); string(f) != "Filename" {
		return nil, parseErr(1, "", fmt.Errorf("missing header, got %q", header))
	}
	for n := 2; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		// Parse from the right: the file name may end in " (deleted)".
		var f [4][]byte
		rest := parse.Trim(line)
		if len(rest) == 0 {
			continue
		}
		for i := 3; i >= 0; i-- {
			f[i], rest = swapsLastField(rest)
		}
		name := parse.Trim(rest)
		if len(name) == 0 {
			return nil, parseErr(n, "", fmt.Errorf("want 5 fields, got %q", line))
		}
		s := Swap{Filename: string(parse.Unescape(nil, name))}
		switch string(f[0]) {
		case "partition":
			s.Type = SwapPartition
		case "file":
			s.Type = SwapFile
		default:
			s.Type = SwapType(f[0])
		}
		var err error
		if s.Size, err = parse.KB(f[1]); err != nil {
			return nil, parseErr(n, "Size", err)
		}
		if s.Used, err = parse.KB(f[2]); err != nil {
			return nil, parseErr(n, "Used", err)
		}
		p, err := parse.Int(f[3])
		if err == nil && (p < -1<<31 || p > 1<<31-1) {
			err = errRange("int32", f[3])
		}
		if err != nil {
			return nil, parseErr(n, "Priority", err)
		}
		s.Priority = int(p)
		list = append(list, s)
	}
	return list, nil
}

// swapsLastField returns the last space- or tab-separated field of b and what
// precedes it.
func swapsLastField(b []byte) (field, rest []byte) {
	j := len(b)
	for j > 0 && (b[j-1] == ' ' || b[j-1] == '\t') {
		j--
	}
	i := j
	for i > 0 && b[i-1] != ' ' && b[i-1] != '\t' {
		i--
	}
	return b[i:j], b[:i]
}
