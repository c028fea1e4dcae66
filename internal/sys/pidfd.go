package sys

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// pidfd flags and constants, re-exported for package pidfd.
const (
	PIDFD_NONBLOCK = unix.PIDFD_NONBLOCK // pidfd_open: O_NONBLOCK (5.10)
	// PIDFD_THREAD is O_EXCL (include/uapi/linux/pidfd.h, 6.9); x/sys
	// v0.47, the newest release that supports go 1.25, lacks it.
	PIDFD_THREAD = unix.O_EXCL // pidfd_open: a thread, not a thread group (6.9)

	// pidfd_send_signal scope flags, include/uapi/linux/pidfd.h (6.9).
	PIDFD_SIGNAL_THREAD        = 1 << 0
	PIDFD_SIGNAL_THREAD_GROUP  = 1 << 1
	PIDFD_SIGNAL_PROCESS_GROUP = 1 << 2

	PID_FS_MAGIC = unix.PID_FS_MAGIC // fstatfs(2) f_type of a pidfd on pidfs (6.9)

	WEXITED = unix.WEXITED
	WNOHANG = unix.WNOHANG
	WALL    = unix.WALL // __WALL: wait for clone children too

	// si_code values of SIGCHLD, from include/uapi/asm-generic/siginfo.h
	// (x/sys does not export them).
	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_TRAPPED   = 4
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6

	// SI_QUEUE is the si_code of sigqueue(3) (asm-generic/siginfo.h).
	SI_QUEUE = -1
)

// PidfdOpen calls pidfd_open(2). The kernel always sets O_CLOEXEC on the
// new fd.
func PidfdOpen(pid int, flags int) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.PidfdOpen(pid, flags) })
	if err != nil {
		return nil, wrap("pidfd_open", err)
	}
	return NewFD(fd), nil
}

// PidfdSetNonblock sets O_NONBLOCK on fd's open file description, which is
// shared with every duplicate of fd.
func PidfdSetNonblock(fd int) error {
	return wrap("fcntl", unix.SetNonblock(fd, true))
}

// PidfdGetFlags returns fd's file status flags (fcntl F_GETFL), which for a
// pidfd include O_NONBLOCK and PIDFD_THREAD.
func PidfdGetFlags(fd int) (int, error) {
	fl, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0) })
	return fl, wrap("fcntl", err)
}

// PidfdDup duplicates fd with F_DUPFD_CLOEXEC.
func PidfdDup(fd int) (*FD, error) {
	nfd, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0) })
	if err != nil {
		return nil, wrap("fcntl", err)
	}
	return NewFD(nfd), nil
}

// PidfdSiginfo is the part of a siginfo_t that rt_sigqueueinfo(2) and
// pidfd_send_signal(2) let the sender choose: the _rt member of the union.
type PidfdSiginfo struct {
	Signo int32
	Code  int32
	Pid   int32   // si_pid
	Uid   uint32  // si_uid
	Value uintptr // si_value (sival_int in the low 32 bits on little-endian)
}

// sigUnion is the offset of the union in siginfo_t: three ints, then
// padding to the union's alignment, which is a pointer's
// (include/uapi/asm-generic/siginfo.h, __ARCH_SI_PREAMBLE_SIZE).
const sigUnion = (12 + unsafe.Sizeof(uintptr(0)) - 1) &^ (unsafe.Sizeof(uintptr(0)) - 1)

// fill writes p into a kernel siginfo_t.
func (p *PidfdSiginfo) fill(si *unix.Siginfo) {
	*si = unix.Siginfo{Signo: p.Signo, Code: p.Code}
	b := (*[unsafe.Sizeof(unix.Siginfo{})]byte)(unsafe.Pointer(si))
	*(*int32)(unsafe.Pointer(&b[sigUnion])) = p.Pid
	*(*uint32)(unsafe.Pointer(&b[sigUnion+4])) = p.Uid
	*(*uintptr)(unsafe.Pointer(&b[sigUnion+8])) = p.Value
}

// PidfdSendSignal calls pidfd_send_signal(2). info may be nil.
func PidfdSendSignal(pidfd int, sig syscall.Signal, info *PidfdSiginfo, flags int) error {
	var si *unix.Siginfo
	if info != nil {
		si = new(unix.Siginfo)
		info.fill(si)
	}
	return wrap("pidfd_send_signal", retry(func() error {
		return unix.PidfdSendSignal(pidfd, unix.Signal(sig), si, flags)
	}))
}

// PidfdGetfd calls pidfd_getfd(2). The kernel sets O_CLOEXEC on the new fd
// and leaves the other file status flags (O_NONBLOCK) as they are: they
// belong to the open file description shared with the target process.
func PidfdGetfd(pidfd, targetfd int) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.PidfdGetfd(pidfd, targetfd, 0) })
	if err != nil {
		return nil, wrap("pidfd_getfd", err)
	}
	return NewFD(fd), nil
}

