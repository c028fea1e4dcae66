package seccomp

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Reading a target's memory, for the pointer arguments of a
// notification.
//
// The time-of-check/time-of-use rule: what a supervisor reads is a copy
// taken at one moment. It may be stale by the time the supervisor acts
// on it, in two ways:
//
//  1. The target may have died, and its PID been reused by an unrelated
//     process whose memory was read instead. After reading, call
//     IDValid: if the notification is still valid, the target was alive
//     when its memory was read, and the bytes are its own.
//  2. Another thread of the target (or a process sharing its memory) may
//     change the memory after the read. The supervisor must therefore
//     act on its copy only: perform the operation itself, with the bytes
//     it read, and answer with Value, Errno or AddFD. Continue lets the
//     kernel re-read the arguments, which may then differ from the ones
//     checked: never base a Continue on pointer arguments when the
//     decision matters for security (seccomp_unotify(2), NOTES).

// ReadMemory copies the memory of process pid at address addr into buf,
// process_vm_readv(2) (Linux 3.2), and returns the number of bytes
// copied. A short count comes with an error matching syscall.EFAULT: the
// memory beyond is not mapped or not readable. The caller needs ptrace
// access to pid (PTRACE_MODE_ATTACH_REALCREDS: the same user and a
// dumpable process, or CAP_SYS_PTRACE; Yama's ptrace_scope may ask for
// more): EPERM otherwise. A process that is gone gives an error matching
// os.ErrProcessDone and syscall.ESRCH. See the rule above: call IDValid
// after reading.
func ReadMemory(pid int, addr uint64, buf []byte) (int, error) {
	if err := kernel.CheckPID(pid); err != nil {
		return 0, fmt.Errorf("seccomp: read memory: %w", err)
	}
	// math.MaxUint is also uintptr's limit on Linux.
	if addr > math.MaxUint-uint64(len(buf)) {
		return 0, fmt.Errorf("seccomp: read memory of %d: address %#x does not fit %d bytes: %w", pid, addr, len(buf), fs.ErrInvalid)
	}
	done := 0
	for done < len(buf) {
		n, err := sys.ProcessVMRead(pid, uintptr(addr)+uintptr(done), buf[done:])
		if err != nil {
			return done, memoryErr(pid, addr+uint64(done), err)
		}
		if n == 0 {
			// Not an error the kernel gives, but no progress.
			return done, fmt.Errorf("seccomp: read memory of %d at %#x: %w", pid, addr+uint64(done), syscall.EFAULT)
		}
		done += n
	}
	return done, nil
}

// memoryErr adds context to a process_vm_readv error.
func memoryErr(pid int, addr uint64, err error) error {
	if errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("seccomp: read memory of %d at %#x: %w (%w)", pid, addr, os.ErrProcessDone, err)
	}
	return fmt.Errorf("seccomp: read memory of %d at %#x: %w", pid, addr, err)
}

// ReadString reads a NUL-terminated string, such as a path argument,
// from the memory of process pid at address addr: at most max bytes
// before the NUL. It returns the bytes before the NUL, unchanged (any
// byte but NUL, valid UTF-8 or not). It reads page by page, so that a
// string that ends just before unmapped memory is read whole. Errors are
// ReadMemory's, and one matching syscall.ENAMETOOLONG when there is no
// NUL in max+1 bytes (for a path, max is 4095: PATH_MAX counts the NUL).
// See the rule above: call IDValid after reading.
func ReadString(pid int, addr uint64, max int) (string, error) {
	if max < 0 || max > math.MaxInt32 {
		return "", fmt.Errorf("seccomp: read string: bound %d not 0..%d: %w", max, math.MaxInt32, fs.ErrInvalid)
	}
	page := uint64(os.Getpagesize())
	var out []byte
	for {
		chunk := int(page - addr%page)
		if left := max + 1 - len(out); chunk > left {
			chunk = left
		}
		buf := make([]byte, chunk)
		n, err := ReadMemory(pid, addr, buf)
		if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
			return string(append(out, buf[:i]...)), nil
		}
		if err != nil {
			return "", err
		}
		out = append(out, buf...)
		addr += uint64(chunk)
		if len(out) > max {
			return "", fmt.Errorf("seccomp: read string of %d: no NUL in %d bytes: %w", pid, max+1, syscall.ENAMETOOLONG)
		}
	}
}
