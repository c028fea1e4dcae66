// Package mount holds the value types of mounts: the per-mount flags and
// the propagation state of a mount, in the text forms of
// /proc/PID/mountinfo (proc(5), Documentation/filesystems/proc.rst,
// Documentation/filesystems/sharedsubtree.rst).
//
// The package is pure: no system calls, no files. procfs reads
// /proc/PID/mountinfo into these types; the new mount API (fsopen,
// mount_setattr, listmount, statmount) comes later, here.
//
// Go constants are the kernel's option words in Go's mixed caps: "nosuid"
// is mount.NoSuid, "ro" mount.ReadOnly.
package mount

import (
	"fmt"
	"math/bits"
	"strconv"
)

// Flags are the per-mount options of a mount, the sixth field of a
// mountinfo line ("rw,nosuid,nodev,relatime"), as mount(2) MS_* flags and
// mount_setattr(2) MOUNT_ATTR_* set them on the mount (not on the file
// system: its options are the super options). The bit values are lx's
// own, neither MS_* nor MOUNT_ATTR_*. The kernel prints these options
// and no others there (show_mnt_opts in fs/proc_namespace.c).
type Flags uint16

// The per-mount flags, in the order the kernel prints them.
const (
	ReadOnly    Flags = 1 << iota // ro (rw when absent)
	NoSuid                        // nosuid: set-user-ID and set-group-ID bits and file capabilities ignored
	NoDev                         // nodev: device files cannot be opened
	NoExec                        // noexec: programs cannot be executed
	NoAtime                       // noatime: access times never updated
	NoDiratime                    // nodiratime: directory access times never updated
	Relatime                      // relatime: access times updated only when older than the modification or change time, or a day
	NoSymfollow                   // nosymfollow: symbolic links not followed in path resolution (Linux 5.10)
	Idmapped                      // idmapped: the mount has an ID mapping (Linux 5.12)
)

// flagNames are the option words of the flags, bit i for word i.
var flagNames = [...]string{"ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime", "nosymfollow", "idmapped"}

