// Package flagtext is the text form that lx gives a flag word whose
// flags have names but which the kernel prints only as a number: the
// names of the set flags joined by a separator, with the bits no flag
// names as one number at the end ("PF_KTHREAD|PF_NOFREEZE",
// "CLONE_NEWNS|0x100", "O_CLOEXEC|0200000", "dumped|user"), and the
// parser that reads that text back. procfs.TaskFlags, procfs.OpenFlags,
// procfs.SampleFiles, ns.CloneFlags and pidfd.CoredumpFlags share it, so
// that their String, MarshalText and UnmarshalText agree on one grammar.
//
// Text forms the kernel prints itself (smaps' VmFlags mnemonics, the
// per-mount options of mountinfo, the x86 thread features of status) have
// their own rules (other separators, no room for unknown bits, unknown
// words skipped) and do not use this package.
//
// The package is pure: it imports only the standard library.
package flagtext

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Word is the underlying type of a flag word.
type Word interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Flag is one named flag: its bits (usually one) and its name.
type Flag[W Word] struct {
	Bits W
	Name string
}

// Format is the text form of flag words of type W.
type Format[W Word] struct {
	// Flags are the named flags in the order they print. A flag of
	// several bits (O_SYNC, which includes O_DSYNC) comes before the
	// flags whose bits it includes, so that it prints as one name. A
	// flag whose Bits are 0 (a flag the architecture lacks) never prints.
	Flags []Flag[W]
	// Sep separates the words: '|'.
	Sep byte
	// None is the text of a word without flags: "0", "none".
	None string
	// Octal prints the bits no flag names in octal with a leading 0, as
	// fdinfo prints file flags ("0200000"); otherwise they print in
	// hexadecimal with "0x" ("0x1000").
	Octal bool
}

// Append appends the text of w to b: the name of each flag of Flags
// whose bits are all set in w, in Flags' order, then the bits no printed
// flag covers as one number, separated by Sep; None when w is 0.
func (f *Format[W]) Append(b []byte, w W) []byte {
	if w == 0 {
		return append(b, f.None...)
	}
	start := len(b)
	for _, fl := range f.Flags {
		if fl.Bits != 0 && w&fl.Bits == fl.Bits {
			if len(b) > start {
				b = append(b, f.Sep)
			}
			b = append(b, fl.Name...)
			w &^= fl.Bits
		}
	}
	if w != 0 {
		if len(b) > start {
			b = append(b, f.Sep)
		}
		if f.Octal {
			b = append(b, '0')
			b = strconv.AppendUint(b, uint64(w), 8)
		} else {
			b = append(b, "0x"...)
			b = strconv.AppendUint(b, uint64(w), 16)
		}
	}
	return b
}

// String returns Append's text of w.
func (f *Format[W]) String(w W) string { return string(f.Append(nil, w)) }

// errEmpty is the error for an empty text or word.
var errEmpty = fmt.Errorf("empty: %w", strconv.ErrSyntax)

// Parse returns the word text stands for. It accepts what Append
// produces, and also the names and numbers in any order, repeated, or
// overlapping: None alone, or words separated by Sep, each the name of a
// flag of Flags (case-sensitive) or a number in Append's base ("0x1f",
// or "017" when Octal; "0x" or "0" followed by at least one digit). An
// empty text, an empty word, None among other words or an unknown word
// is an error wrapping strconv.ErrSyntax; a number with bits beyond W
// one wrapping strconv.ErrRange.
func (f *Format[W]) Parse(text string) (W, error) {
	if text == f.None {
		return 0, nil
	}
	if text == "" {
		return 0, errEmpty
	}
	var w W
	for rest := text; ; {
		word := rest
		i := strings.IndexByte(rest, f.Sep)
		if i >= 0 {
			word, rest = rest[:i], rest[i+1:]
		}
		v, err := f.word(word)
		if err != nil {
			return 0, err
		}
		w |= v
		if i < 0 {
			return w, nil
		}
	}
}

// Unmarshal sets *w from text as Parse reads it, for an UnmarshalText
// method. On error *w is unchanged, and the error is "what TEXT: why",
// what being the caller's words ("procfs: invalid task flags").
func (f *Format[W]) Unmarshal(w *W, text []byte, what string) error {
	v, err := f.Parse(string(text))
	if err != nil {
		return fmt.Errorf("%s %q: %w", what, text, err)
	}
	*w = v
	return nil
}

// word returns the bits of one word of a text.
func (f *Format[W]) word(word string) (W, error) {
	if word == "" {
		return 0, errEmpty
	}
	for _, fl := range f.Flags {
		if word == fl.Name {
			return fl.Bits, nil
		}
	}
	base, digits := 16, ""
	if f.Octal {
		base = 8
		if len(word) > 1 && word[0] == '0' {
			digits = word[1:]
		}
	} else if len(word) > 2 && word[0] == '0' && word[1] == 'x' {
		digits = word[2:]
	}
	if digits == "" {
		return 0, fmt.Errorf("unknown flag %q: %w", word, strconv.ErrSyntax)
	}
	n, err := strconv.ParseUint(digits, base, 64)
	if err == nil && uint64(W(n)) != n {
		err = strconv.ErrRange
	}
	if err != nil {
		if !errors.Is(err, strconv.ErrRange) {
			err = strconv.ErrSyntax
		}
		return 0, fmt.Errorf("flag number %q: %w", word, err)
	}
	return W(n), nil
}
