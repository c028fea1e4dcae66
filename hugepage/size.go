package hugepage

import (
	"fmt"
	"io/fs"
	"math/bits"
	"strconv"
	"strings"
)

// ParseSize parses a huge page size: a number of bytes with an optional
// binary unit, "2M", "2MiB", "2MB", "1G", "2048kB", "2048K", "2097152".
// Every unit is a power of 1024, as the kernel's "kB" is. The size must
// be a power of two; whether the kernel supports it is for Sizes to say.
func ParseSize(s string) (uint64, error) {
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := s[len(num):]
	shift := 0
	switch strings.ToLower(unit) {
	case "", "b":
	case "k", "kb", "kib":
		shift = 10
	case "m", "mb", "mib":
		shift = 20
	case "g", "gb", "gib":
		shift = 30
	case "t", "tb", "tib":
		shift = 40
	default:
		return 0, fmt.Errorf("invalid huge page size %q: unknown unit %q: %w", s, unit, fs.ErrInvalid)
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("invalid huge page size %q: %w", s, fs.ErrInvalid)
	}
	if n > (1<<64-1)>>shift {
		return 0, fmt.Errorf("invalid huge page size %q: too large: %w", s, fs.ErrInvalid)
	}
	n <<= shift
	if bits.OnesCount64(n) != 1 {
		return 0, fmt.Errorf("invalid huge page size %q: not a power of two: %w", s, fs.ErrInvalid)
	}
	return n, nil
}

// FormatSize returns the shortest binary form of a size, "2MiB", "1GiB",
// "64KiB", or bytes ("1536B") when no unit divides it.
func FormatSize(size uint64) string {
	for _, u := range [...]struct {
		shift uint
		name  string
	}{{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if size >= 1<<u.shift && size%(1<<u.shift) == 0 {
			return strconv.FormatUint(size>>u.shift, 10) + u.name
		}
	}
	return strconv.FormatUint(size, 10) + "B"
}

// Sizes returns the huge page sizes the kernel supports, smallest first:
// the hugepages-<N>kB directories of /sys/kernel/mm/hugepages. The error
// matches errors.ErrUnsupported on a kernel without hugetlb pages.
func Sizes() ([]uint64, error) { return Default().Sizes() }

// Sizes is the package-level Sizes for this FS.
func (fs FS) Sizes() ([]uint64, error) {
	pools, err := fs.Pools()
	if err != nil {
		return nil, err
	}
	sizes := make([]uint64, len(pools))
	for i, p := range pools {
		sizes[i] = p.Size
	}
	return sizes, nil
}

// checkSize returns an error naming size unless the kernel supports it.
func (fs FS) checkSize(size uint64) error {
	sizes, err := fs.Sizes()
	if err != nil {
		return err
	}
	for _, s := range sizes {
		if s == size {
			return nil
		}
	}
	return &SizeError{Size: size, Supported: sizes}
}

// SizeError is a huge page size the kernel does not support. It matches
// fs.ErrInvalid.
type SizeError struct {
	Size      uint64   // the size asked for
	Supported []uint64 // the kernel's sizes
}

func (e *SizeError) Error() string {
	names := make([]string, len(e.Supported))
	for i, s := range e.Supported {
		names[i] = FormatSize(s)
	}
	return "huge page size " + FormatSize(e.Size) + " not supported by the kernel (it has " + strings.Join(names, ", ") + ")"
}

// Is makes errors.Is(err, fs.ErrInvalid) true.
func (e *SizeError) Is(target error) bool { return target == fs.ErrInvalid }
