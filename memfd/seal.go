package memfd

import (
	"fmt"

	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// Seals is a set of file seals, fcntl(2) F_ADD_SEALS and F_GET_SEALS
// (Linux 3.17). A seal, once added, stays for the life of the file
// (every descriptor and mapping of it), whoever holds it.
type Seals uint32

// The seals. Their text form is the kernel's names, F_SEAL_*.
const (
	// SealSeal forbids adding seals.
	SealSeal Seals = sys.F_SEAL_SEAL
	// SealShrink forbids making the file smaller.
	SealShrink Seals = sys.F_SEAL_SHRINK
	// SealGrow forbids making the file larger, by truncate or by
	// writing past its end.
	SealGrow Seals = sys.F_SEAL_GROW
	// SealWrite forbids changing the contents: write(2) fails with
	// EPERM, and so does a new shared writable mapping. It cannot be
	// added while a shared writable mapping exists (EBUSY).
	SealWrite Seals = sys.F_SEAL_WRITE
	// SealFutureWrite forbids new writes and new shared writable
	// mappings, but leaves existing writable mappings working, so that
	// the writer can keep one and hand read-only views to others (Linux
	// 5.1).
	SealFutureWrite Seals = sys.F_SEAL_FUTURE_WRITE
	// SealExec forbids changing the file's exec permission bits (Linux
	// 6.3). MFD_NOEXEC_SEAL sets it at creation.
	SealExec Seals = sys.F_SEAL_EXEC
)

// sealText is the text form of Seals: the seals in increasing bit order.
var sealText = flagtext.Format[Seals]{
	Flags: []flagtext.Flag[Seals]{
		{Bits: SealSeal, Name: "F_SEAL_SEAL"}, {Bits: SealShrink, Name: "F_SEAL_SHRINK"},
		{Bits: SealGrow, Name: "F_SEAL_GROW"}, {Bits: SealWrite, Name: "F_SEAL_WRITE"},
		{Bits: SealFutureWrite, Name: "F_SEAL_FUTURE_WRITE"}, {Bits: SealExec, Name: "F_SEAL_EXEC"},
	},
	Sep:  '|',
	None: "0",
}

// String lists the seals in increasing bit order separated by "|",
// "F_SEAL_SHRINK|F_SEAL_GROW", with any other bits as one hexadecimal
// number at the end ("F_SEAL_SEAL|0x100"); no seals is "0".
func (s Seals) String() string { return sealText.String(s) }

// MarshalText returns String's text.
func (s Seals) MarshalText() ([]byte, error) { return sealText.Append(nil, s), nil }

// UnmarshalText sets *s from text ParseSeals accepts, with its errors.
func (s *Seals) UnmarshalText(text []byte) error {
	return sealText.Unmarshal(s, text, "memfd: invalid seals")
}

// ParseSeals parses String's form: "0", or "|"-separated kernel names
// ("F_SEAL_WRITE", exactly) and hexadecimal numbers ("0x100"), in any
// order. Anything else is an error wrapping strconv.ErrSyntax, a number
// beyond 32 bits one wrapping strconv.ErrRange.
func ParseSeals(text string) (Seals, error) {
	s, err := sealText.Parse(text)
	if err != nil {
		return 0, fmt.Errorf("memfd: invalid seals %q: %w", text, err)
	}
	return s, nil
}
