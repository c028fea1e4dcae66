package capability

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestSecurebitsText(t *testing.T) {
	for _, c := range []struct {
		b    Securebits
		text string
	}{
		{0, "0"},
		{SecbitNoRoot, "SECBIT_NOROOT"},
		{SecbitKeepCaps | SecbitKeepCapsLocked, "SECBIT_KEEP_CAPS|SECBIT_KEEP_CAPS_LOCKED"},
		{0xff, "SECBIT_NOROOT|SECBIT_NOROOT_LOCKED|SECBIT_NO_SETUID_FIXUP|SECBIT_NO_SETUID_FIXUP_LOCKED|SECBIT_KEEP_CAPS|SECBIT_KEEP_CAPS_LOCKED|SECBIT_NO_CAP_AMBIENT_RAISE|SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED"},
		{SecbitNoCapAmbientRaise | 0x100, "SECBIT_NO_CAP_AMBIENT_RAISE|0x100"},
		{0xf00, "0xf00"},
	} {
		if got := c.b.String(); got != c.text {
			t.Errorf("%#x.String() = %q, want %q", uint32(c.b), got, c.text)
		}
		got, err := ParseSecurebits(c.text)
		if err != nil || got != c.b {
			t.Errorf("ParseSecurebits(%q) = %#x, %v", c.text, uint32(got), err)
		}
		var u Securebits
		if m, _ := c.b.MarshalText(); u.UnmarshalText(m) != nil || u != c.b {
			t.Errorf("text round trip of %#x: %q gives %#x", uint32(c.b), m, uint32(u))
		}
	}
	for _, bad := range []string{"", "SECBIT_NOPE", "secbit_noroot", "SECBIT_NOROOT|", "0x100000000", "0x", "0x+1", "256", "0|SECBIT_NOROOT"} {
		if _, err := ParseSecurebits(bad); !errors.Is(err, strconv.ErrSyntax) && !errors.Is(err, strconv.ErrRange) {
			t.Errorf("ParseSecurebits(%q) = %v, want a syntax or range error", bad, err)
		}
	}
}

func TestScopeString(t *testing.T) {
	if ProcessScope.String() != "process" || ThreadScope.String() != "thread" || Scope(9).String() != "Scope(9)" {
		t.Errorf("Scope strings: %v %v %v", ProcessScope, ThreadScope, Scope(9))
	}
}

// TestAllThreadsCgo checks the error a process-wide change gives in a
// cgo program, where syscall.AllThreadsSyscall refuses with ENOTSUP (a
// test binary without cgo cannot make the runtime say it).
func TestAllThreadsCgo(t *testing.T) {
	err := allThreadsErr(os.NewSyscallError("capset", syscall.ENOTSUP))
	if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, syscall.ENOTSUP) || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Errorf("allThreadsErr(ENOTSUP) = %v", err)
	}
	if other := os.NewSyscallError("capset", syscall.EPERM); allThreadsErr(other) != other {
		t.Errorf("allThreadsErr(EPERM) = %v", allThreadsErr(other))
	}
}
