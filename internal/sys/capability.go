package sys

import (
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// capget(2), capset(2) and the capability operations of prctl(2).
//
// The calls that change a thread's capabilities come in two scopes. The
// plain ones act on the calling OS thread only: the caller runs them on
// a locked thread (internal/thread, or runtime.LockOSThread). The
// AllThreads ones run the same system call on every thread of the
// process through syscall.AllThreadsSyscall, which stops the world and
// makes each thread call it; the runtime kills the process if one
// thread's result differs from the first's, so the threads must start
// from the same state. syscall.AllThreadsSyscall exists only in a
// program without cgo: with cgo it fails with ENOTSUP without calling
// anything, which these functions return as ErrAllThreadsCgo.

// ErrAllThreadsCgo is the errno syscall.AllThreadsSyscall returns in a
// program built with cgo, where the runtime does not know every thread.
const ErrAllThreadsCgo = syscall.ENOTSUP

// capHeader returns the header of a capget or capset call on the calling
// thread (pid 0), with the 64-bit interface, _LINUX_CAPABILITY_VERSION_3
// (Linux 2.6.26), whose data is two 32-bit words per set.
func capHeader() *unix.CapUserHeader {
	return &unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
}

// Capget returns the calling thread's effective, permitted and
// inheritable sets (capget(2)), each as a 64-bit mask.
func Capget() (effective, permitted, inheritable uint64, err error) {
	var data [2]unix.CapUserData
	if err := retry(func() error { return unix.Capget(capHeader(), &data[0]) }); err != nil {
		return 0, 0, 0, wrap("capget", err)
	}
	join := func(lo, hi uint32) uint64 { return uint64(hi)<<32 | uint64(lo) }
	return join(data[0].Effective, data[1].Effective),
		join(data[0].Permitted, data[1].Permitted),
		join(data[0].Inheritable, data[1].Inheritable), nil
}

// capData splits three 64-bit sets into capset's two words.
func capData(effective, permitted, inheritable uint64) *[2]unix.CapUserData {
	return &[2]unix.CapUserData{
		{Effective: uint32(effective), Permitted: uint32(permitted), Inheritable: uint32(inheritable)},
		{Effective: uint32(effective >> 32), Permitted: uint32(permitted >> 32), Inheritable: uint32(inheritable >> 32)},
	}
}

// Capset sets the calling thread's three sets (capset(2)).
func Capset(effective, permitted, inheritable uint64) error {
	data := capData(effective, permitted, inheritable)
	return wrap("capset", retry(func() error { return unix.Capset(capHeader(), &data[0]) }))
}

// CapsetAllThreads sets the three sets of every thread of the process.
func CapsetAllThreads(effective, permitted, inheritable uint64) error {
	hdr := capHeader()
	data := capData(effective, permitted, inheritable)
	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	// AllThreadsSyscall is not marked to keep converted pointers alive
	// as syscall.Syscall is; the two must stay until every thread has
	// made the call.
	runtime.KeepAlive(hdr)
	runtime.KeepAlive(data)
	return errnoErr("capset", errno)
}

// errnoErr wraps a raw errno from AllThreadsSyscall; 0 is success.
func errnoErr(name string, errno syscall.Errno) error {
	if errno == 0 {
		return nil
	}
	return wrap(name, errno)
}

// CapbsetDrop removes capability c from the calling thread's bounding
// set (prctl(PR_CAPBSET_DROP), Linux 2.6.25). It needs CAP_SETPCAP.
func CapbsetDrop(c int) error {
	return wrap("prctl PR_CAPBSET_DROP", retry(func() error { return unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0) }))
}

// CapbsetDropAllThreads removes c from every thread's bounding set.
func CapbsetDropAllThreads(c int) error {
	_, _, errno := syscall.AllThreadsSyscall6(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0, 0)
	return errnoErr("prctl PR_CAPBSET_DROP", errno)
}

// CapAmbientIsSet reports whether c is in the calling thread's ambient
// set (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET), Linux 4.3; EINVAL
// before, and for a capability the kernel does not know).
func CapAmbientIsSet(c int) (bool, error) {
	r, err := retry1(func() (int, error) {
		return unix.PrctlRetInt(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_IS_SET, uintptr(c), 0, 0)
	})
	if err != nil {
		return false, wrap("prctl PR_CAP_AMBIENT_IS_SET", err)
	}
	return r == 1, nil
}

// The ambient operations CapAmbient and CapAmbientAllThreads take.
const (
	CapAmbientRaise    = unix.PR_CAP_AMBIENT_RAISE
	CapAmbientLower    = unix.PR_CAP_AMBIENT_LOWER
	CapAmbientClearAll = unix.PR_CAP_AMBIENT_CLEAR_ALL
)

// capAmbientName names the prctl of an ambient operation.
func capAmbientName(op int) string {
	switch op {
	case CapAmbientRaise:
		return "prctl PR_CAP_AMBIENT_RAISE"
	case CapAmbientLower:
		return "prctl PR_CAP_AMBIENT_LOWER"
	}
	return "prctl PR_CAP_AMBIENT_CLEAR_ALL"
}

// CapAmbient changes the calling thread's ambient set
// (prctl(PR_CAP_AMBIENT, op, c), Linux 4.3): raises or lowers c, or with
// CapAmbientClearAll (c 0) empties the set.
func CapAmbient(op, c int) error {
	return wrap(capAmbientName(op), retry(func() error { return unix.Prctl(unix.PR_CAP_AMBIENT, uintptr(op), uintptr(c), 0, 0) }))
}

// CapAmbientAllThreads is CapAmbient on every thread.
func CapAmbientAllThreads(op, c int) error {
	_, _, errno := syscall.AllThreadsSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, uintptr(op), uintptr(c), 0, 0, 0)
	return errnoErr(capAmbientName(op), errno)
}

// GetSecurebits returns the calling thread's securebits
// (prctl(PR_GET_SECUREBITS), Linux 2.6.26).
func GetSecurebits() (uint32, error) {
	r, err := retry1(func() (int, error) { return unix.PrctlRetInt(unix.PR_GET_SECUREBITS, 0, 0, 0, 0) })
	if err != nil {
		return 0, wrap("prctl PR_GET_SECUREBITS", err)
	}
	return uint32(r), nil
}

// SetSecurebits sets the calling thread's securebits
// (prctl(PR_SET_SECUREBITS)). It needs CAP_SETPCAP.
func SetSecurebits(bits uint32) error {
	return wrap("prctl PR_SET_SECUREBITS", retry(func() error { return unix.Prctl(unix.PR_SET_SECUREBITS, uintptr(bits), 0, 0, 0) }))
}

// SetSecurebitsAllThreads sets every thread's securebits.
func SetSecurebitsAllThreads(bits uint32) error {
	_, _, errno := syscall.AllThreadsSyscall6(unix.SYS_PRCTL, unix.PR_SET_SECUREBITS, uintptr(bits), 0, 0, 0, 0)
	return errnoErr("prctl PR_SET_SECUREBITS", errno)
}
