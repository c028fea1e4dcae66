package procfs

// The text forms shared by this package's value types, and those of the
// types whose own files are being reworked elsewhere (SampleFiles).

import (
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/parse"
)

// enumText is MarshalText of an enumeration named names[v]; a value
// without a name is an error naming what it is.
func enumText[T ~uint8 | ~int](names []string, v T, what string) ([]byte, error) {
	if uint64(v) >= uint64(len(names)) {
		return nil, fmt.Errorf("procfs: invalid %s %d", what, v)
	}
	return []byte(names[v]), nil
}

// enumUnmarshal is UnmarshalText of an enumeration named names[v]: the
// name exactly, or an error wrapping strconv.ErrSyntax.
func enumUnmarshal[T ~uint8 | ~int](names []string, v *T, text []byte, what string) error {
	i := nameIndex(names, text)
	if i < 0 {
		return fmt.Errorf("procfs: invalid %s %q: %w", what, text, strconv.ErrSyntax)
	}
	*v = T(i)
	return nil
}

// nameIndex returns the index of name in names, or -1. It allocates
// nothing.
func nameIndex(names []string, name []byte) int {
	for i, n := range names {
		if n == string(name) {
			return i
		}
	}
	return -1
}

// unmarshalWords is UnmarshalText of a flag set the kernel prints as
// words separated by spaces (smaps' VmFlags, status's
// x86_Thread_features): each word one of names, bit i for names[i], in
// any order; runs of spaces and tabs, and a leading or trailing one, are
// accepted, and no word is no flags. A word that is not one of names is
// an error wrapping strconv.ErrSyntax (the file parsers skip such words
// of newer kernels; a text to unmarshal is lx's own). what names the
// type in the error.
func unmarshalWords[T ~uint8 | ~uint64](f *T, text []byte, names []string, what string) error {
	var v T
	for rest := text; ; {
		var word []byte
		word, rest = parse.Field(rest)
		if len(word) == 0 {
			*f = v
			return nil
		}
		i := nameIndex(names, word)
		if i < 0 {
			return fmt.Errorf("procfs: invalid %s %q: unknown word %q: %w", what, text, word, strconv.ErrSyntax)
		}
		v |= 1 << i
	}
}

// sampleFilesText is the text form of SampleFiles, the form of its
// String: the file names in bit order, other bits in hexadecimal, "0x0"
// for none.
var sampleFilesText = flagtext.Format[SampleFiles]{
	Flags: []flagtext.Flag[SampleFiles]{
		{Bits: SampleStat, Name: "stat"}, {Bits: SampleStatm, Name: "statm"},
		{Bits: SampleStatus, Name: "status"}, {Bits: SampleIO, Name: "io"},
	},
	Sep:  '|',
	None: "0x0",
}

// MarshalText returns String's text, "stat|statm".
func (f SampleFiles) MarshalText() ([]byte, error) { return sampleFilesText.Append(nil, f), nil }

// UnmarshalText sets *f from String's text: "|"-separated file names
// ("stat", "statm", "status", "io") and hexadecimal numbers ("0x10"), in
// any order, or "0x0" for none. Anything else is an error wrapping
// strconv.ErrSyntax (strconv.ErrRange for a number beyond 8 bits).
func (f *SampleFiles) UnmarshalText(text []byte) error {
	return sampleFilesText.Unmarshal(f, text, "procfs: invalid sample files")
}
