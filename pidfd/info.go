package pidfd

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/signal"
)

// infoRequest is every field lx knows. PIDFD_INFO_SUPPORTED_MASK is left
// out on purpose: its offset differed between header versions (see
// sys.PidfdInfo), and lx does not need it.
const infoRequest = sys.PIDFD_INFO_PID | sys.PIDFD_INFO_CREDS | sys.PIDFD_INFO_CGROUPID |
	sys.PIDFD_INFO_EXIT | sys.PIDFD_INFO_COREDUMP | sys.PIDFD_INFO_COREDUMP_SIGNAL |
	sys.PIDFD_INFO_COREDUMP_CODE

// InfoSource says where Info came from.
type InfoSource uint8

const (
	// FromIoctl: the PIDFD_GET_INFO ioctl (Linux 6.13).
	FromIoctl InfoSource = iota + 1
	// FromProc: the fallback through /proc/self/fdinfo/FD and
	// /proc/PID/status on kernels without the ioctl.
	FromProc
)

func (s InfoSource) String() string {
	switch s {
	case FromIoctl:
		return "PIDFD_GET_INFO"
	case FromProc:
		return "procfs"
	}
	return "InfoSource(" + strconv.Itoa(int(s)) + ")"
}

// Info describes the process a pidfd refers to. Pointer fields are nil and
// ok-results false when the kernel did not report that part.
type Info struct {
	// PID is the process (for a PIDFD_THREAD pidfd, the thread) id in the
	// caller's PID namespace, TGID its thread-group id and PPID its
	// parent's. They are zero after the process has been reaped, when the
	// kernel reports only Exit (and the cgroup and core dump parts).
	PID, TGID, PPID int
	// Creds are the process's user and group ids, in the caller's user
	// namespace (an id without a mapping there shows as the overflow id,
	// cred.OverflowUID/OverflowGID). Creds.Groups is nil: neither
	// PIDFD_GET_INFO nor the fallback reports supplementary groups.
	Creds *cred.Creds
	// Exit is how the process ended; set only once it has been reaped
	// (Linux 6.15).
	Exit *ExitStatus
	// Coredump is the core dump state (Linux 6.16).
	Coredump *Coredump
	// Source says how Info was obtained.
	Source InfoSource

	cgroupID    uint64
	hasCgroupID bool
}

// CgroupID returns the id of the process's cgroup v2 (the inode number of
// its directory in the unified hierarchy, as name_to_handle_at(2) or
// stat(2) report it). ok is false when the kernel did not report one (no
// cgroup v2, or the /proc fallback).
func (i Info) CgroupID() (id uint64, ok bool) { return i.cgroupID, i.hasCgroupID }

// CoredumpFlags are PIDFD_COREDUMP_* flags.
type CoredumpFlags uint32

const (
	CoreDumped  CoredumpFlags = sys.PIDFD_COREDUMPED    // the process dumped core
	CoreSkipped CoredumpFlags = sys.PIDFD_COREDUMP_SKIP // core dump generation was skipped
	CoreAsUser  CoredumpFlags = sys.PIDFD_COREDUMP_USER // dumped (or would be) as the process's user
	CoreAsRoot  CoredumpFlags = sys.PIDFD_COREDUMP_ROOT // dumped (or would be) as root; treat as sensitive
)

// coredumpText is the text form of CoredumpFlags.
var coredumpText = flagtext.Format[CoredumpFlags]{
	Flags: []flagtext.Flag[CoredumpFlags]{
		{Bits: CoreDumped, Name: "dumped"}, {Bits: CoreSkipped, Name: "skipped"},
		{Bits: CoreAsUser, Name: "user"}, {Bits: CoreAsRoot, Name: "root"},
	},
	Sep:  '|',
	None: "none",
}

// String lists the flags separated by "|", e.g. "dumped|user"; unknown
// bits are printed in hex ("0x100"), no flags as "none".
func (c CoredumpFlags) String() string { return coredumpText.String(c) }

// MarshalText returns String's text.
func (c CoredumpFlags) MarshalText() ([]byte, error) { return coredumpText.Append(nil, c), nil }

// UnmarshalText sets *c from String's form: "none", or "|"-separated
// names ("dumped", "skipped", "user", "root") and hexadecimal numbers
// ("0x100"), in any order. Anything else is an error wrapping
// strconv.ErrSyntax (strconv.ErrRange for a number beyond 32 bits).
func (c *CoredumpFlags) UnmarshalText(text []byte) error {
	return coredumpText.Unmarshal(c, text, "pidfd: invalid coredump flags")
}

// Coredump is the core dump part of Info. For a running process Flags say
// how a core dump would be written (CoreAsUser, CoreAsRoot or CoreSkipped,
// from its dumpable setting); after a crash that dumped core CoreDumped is
// set when the kernel recorded the dump (observed on 6.18: a dump written
// to a file through a plain core_pattern leaves Flags empty; the exit
// status still says "core dumped").
type Coredump struct {
	Flags CoredumpFlags
	// Signal is the signal that caused the dump, 0 if the kernel did not
	// report it (PIDFD_INFO_COREDUMP_SIGNAL, kernels after 6.18).
	Signal signal.Signal

	code    signal.Code
	hasCode bool
}

