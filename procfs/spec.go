package procfs

import (
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
)

// The speculation-control and x86 feature lines of /proc/PID/status.

// SpecStoreBypass is the Speculation_Store_Bypass line: the task's
// Speculative Store Bypass (Spectre v4) mitigation state, as
// prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS) reports it.
type SpecStoreBypass uint8

// Speculative Store Bypass states; String returns the kernel's words.
const (
	SSBUnknown              SpecStoreBypass = iota // "unknown"
	SSBNotVulnerable                               // "not vulnerable"
	SSBThreadForceMitigated                        // "thread force mitigated"
	SSBThreadMitigated                             // "thread mitigated"
	SSBThreadVulnerable                            // "thread vulnerable"
	SSBGloballyMitigated                           // "globally mitigated"
	SSBVulnerable                                  // "vulnerable"
)

var ssbNames = [...]string{"unknown", "not vulnerable", "thread force mitigated",
	"thread mitigated", "thread vulnerable", "globally mitigated", "vulnerable"}

// String returns the text the kernel prints for the state.
func (s SpecStoreBypass) String() string {
	if int(s) < len(ssbNames) {
		return ssbNames[s]
	}
	return "SpecStoreBypass(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText returns the kernel's words; a value that is no
// SpecStoreBypass is an error.
func (s SpecStoreBypass) MarshalText() ([]byte, error) {
	return enumText(ssbNames[:], s, "speculative store bypass state")
}

// UnmarshalText sets *s from the kernel's words, exactly ("thread
// mitigated"); any other text is an error wrapping strconv.ErrSyntax.
func (s *SpecStoreBypass) UnmarshalText(text []byte) error {
	return enumUnmarshal(ssbNames[:], s, text, "speculative store bypass state")
}

// parseSpecStoreBypass parses the value of the status line; words lx
// does not know are SSBUnknown.
func parseSpecStoreBypass(v []byte) SpecStoreBypass {
	return SpecStoreBypass(max(nameIndex(ssbNames[:], v), 0))
}

// SpecIndirectBranch is the SpeculationIndirectBranch line: the task's
// indirect branch speculation (Spectre v2 user) state, as
// prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH) reports it.
type SpecIndirectBranch uint8

// Indirect branch speculation states; String returns the kernel's words.
const (
	IBUnknown                  SpecIndirectBranch = iota // "unknown"
	IBUnsupported                                        // "unsupported"
	IBNotAffected                                        // "not affected"
	IBConditionalForceDisabled                           // "conditional force disabled"
	IBConditionalDisabled                                // "conditional disabled"
	IBConditionalEnabled                                 // "conditional enabled"
	IBAlwaysEnabled                                      // "always enabled"
	IBAlwaysDisabled                                     // "always disabled"
)

var ibNames = [...]string{"unknown", "unsupported", "not affected", "conditional force disabled",
	"conditional disabled", "conditional enabled", "always enabled", "always disabled"}

// String returns the text the kernel prints for the state.
func (s SpecIndirectBranch) String() string {
	if int(s) < len(ibNames) {
		return ibNames[s]
	}
	return "SpecIndirectBranch(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText returns the kernel's words; a value that is no
// SpecIndirectBranch is an error.
func (s SpecIndirectBranch) MarshalText() ([]byte, error) {
	return enumText(ibNames[:], s, "indirect branch speculation state")
}

// UnmarshalText sets *s from the kernel's words, exactly ("conditional
// enabled"); any other text is an error wrapping strconv.ErrSyntax.
func (s *SpecIndirectBranch) UnmarshalText(text []byte) error {
	return enumUnmarshal(ibNames[:], s, text, "indirect branch speculation state")
}

// parseSpecIndirectBranch parses the value of the status line; words lx
// does not know are IBUnknown.
func parseSpecIndirectBranch(v []byte) SpecIndirectBranch {
	return SpecIndirectBranch(max(nameIndex(ibNames[:], v), 0))
}

// X86Features are the x86 user shadow stack features of a thread
// (x86_Thread_features lines, Linux 6.6+).
type X86Features uint8

// x86 thread features.
const (
	X86ShadowStack X86Features = 1 << iota // "shstk": user shadow stack enabled
	X86WRSS                                // "wrss": WRSS instruction enabled
)

// String returns the kernel's words, space-separated: "shstk wrss".
func (f X86Features) String() string {
	switch f {
	case 0:
		return ""
	case X86ShadowStack:
		return "shstk"
	case X86WRSS:
		return "wrss"
	case X86ShadowStack | X86WRSS:
		return "shstk wrss"
	}
	return "X86Features(" + strconv.Itoa(int(f)) + ")"
}

// MarshalText returns String's text, "shstk wrss" ("" for none); other
// bits are an error.
func (f X86Features) MarshalText() ([]byte, error) {
	if f&^(X86ShadowStack|X86WRSS) != 0 {
		return nil, fmt.Errorf("procfs: invalid x86 thread features %#x", uint8(f))
	}
	return []byte(f.String()), nil
}

// UnmarshalText sets *f from the kernel's words separated by spaces or
// tabs, "shstk wrss", in any order ("" is none). Unlike the status
// parser, which skips words of kernels newer than lx, UnmarshalText
// rejects a word other than "shstk" and "wrss" with an error wrapping
// strconv.ErrSyntax.
func (f *X86Features) UnmarshalText(text []byte) error {
	return unmarshalWords(f, text, x86FeatureNames[:], "x86 thread features")
}

// x86FeatureNames are the kernel's words for the features, bit i for
// word i.
var x86FeatureNames = [...]string{"shstk", "wrss"}

// parseX86Features reads the words it knows and ignores others.
func parseX86Features(v []byte) X86Features {
	var f X86Features
	for {
		var w []byte
		w, v = parse.Field(v)
		if len(w) == 0 {
			return f
		}
		if i := nameIndex(x86FeatureNames[:], w); i >= 0 {
			f |= 1 << i
		}
	}
}
