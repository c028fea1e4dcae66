package pidfd

// The /proc fallback of Info, for kernels without PIDFD_GET_INFO (before
// 6.13). The parsing is deliberately tiny and local: procfs has complete
// parsers for these files, but procfs may one day import pidfd, and Info
// needs only a handful of lines.

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
)

// procRoot is where procfs is mounted.
const procRoot = "/proc"

var errNotPidfd = errors.New("not a pidfd (no Pid: line in fdinfo)")

// infoFromProc is Info's fallback: fdinfo's Pid, then /proc/PID/status,
// then fdinfo again to detect that the PID was released (and possibly
// reused) while status was read.
func (f *FD) infoFromProc() (Info, error) {
	in, err := poll.ControlT(f.pfd, "procfs", func(fd int) (Info, error) {
		pid, err := fdinfoPid(fd)
		if err != nil {
			return Info{}, err
		}
		if pid < 0 {
			return Info{}, processDone(sys.ESRCH)
		}
		if pid == 0 {
			return Info{}, errors.New("process is not visible in the caller's PID namespace")
		}
		var st procStatus
		var stack [64]byte
		path := append(stack[:0], procRoot+"/"...)
		path = strconv.AppendInt(path, int64(pid), 10)
		path = append(path, "/status\x00"...)
		serr := pseudofs.WithFileZ(sys.AT_FDCWD, path, func(b []byte) (err error) {
			st, err = parseStatus(b)
			return err
		})
		again, err := fdinfoPid(fd)
		if err != nil {
			return Info{}, err
		}
		if again != pid {
			return Info{}, processDone(sys.ESRCH) // reaped while we read status
		}
		if serr != nil {
			return Info{}, serr
		}
		return Info{
			PID: st.pid, TGID: st.tgid, PPID: st.ppid,
			Creds: &Creds{
				UID: st.uid[0], EUID: st.uid[1], SUID: st.uid[2], FSUID: st.uid[3],
				GID: st.gid[0], EGID: st.gid[1], SGID: st.gid[2], FSGID: st.gid[3],
			},
			Source: FromProc,
		}, nil
	})
	if err != nil {
		return Info{}, fmt.Errorf("pidfd info (procfs fallback): %w", err)
	}
	return in, nil
}

// fdinfoPid reads the "Pid:" line of /proc/self/fdinfo/fd: -1 once the
// process has been reaped, 0 if it is not in procfs's PID namespace.
func fdinfoPid(fd int) (int, error) {
	var stack [64]byte
	path := append(stack[:0], procRoot+"/self/fdinfo/"...)
	path = strconv.AppendInt(path, int64(fd), 10)
	path = append(path, 0)
	var pid int
	err := pseudofs.WithFileZ(sys.AT_FDCWD, path, func(b []byte) (err error) {
		pid, err = parseFdinfoPid(b)
		return err
	})
	return pid, err
}

// parseFdinfoPid returns the value of the "Pid:" line of a pidfd's fdinfo:
// the PID in the procfs mount's PID namespace, 0 if the process is not
// visible there, -1 once it has been reaped.
func parseFdinfoPid(b []byte) (int, error) {
	for len(b) > 0 {
		var line []byte
		line, b = parse.Line(b)
		k, v, ok := parse.KeyValue(line, ':')
		if !ok || string(k) != "Pid" {
			continue
		}
		n, err := parse.Int(v)
		if err != nil || n < -1 || n > 1<<31-1 {
			return 0, fmt.Errorf("fdinfo Pid %q: invalid", v)
		}
		return int(n), nil
	}
	return 0, errNotPidfd
}

// procStatus is the part of /proc/PID/status the fallback needs.
type procStatus struct {
	pid, tgid, ppid int
	uid, gid        [4]uint32 // real, effective, saved, filesystem
}

// parseStatus extracts Pid, Tgid, PPid, Uid and Gid from /proc/PID/status.
// All five must be present.
func parseStatus(b []byte) (procStatus, error) {
	var st procStatus
	const (
		havePid = 1 << iota
		haveTgid
		havePPid
		haveUid
		haveGid
		haveAll = havePid | haveTgid | havePPid | haveUid | haveGid
	)
	var have int
	for len(b) > 0 && have != haveAll {
		var line []byte
		line, b = parse.Line(b)
		k, v, ok := parse.KeyValue(line, ':')
		if !ok {
			continue
		}
		var err error
		switch string(k) {
		case "Pid":
			st.pid, err = statusInt(v)
			have |= havePid
		case "Tgid":
			st.tgid, err = statusInt(v)
			have |= haveTgid
		case "PPid":
			st.ppid, err = statusInt(v)
			have |= havePPid
		case "Uid":
			st.uid, err = statusIDs(v)
			have |= haveUid
		case "Gid":
			st.gid, err = statusIDs(v)
			have |= haveGid
		}
		if err != nil {
			return procStatus{}, fmt.Errorf("status %s: %w", k, err)
		}
	}
	if have != haveAll {
		return procStatus{}, errors.New("status: missing Pid, Tgid, PPid, Uid or Gid line")
	}
	return st, nil
}

func statusInt(v []byte) (int, error) {
	n, err := parse.Uint(v)
	if err != nil {
		return 0, err
	}
	if n > 1<<31-1 {
		return 0, fmt.Errorf("%q out of range", v)
	}
	return int(n), nil
}

// statusIDs parses the four tab-separated ids of a Uid: or Gid: line.
func statusIDs(v []byte) ([4]uint32, error) {
	var ids [4]uint32
	for i := range ids {
		var fld []byte
		fld, v = parse.Field(v)
		n, err := parse.Uint(fld)
		if err != nil {
			return ids, err
		}
		if n > 1<<32-1 {
			return ids, fmt.Errorf("id %q out of range", fld)
		}
		ids[i] = uint32(n)
	}
	return ids, nil
}