// Code returns the si_code of the signal that caused the dump (SEGV_MAPERR
// and the like: code.Name(c.Signal) names it). ok is false before Linux
// 7.1 (PIDFD_INFO_COREDUMP_CODE).
func (c Coredump) Code() (code signal.Code, ok bool) { return c.code, c.hasCode }

// Info returns what the kernel tells about the process: ids, credentials,
// cgroup, exit status (after reap) and core dump state, with the
// PIDFD_GET_INFO ioctl (Linux 6.13; exit 6.15, core dump 6.16). The
// ioctl's answer refers to the pidfd's process at the time of the call;
// it may have exited since.
//
// On kernels without the ioctl, Info falls back to /proc: the "Pid:" line
// of /proc/self/fdinfo/FD, then /proc/PID/status for the parent, thread
// group, and uids and gids, then fdinfo again to make sure the PID still
// belongs to the pidfd's process (so a reused PID is never reported).
// That fallback has no cgroup id, exit status or core dump information,
// and needs procfs mounted.
//
// After the process has been reaped, Info returns only Exit (6.15+) or,
// when the kernel cannot say, an error matching os.ErrProcessDone and
// syscall.ESRCH. No privilege is needed.
func (f *FD) Info() (Info, error) {
	if err := feature.PidfdInfo.Check(); errors.Is(err, errors.ErrUnsupported) {
		return f.infoFromProc()
	}
	ki, err := poll.ControlT(f.pfd, "ioctl", func(fd int) (sys.PidfdInfo, error) {
		return sys.PidfdGetInfo(fd, infoRequest)
	})
	if err != nil {
		if sys.Errno(err) == sys.ESRCH {
			err = processDone(err)
		}
		return Info{}, fmt.Errorf("pidfd info: %w", err)
	}
	return decodeInfo(&ki), nil
}

// decodeInfo turns the kernel's answer into Info, reading only the fields
// whose mask bit is set.
func decodeInfo(ki *sys.PidfdInfo) Info {
	in := Info{Source: FromIoctl}
	m := ki.Mask
	if m&sys.PIDFD_INFO_PID != 0 {
		in.PID, in.TGID, in.PPID = int(ki.Pid), int(ki.Tgid), int(ki.Ppid)
	}
	if m&sys.PIDFD_INFO_CREDS != 0 {
		in.Creds = &cred.Creds{
			UID: cred.UIDs{Real: cred.UID(ki.Ruid), Effective: cred.UID(ki.Euid), Saved: cred.UID(ki.Suid), FS: cred.UID(ki.Fsuid)},
			GID: cred.GIDs{Real: cred.GID(ki.Rgid), Effective: cred.GID(ki.Egid), Saved: cred.GID(ki.Sgid), FS: cred.GID(ki.Fsgid)},
		}
	}
	if m&sys.PIDFD_INFO_CGROUPID != 0 {
		in.cgroupID, in.hasCgroupID = ki.CgroupID, true
	}
	if m&sys.PIDFD_INFO_EXIT != 0 {
		st := exitFromWaitStatus(ki.ExitCode)
		in.Exit = &st
	}
	if m&sys.PIDFD_INFO_COREDUMP != 0 {
		cd := &Coredump{Flags: CoredumpFlags(ki.CoredumpMask)}
		if m&sys.PIDFD_INFO_COREDUMP_SIGNAL != 0 {
			cd.Signal = signal.Signal(ki.CoredumpSignal)
		}
		if m&sys.PIDFD_INFO_COREDUMP_CODE != 0 {
			cd.code, cd.hasCode = signal.Code(int32(ki.CoredumpCode)), true
		}
		in.Coredump = cd
	}
	return in
}

// The /proc fallback of Info, for kernels without PIDFD_GET_INFO (before
// 6.13). procfs reads and parses the files.

var errNotPidfd = errors.New("not a pidfd (no Pid: line in fdinfo)")

// infoFromProc is Info's fallback: procfs anchors a /proc/PID directory
// to the pidfd (re-checking fdinfo's Pid after the open, so a PID released
// and reused meanwhile is refused) and reads status through it.
func (f *FD) infoFromProc() (Info, error) {
	p, err := procfs.Default().ProcFromPidFD(f)
	if err != nil {
		return Info{}, fmt.Errorf("pidfd info (procfs fallback): %w", err)
	}
	defer p.Close()
	st, err := p.Status()
	if err != nil {
		return Info{}, fmt.Errorf("pidfd info (procfs fallback): %w", err)
	}
	return Info{
		PID: st.PID, TGID: st.TGID, PPID: st.PPID,
		Creds:  &cred.Creds{UID: st.UID, GID: st.GID},
		Source: FromProc,
	}, nil
}

// fdinfoPid returns the pid of the pidfd fd of the calling process, from
// the "Pid:" line of /proc/self/fdinfo/FD: -1 once the process has been
// reaped, 0 if it is not visible in procfs's PID namespace. A file without
// the line gives errNotPidfd.
func fdinfoPid(fd int) (int, error) {
	info, err := procfs.Default().Self().FDInfo(fd)
	if err != nil {
		return 0, err
	}
	if !info.Pidfd {
		return 0, errNotPidfd
	}
	if pid := info.PidfdPID; pid < -1 || pid > kernel.MaxPID {
		return 0, fmt.Errorf("fdinfo of fd %d: Pid %d out of range", fd, pid)
	}
	return info.PidfdPID, nil
}
