package seccomp

//go:generate go run gensysnum.go

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"sync"
)

// Arch is a system call ABI as a seccomp filter sees it: the AUDIT_ARCH_
// value of include/uapi/linux/audit.h that the kernel puts in
// seccomp_data.arch. The text form is the GOARCH name ("amd64").
//
// The package knows five architectures (Arch386, ArchAMD64, ArchARM,
// ArchARM64, ArchRISCV64); their system call tables are generated from
// golang.org/x/sys (zsysnum.go, go generate). Another value prints as
// hexadecimal and has no system calls.
//
// amd64's x32 ABI is not an Arch of its own: the kernel reports it as
// ArchAMD64 with X32SyscallBit set in the number.
type Arch uint32

// X32SyscallBit is __X32_SYSCALL_BIT of arch/x86/include/uapi/asm/unistd.h:
// set in the system call number of an x32 call, which seccomp_data reports
// with AUDIT_ARCH_X86_64. A Policy for ArchAMD64 treats the numbers from
// it up (but -1) as another architecture's.
const X32SyscallBit = 0x40000000

// Flags of an AUDIT_ARCH_ value (include/uapi/linux/audit.h).
const (
	audit64Bit = 0x80000000 // __AUDIT_ARCH_64BIT
)

type archTable struct {
	arch     Arch
	name     string
	syscalls []string // indexed by number
}

func (a Arch) table() *archTable {
	for i := range archTables {
		if archTables[i].arch == a {
			return &archTables[i]
		}
	}
	return nil
}

// Is64Bit reports whether a is a 64-bit ABI (__AUDIT_ARCH_64BIT), whose
// system call arguments are 64 bits wide; a 32-bit ABI's are 32 bits.
func (a Arch) Is64Bit() bool { return a&audit64Bit != 0 }

// String returns the GOARCH name ("amd64"), or "0x" and the hexadecimal
// value of an architecture the package does not know ("0xc0000016").
func (a Arch) String() string {
	if t := a.table(); t != nil {
		return t.name
	}
	return "0x" + strconv.FormatUint(uint64(a), 16)
}

// MarshalText returns String's text.
func (a Arch) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText sets *a from text ParseArch accepts.
func (a *Arch) UnmarshalText(text []byte) error {
	v, err := ParseArch(string(text))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ParseArch returns the architecture a GOARCH name stands for ("amd64",
// "arm64", "386", "arm", "riscv64"), or the value of a hexadecimal
// "0x..." as String prints an unknown one. The error wraps fs.ErrInvalid
// and names text.
func ParseArch(text string) (Arch, error) {
	for i := range archTables {
		if archTables[i].name == text {
			return archTables[i].arch, nil
		}
	}
	if len(text) > 2 && text[:2] == "0x" {
		if v, err := strconv.ParseUint(text[2:], 16, 32); err == nil && Arch(v).table() == nil && Arch(v).String() == text {
			return Arch(v), nil
		}
	}
	return 0, fmt.Errorf("seccomp: unknown architecture %q: %w", text, fs.ErrInvalid)
}

// NativeArch returns the architecture of the running program's GOARCH.
// The error wraps errors.ErrUnsupported on another GOARCH.
func NativeArch() (Arch, error) {
	a, err := ParseArch(runtime.GOARCH)
	if err != nil {
		return 0, fmt.Errorf("seccomp: GOARCH %s: %w", runtime.GOARCH, errors.ErrUnsupported)
	}
	return a, nil
}

// Syscall is a system call number within one Arch (seccomp_data.nr).
// The same call has different numbers on different architectures:
// Arch.Lookup and Arch.Name translate.
type Syscall uint32

// String returns the decimal number; Arch.Name gives the name.
func (s Syscall) String() string { return strconv.FormatUint(uint64(s), 10) }

// lookups holds each architecture's name-to-number map, built once.
var lookups = sync.OnceValue(func() map[Arch]map[string]Syscall {
	m := make(map[Arch]map[string]Syscall, len(archTables))
	for _, t := range archTables {
		byName := make(map[string]Syscall, len(t.syscalls))
		for nr, name := range t.syscalls {
			if name != "" {
				byName[name] = Syscall(nr)
			}
		}
		m[t.arch] = byName
	}
	return m
})

// Lookup returns the number of the system call name on a: the kernel's
// __NR_ name without the prefix, in lower case ("openat", "_llseek",
// "riscv_flush_icache"). The error wraps fs.ErrInvalid and names the
// input, for an unknown name or architecture.
func (a Arch) Lookup(name string) (Syscall, error) {
	byName, ok := lookups()[a]
	if !ok {
		return 0, fmt.Errorf("seccomp: system call %q: unknown architecture %v: %w", name, a, fs.ErrInvalid)
	}
	nr, ok := byName[name]
	if !ok {
		return 0, fmt.Errorf("seccomp: unknown system call %q on %v: %w", name, a, fs.ErrInvalid)
	}
	return nr, nil
}

// Name returns the name of system call nr on a, and false for a number
// the table (golang.org/x/sys's, see zsysnum.go) does not have.
func (a Arch) Name(nr Syscall) (string, bool) {
	t := a.table()
	if t == nil || uint64(nr) >= uint64(len(t.syscalls)) || t.syscalls[nr] == "" {
		return "", false
	}
	return t.syscalls[nr], true
}

// MaxSyscall returns the highest system call number in a's table, and
// false for an architecture the package does not know.
func (a Arch) MaxSyscall() (Syscall, bool) {
	t := a.table()
	if t == nil {
		return 0, false
	}
	return Syscall(len(t.syscalls) - 1), true
}

// Arches returns the architectures the package has tables for.
func Arches() []Arch {
	out := make([]Arch, len(archTables))
	for i, t := range archTables {
		out[i] = t.arch
	}
	return out
}
