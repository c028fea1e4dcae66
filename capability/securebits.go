package capability

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
)

// Securebits are a thread's securebits (capabilities(7), "The
// securebits flags"; include/uapi/linux/securebits.h): flags that turn
// off the special treatment of uid 0, each with a lock bit that makes it
// immutable. Their text form is lx's flag-word form with the kernel's names,
// "SECBIT_KEEP_CAPS|SECBIT_NOROOT_LOCKED", a bit lx has no name for as a
// hexadecimal number at the end, "0" for none.
type Securebits uint32

// The securebits, named as the kernel names them.
const (
	SecbitNoRoot                  Securebits = abi.SECBIT_NOROOT                      // SECBIT_NOROOT: uid 0 gains no capabilities at execve(2)
	SecbitNoRootLocked            Securebits = abi.SECBIT_NOROOT_LOCKED               // SECBIT_NOROOT_LOCKED
	SecbitNoSetuidFixup           Securebits = abi.SECBIT_NO_SETUID_FIXUP             // SECBIT_NO_SETUID_FIXUP: changing uids to and from 0 keeps the capability sets
	SecbitNoSetuidFixupLocked     Securebits = abi.SECBIT_NO_SETUID_FIXUP_LOCKED      // SECBIT_NO_SETUID_FIXUP_LOCKED
	SecbitKeepCaps                Securebits = abi.SECBIT_KEEP_CAPS                   // SECBIT_KEEP_CAPS: keep permitted capabilities when all uids leave 0 (cleared by execve)
	SecbitKeepCapsLocked          Securebits = abi.SECBIT_KEEP_CAPS_LOCKED            // SECBIT_KEEP_CAPS_LOCKED
	SecbitNoCapAmbientRaise       Securebits = abi.SECBIT_NO_CAP_AMBIENT_RAISE        // SECBIT_NO_CAP_AMBIENT_RAISE: the ambient set cannot be raised (Linux 4.3)
	SecbitNoCapAmbientRaiseLocked Securebits = abi.SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED // SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED
)

// securebitNames are the kernel's names of the bits, bit n at index n.
var securebitNames = [...]string{
	"SECBIT_NOROOT", "SECBIT_NOROOT_LOCKED",
	"SECBIT_NO_SETUID_FIXUP", "SECBIT_NO_SETUID_FIXUP_LOCKED",
	"SECBIT_KEEP_CAPS", "SECBIT_KEEP_CAPS_LOCKED",
	"SECBIT_NO_CAP_AMBIENT_RAISE", "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED",
}

// namedSecurebits are the bits securebitNames names.
const namedSecurebits Securebits = 1<<len(securebitNames) - 1

// String returns the names of the bits of b in increasing order joined
// by '|', "SECBIT_NOROOT|SECBIT_NOROOT_LOCKED", bits lx has no name for
// as one hexadecimal number at the end ("SECBIT_NOROOT|0x100"), "0" for
// none: the form of lx's other flag words (internal/flagtext, which
// this package cannot import: its tests use testutil, which imports
// capability).
func (b Securebits) String() string { return string(b.appendText(nil)) }

func (b Securebits) appendText(out []byte) []byte {
	if b == 0 {
		return append(out, '0')
	}
	start := len(out)
	for i, name := range securebitNames {
		if b&(1<<i) != 0 {
			if len(out) > start {
				out = append(out, '|')
			}
			out = append(out, name...)
		}
	}
	if rest := b &^ namedSecurebits; rest != 0 {
		if len(out) > start {
			out = append(out, '|')
		}
		out = append(out, "0x"...)
		out = strconv.AppendUint(out, uint64(rest), 16)
	}
	return out
}

// MarshalText returns String's text.
func (b Securebits) MarshalText() ([]byte, error) { return b.appendText(nil), nil }

// UnmarshalText sets *b from text ParseSecurebits accepts.
func (b *Securebits) UnmarshalText(text []byte) error {
	v, err := ParseSecurebits(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// ParseSecurebits parses String's form: "0", or names and hexadecimal
// numbers with "0x" ("0x100") joined by '|', in any order. The error
// wraps strconv.ErrSyntax, or strconv.ErrRange for a number above 32
// bits.
func ParseSecurebits(text string) (Securebits, error) {
	if text == "0" {
		return 0, nil
	}
	var b Securebits
	for word := range strings.SplitSeq(text, "|") {
		v, err := securebitsWord(word)
		if err != nil {
			return 0, fmt.Errorf("capability: invalid securebits %q: %w", text, err)
		}
		b |= v
	}
	return b, nil
}

// securebitsWord returns the bits of one name or number.
func securebitsWord(word string) (Securebits, error) {
	for i, name := range securebitNames {
		if word == name {
			return 1 << i, nil
		}
	}
	digits, ok := strings.CutPrefix(word, "0x")
	if !ok || digits == "" {
		return 0, strconv.ErrSyntax
	}
	for i := range len(digits) {
		if hexDigit(digits[i]) >= 16 {
			return 0, strconv.ErrSyntax
		}
	}
	n, err := strconv.ParseUint(digits, 16, 32)
	if err != nil {
		return 0, strconv.ErrRange
	}
	return Securebits(n), nil
}

// CurrentSecurebits returns the calling thread's securebits (prctl(2)
// PR_GET_SECUREBITS, Linux 2.6.26). It needs no privilege. Another
// process's are not in /proc.
func CurrentSecurebits() (Securebits, error) {
	b, err := sys.GetSecurebits()
	if err != nil {
		return 0, fmt.Errorf("capability: read securebits: %w", err)
	}
	return Securebits(b), nil
}

// SetSecurebits sets the securebits of the threads scope names to b
// (prctl(2) PR_SET_SECUREBITS). It needs CAP_SETPCAP. A locked bit
// cannot change, nor can a lock be cleared: the kernel refuses with
// EPERM (fs.ErrPermission), and with EINVAL a bit it does not know.
// The bits are inherited across fork(2) and execve(2), except
// SecbitKeepCaps, which execve clears.
func SetSecurebits(scope Scope, b Securebits) error {
	if err := scope.check(); err != nil {
		return err
	}
	var err error
	if scope == ThreadScope {
		err = sys.SetSecurebits(uint32(b))
	} else {
		err = allThreadsErr(sys.SetSecurebitsAllThreads(uint32(b)))
	}
	if err != nil {
		return fmt.Errorf("capability: set securebits %v: %w", b, err)
	}
	return nil
}
