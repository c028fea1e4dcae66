package sys

import (
	"time"

	"golang.org/x/sys/unix"
)

// waitid(2).

// waitid(2) id types and options.
const (
	P_PID   = unix.P_PID   // id is a process id
	P_PIDFD = unix.P_PIDFD // id is a pidfd (Linux 5.4)
	WEXITED = unix.WEXITED
	WNOHANG = unix.WNOHANG
	WALL    = unix.WALL // __WALL: wait for clone children too
)

// WaitResult is what waitid(2) reports about a child, with the rusage.
type WaitResult struct {
	Pid    int   // si_pid; 0 when WNOHANG found nothing to report
	Uid    int   // si_uid
	Code   int32 // si_code: CLD_EXITED, CLD_KILLED, CLD_DUMPED, ...
	Status int32 // si_status: exit code for CLD_EXITED, else the signal
	Rusage Rusage
}

// Rusage is struct rusage in Go units.
type Rusage struct {
	Utime, Stime   time.Duration
	MaxrssKB       int64
	Minflt, Majflt int64
	Inblock        int64
	Oublock        int64
	Nvcsw, Nivcsw  int64
}

// Waitid calls waitid(idType, id, &info, options, &rusage). With a
// non-blocking pidfd and without WNOHANG, a child that has not exited
// gives EAGAIN (Linux 5.10).
func Waitid(idType, id, options int) (WaitResult, error) {
	var si unix.Siginfo
	var ru unix.Rusage
	err := retry(func() error { return unix.Waitid(idType, id, &si, options, &ru) })
	if err != nil {
		return WaitResult{}, wrap("waitid", err)
	}
	pid, uid, status := sigchld(&si)
	return WaitResult{
		Pid:    int(pid),
		Uid:    int(uid),
		Code:   si.Code,
		Status: status,
		Rusage: Rusage{
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

// ProbeWaitidPidfd checks that waitid(2) knows P_PIDFD (Linux 5.4) without
// waiting for anything: it passes the largest fd number, which is never
// open (fs.nr_open is at most 2^31-64), so a kernel that knows the id type
// answers EBADF and an older one EINVAL. (A negative id would give EINVAL
// on every kernel.)
func ProbeWaitidPidfd() error {
	_, err := Waitid(P_PIDFD, 1<<31-1, WEXITED|WNOHANG)
	if Errno(err) == unix.EBADF {
		return nil
	}
	return err
}