// PidfdChild is what waitid(2) reports about a child, with the rusage.
type PidfdChild struct {
	Pid    int   // si_pid; 0 when WNOHANG found nothing to report
	Uid    int   // si_uid
	Code   int32 // si_code: CLD_EXITED, CLD_KILLED, CLD_DUMPED, ...
	Status int32 // si_status: exit code for CLD_EXITED, else the signal
	Rusage PidfdRusage
}

// PidfdRusage is struct rusage in Go units.
type PidfdRusage struct {
	Utime, Stime   time.Duration
	MaxrssKB       int64
	Minflt, Majflt int64
	Inblock        int64
	Oublock        int64
	Nvcsw, Nivcsw  int64
}

// PidfdWaitid calls waitid(P_PIDFD, pidfd, &info, options, &rusage) (5.4).
func PidfdWaitid(pidfd int, options int) (PidfdChild, error) {
	var si unix.Siginfo
	var ru unix.Rusage
	err := retry(func() error { return unix.Waitid(unix.P_PIDFD, pidfd, &si, options, &ru) })
	if err != nil {
		return PidfdChild{}, wrap("waitid", err)
	}
	b := (*[unsafe.Sizeof(unix.Siginfo{})]byte)(unsafe.Pointer(&si))
	return PidfdChild{
		Pid:    int(*(*int32)(unsafe.Pointer(&b[sigUnion]))),
		Uid:    int(*(*uint32)(unsafe.Pointer(&b[sigUnion+4]))),
		Code:   si.Code,
		Status: *(*int32)(unsafe.Pointer(&b[sigUnion+8])),
		Rusage: PidfdRusage{
			Utime:    time.Duration(ru.Utime.Nano()),
			Stime:    time.Duration(ru.Stime.Nano()),
			MaxrssKB: int64(ru.Maxrss),
			Minflt:   int64(ru.Minflt),
			Majflt:   int64(ru.Majflt),
			Inblock:  int64(ru.Inblock),
			Oublock:  int64(ru.Oublock),
			Nvcsw:    int64(ru.Nvcsw),
			Nivcsw:   int64(ru.Nivcsw),
		},
	}, nil
}

// pidfdGetInfo is PIDFD_GET_INFO with the size of lx's struct pidfd_info.
var pidfdGetInfo = IOWR(abi.PIDFS_IOCTL_MAGIC, abi.PIDFD_GET_INFO_NR, uint32(unsafe.Sizeof(abi.PidfdInfo{})))

// PidfdGetInfo issues the PIDFD_GET_INFO ioctl (6.13). info.Mask carries the
// request in and the answer out.
func PidfdGetInfo(pidfd int, info *abi.PidfdInfo) error {
	_, err := IoctlPtr(pidfd, pidfdGetInfo, unsafe.Pointer(info))
	return err
}

// PidfdGetNamespace issues PIDFD_GET_<type>_NAMESPACE, _IO(0xFF, nr)
// (6.11), and returns the new nsfs fd, which the kernel opens O_CLOEXEC.
func PidfdGetNamespace(pidfd int, nr uint32) (*FD, error) {
	fd, err := Ioctl(pidfd, IO(abi.PIDFS_IOCTL_MAGIC, nr), 0)
	if err != nil {
		return nil, err
	}
	return NewFD(fd), nil
}

// maxHandleSize is MAX_HANDLE_SZ from include/linux/exportfs.h.
const maxHandleSize = 128

// pidfdHandle is struct file_handle with room for the largest handle.
type pidfdHandle struct {
	bytes uint32
	typ   int32
	f     [maxHandleSize]byte
}

// emptyPath is "" for AT_EMPTY_PATH.
var emptyPath = [1]byte{0}

// PidfdNameToHandle calls name_to_handle_at(pidfd, "", &handle, &mount_id,
// AT_EMPTY_PATH) and copies the handle into buf, returning its type and
// length. It owns the syscall because x/sys's NameToHandleAt passes a
// 32-bit mount id that AT_HANDLE_MNT_ID_UNIQUE would overflow; no such
// flag is passed here. pidfs supports file handles from 6.13.
func PidfdNameToHandle(pidfd int, buf []byte) (typ int32, n int, err error) {
	var h pidfdHandle
	h.bytes = maxHandleSize
	var mountID int32
	_, err = Syscall6("name_to_handle_at", unix.SYS_NAME_TO_HANDLE_AT, uintptr(pidfd),
		uintptr(unsafe.Pointer(&emptyPath[0])), uintptr(unsafe.Pointer(&h)),
		uintptr(unsafe.Pointer(&mountID)), unix.AT_EMPTY_PATH, 0)
	if err != nil {
		return 0, 0, err
	}
	if h.bytes > maxHandleSize {
		return 0, 0, wrap("name_to_handle_at", unix.EOVERFLOW)
	}
	return h.typ, copy(buf, h.f[:h.bytes]), nil
}
