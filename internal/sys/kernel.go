package sys

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// Utsname is uname(2)'s answer as Go strings.
type Utsname struct {
	Sysname, Nodename, Release, Version, Machine, Domainname string
}

// Uname calls uname(2).
func Uname() (Utsname, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return Utsname{}, wrap("uname", err)
	}
	s := func(b []byte) string {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return string(b)
	}
	return Utsname{s(u.Sysname[:]), s(u.Nodename[:]), s(u.Release[:]), s(u.Version[:]), s(u.Machine[:]), s(u.Domainname[:])}, nil
}

// Sysinfo is sysinfo(2)'s answer, with memory already in bytes.
type Sysinfo struct {
	UptimeSeconds        int64
	Loads                [3]uint64
	TotalRAM, FreeRAM    uint64
	SharedRAM, BufferRAM uint64
	TotalSwap, FreeSwap  uint64
	Procs                uint16
	TotalHigh, FreeHigh  uint64
}

// GetSysinfo calls sysinfo(2).
func GetSysinfo() (Sysinfo, error) {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return Sysinfo{}, wrap("sysinfo", err)
	}
	u := uint64(si.Unit)
	if u == 0 {
		u = 1
	}
	return Sysinfo{
		UptimeSeconds: int64(si.Uptime),
		Loads:         [3]uint64{uint64(si.Loads[0]), uint64(si.Loads[1]), uint64(si.Loads[2])},
		TotalRAM:      uint64(si.Totalram) * u, FreeRAM: uint64(si.Freeram) * u,
		SharedRAM: uint64(si.Sharedram) * u, BufferRAM: uint64(si.Bufferram) * u,
		TotalSwap: uint64(si.Totalswap) * u, FreeSwap: uint64(si.Freeswap) * u,
		Procs:     si.Procs,
		TotalHigh: uint64(si.Totalhigh) * u, FreeHigh: uint64(si.Freehigh) * u,
	}, nil
}

// Namespace clone flags, for Unshare and Setns.
const (
	CLONE_NEWNS     = unix.CLONE_NEWNS
	CLONE_NEWUTS    = unix.CLONE_NEWUTS
	CLONE_NEWIPC    = unix.CLONE_NEWIPC
	CLONE_NEWUSER   = unix.CLONE_NEWUSER
	CLONE_NEWPID    = unix.CLONE_NEWPID
	CLONE_NEWNET    = unix.CLONE_NEWNET
	CLONE_NEWCGROUP = unix.CLONE_NEWCGROUP
	CLONE_NEWTIME   = unix.CLONE_NEWTIME
	CLONE_FS        = unix.CLONE_FS
	CLONE_FILES     = unix.CLONE_FILES
)

// Unshare calls unshare(2). It affects the calling thread only; call it from
// internal/thread.
func Unshare(flags int) error { return wrap("unshare", unix.Unshare(flags)) }

// Setns calls setns(2) on the calling thread.
func Setns(fd int, nstype int) error { return wrap("setns", unix.Setns(fd, nstype)) }

// Sethostname sets the hostname of the calling thread's UTS namespace.
func Sethostname(name string) error { return wrap("sethostname", unix.Sethostname([]byte(name))) }

// Gettid returns the calling thread's id.
func Gettid() int { return unix.Gettid() }

// Getpid returns the process id.
func Getpid() int { return unix.Getpid() }