// String returns the options as the kernel prints them: "rw" or "ro",
// then the other flags in the kernel's order, "rw,nosuid,nodev,relatime".
// Bits lx does not know are not printed.
func (f Flags) String() string {
	b, _ := f.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (f Flags) AppendText(b []byte) ([]byte, error) {
	if f&ReadOnly != 0 {
		b = append(b, "ro"...)
	} else {
		b = append(b, "rw"...)
	}
	for i := 1; i < len(flagNames); i++ {
		if f&(1<<i) != 0 {
			b = append(append(b, ','), flagNames[i]...)
		}
	}
	return b, nil
}

// MarshalText returns String's text.
func (f Flags) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// UnmarshalText sets *f from text ParseFlags accepts.
func (f *Flags) UnmarshalText(text []byte) error {
	v, err := ParseFlags(text)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// ParseFlags parses per-mount options as the sixth field of a mountinfo
// line has them: comma-separated words starting with "rw" or "ro". The
// other words of Flags may follow in any order; words lx does not know
// are skipped, since a newer kernel may print new options (they remain in
// the caller's text). An empty text, an empty word or a first word other
// than "rw" or "ro" is an error wrapping strconv.ErrSyntax. It allocates
// nothing unless it fails.
func ParseFlags[T ~string | ~[]byte](text T) (Flags, error) {
	// The kernel's form is read a word at a time: each word's length
	// from the first comma in eight bytes, its bytes compared as one
	// word with each option of that length. Anything else (an empty
	// word, a word of more than eight bytes that is not an option)
	// goes to parseFlagsWords, which gives the same answer and reports
	// errors.
	if len(text) < 2 || text[0] != 'r' || (text[1] != 'w' && text[1] != 'o') {
		return parseFlagsWords(text)
	}
	var f Flags
	if text[1] == 'o' {
		f = ReadOnly
	}
	if len(text) == 2 {
		return f, nil
	}
	if text[2] != ',' {
		return parseFlagsWords(text)
	}
	for i := 3; ; {
		w := load8(text, i)
		c := w ^ 0x2c2c2c2c2c2c2c2c // ','
		// The lowest zero byte of c is the first comma: the borrows of
		// c-ones only reach the bytes above it.
		n := bits.TrailingZeros64((c-0x0101010101010101)&^c&0x8080808080808080) >> 3
		if i+n > len(text) {
			n = len(text) - i // the last word: load8 reads zeros past the end
		} else if n == 8 {
			// A word of eight bytes or more.
			for i+n < len(text) && text[i+n] != ',' {
				n++
			}
		}
		switch {
		case n == 0:
			return parseFlagsWords(text) // an empty word: the error
		case n < 8:
			// The length in the top byte: a word holding a NUL must not
			// match a shorter one.
			switch w&(1<<(8*n)-1) | uint64(n)<<56 {
			case 0x646975736f6e | 6<<56: // "nosuid"
				f |= NoSuid
			case 0x7665646f6e | 5<<56: // "nodev"
				f |= NoDev
			case 0x636578656f6e | 6<<56: // "noexec"
				f |= NoExec
			case 0x656d6974616f6e | 7<<56: // "noatime"
				f |= NoAtime
			}
		case n == 8 && w == 0x656d6974616c6572: // "relatime"
			f |= Relatime
		case n == 8 && w == 0x64657070616d6469: // "idmapped"
			f |= Idmapped
		case n == 10 && w == 0x6974617269646f6e && text[i+8] == 'm' && text[i+9] == 'e': // "nodiratime"
			f |= NoDiratime
		case n == 11 && w == 0x6c6f666d79736f6e && string(text[i+8:i+11]) == "low": // "nosymfollow"
			f |= NoSymfollow
		}
		i += n + 1
		if i > len(text) {
			return f, nil
		}
	}
}

// load8 returns the eight bytes of s from i (little-endian), the bytes
// past the end of s reading as zero.
func load8[T ~string | ~[]byte](s T, i int) uint64 {
	if i >= 0 && len(s)-i >= 8 {
		s := s[i : i+8]
		return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	}
	var w uint64
	for j := len(s) - 1; j >= i && j >= 0; j-- {
		w = w<<8 | uint64(s[j])
	}
	return w
}

// parseFlagsWords is ParseFlags word by word: it takes any text, and
// reports the errors.
func parseFlagsWords[T ~string | ~[]byte](text T) (Flags, error) {
	var f Flags
	for i, word := 0, 0; i <= len(text); word++ {
		end := i
		for end < len(text) && text[end] != ',' {
			end++
		}
		opt := text[i:end]
		switch {
		case len(opt) == 0:
			return 0, flagsError(text)
		case word == 0 && string(opt) == "rw":
		case word == 0 && string(opt) == "ro":
			f |= ReadOnly
		case word == 0:
			return 0, flagsError(text)
		case len(opt) <= len("nosymfollow"): // no longer word is a flag: never convert one
			f |= flagOf(string(opt))
		}
		i = end + 1
	}
	return f, nil
}

// flagOf returns the flag an option word other than "ro" and "rw" sets,
// or 0 for a word lx does not know.
func flagOf(word string) Flags {
	switch word {
	case "nosuid":
		return NoSuid
	case "nodev":
		return NoDev
	case "noexec":
		return NoExec
	case "noatime":
		return NoAtime
	case "nodiratime":
		return NoDiratime
	case "relatime":
		return Relatime
	case "nosymfollow":
		return NoSymfollow
	case "idmapped":
		return Idmapped
	}
	return 0
}

//go:noinline
func flagsError[T ~string | ~[]byte](text T) error {
	return fmt.Errorf("mount: invalid per-mount options %q: %w", string(text), strconv.ErrSyntax)
}
