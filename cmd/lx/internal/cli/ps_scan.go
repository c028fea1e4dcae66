package cli

// The reads of lx ps: what one run reads once, and the rows of each
// process and thread.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// psScan is one run of lx ps: what it reads once, the selection, and
// the buffers it reuses for every process.
type psScan struct {
	fs       procfs.FS
	boot     time.Time     // in the time zone of the output
	uptime   time.Duration // from /proc/uptime, for %CPU
	memTotal uint64        // MemTotal, for %MEM
	ttys     procfs.TTYDrivers
	users    *cred.Database
	sel      psSelection
	threads  bool // -L

	// Names already looked up: one allocation per user and terminal,
	// not per process.
	userNames map[cred.UID]*string
	ttyNames  map[procfs.Dev]psTTYNames

	// One Stat and one Status each for the processes and their threads:
	// their buffers and slices are reused.
	st, tst         procfs.Stat
	status, tstatus procfs.Status
}

// newPSScan reads what lx ps needs once per run: the boot time, the
// uptime, the memory total, the tty drivers and the user database.
func newPSScan(fsys procfs.FS, loc *time.Location, bootTime func() (time.Time, error)) (*psScan, error) {
	if bootTime == nil {
		bootTime = kernel.BootTime
	}
	s := &psScan{fs: fsys, userNames: map[cred.UID]*string{}, ttyNames: map[procfs.Dev]psTTYNames{}}
	boot, err := bootTime()
	if err != nil {
		return nil, err
	}
	s.boot = boot.In(loc)
	up, err := fsys.Uptime()
	if err != nil {
		return nil, fmt.Errorf("uptime: %w", err)
	}
	s.uptime = up.Total
	mem, err := fsys.Meminfo()
	if err != nil {
		return nil, fmt.Errorf("memory total: %w", err)
	}
	s.memTotal = mem.MemTotal
	// Without /proc/tty/drivers (a /proc that lacks it) terminals show
	// as device numbers.
	if s.ttys, err = fsys.TTYDrivers(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("terminal names: %w", err)
	}
	if s.users, err = cred.LoadDatabase(&cred.DatabaseOptions{Root: fsys.Root()}); err != nil {
		return nil, fmt.Errorf("user names: %w", err)
	}
	return s, nil
}

// gather reads the selected processes (and with -L their threads), in
// PID order.
func (s *psScan) gather(ctx context.Context) (psReport, error) {
	r := psReport{Processes: []psProcess{}, Errors: []psError{}}
	for p, err := range s.fs.Procs() {
		if err != nil {
			return r, err
		}
		if err := ctx.Err(); err != nil {
			return r, err
		}
		if !s.sel.pidOK(p.PID()) {
			continue
		}
		rows, err := s.read(p, r.Processes)
		switch {
		case err == nil:
			r.Processes = rows
		case vanished(err):
			// exited between the listing and the reads
		default:
			r.Errors = append(r.Errors, psError{PID: p.PID(), Error: err})
		}
	}
	// procfs lists a real /proc in PID order, but not every directory.
	slices.SortStableFunc(r.Processes, func(a, b psProcess) int { return cmp.Compare(a.PID, b.PID) })
	slices.SortFunc(r.Errors, func(a, b psError) int { return cmp.Compare(a.PID, b.PID) })
	return r, nil
}

// vanished reports whether err says the process is gone: ESRCH from a read,
// ENOENT from an open after its /proc directory disappeared.
func vanished(err error) bool {
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) ||
		errors.Is(err, fs.ErrNotExist)
}

// read reads the stat, status and (except for a kernel thread) cmdline of
// p, and with -L the stat and status of each of its threads, and appends
// its rows to rows when it is selected. The selection is checked as soon
// as the values it needs are read, so that a process left out costs as
// few reads as possible.
func (s *psScan) read(p procfs.Proc, rows []psProcess) ([]psProcess, error) {
	if err := p.ReadStat(&s.st); err != nil {
		return rows, err
	}
	if !s.sel.commOK(&s.st.Comm) {
		return rows, nil
	}
	if err := p.ReadStatus(&s.status); err != nil {
		return rows, err
	}
	if !s.sel.uidOK(s.status.UID.Effective) {
		return rows, nil
	}
	kthread := s.st.Flags.Has(procfs.PFKthread) || s.status.Kthread
	args := []string{}
	if !kthread { // a kernel thread has no command line: save the read
		a, err := p.Cmdline()
		if err != nil {
			return rows, err
		}
		if a != nil {
			args = a
		}
	}
	if !s.threads {
		return append(rows, s.row(&s.st, &s.status, p.PID(), args, kthread)), nil
	}
	n := len(rows)
	for th, err := range p.Threads() {
		if err != nil { // the listing failed: the process exited, or worse
			return rows[:n], err
		}
		err = th.ReadStat(&s.tst)
		if err == nil {
			err = th.ReadStatus(&s.tstatus)
		}
		switch {
		case err == nil:
			rows = append(rows, s.row(&s.tst, &s.tstatus, p.PID(), args, kthread))
		case vanished(err):
			// this thread exited; the others are listed
		default:
			return rows[:n], err
		}
	}
	return rows, nil
}

// row makes the row of a process, or of a thread (st and status of the
// thread), of process pid.
func (s *psScan) row(st *procfs.Stat, status *procfs.Status, pid int, args []string, kthread bool) psProcess {
	r := psProcess{
		PID:            pid,
		TID:            st.PID,
		PPID:           st.PPID,
		PGID:           st.PGRP,
		SID:            st.Session,
		TPGID:          st.TPGID,
		State:          st.State,
		StateName:      st.State.String(),
		Nice:           st.Nice,
		UID:            status.UID.Effective,
		User:           s.userName(status.UID.Effective),
		Threads:        st.NumThreads,
		VSZ:            status.VmSize,
		RSS:            status.VmRSS,
		Locked:         status.VmLck,
		CPUTime:        st.CPUTime(),
		CPUPercent:     cpuPermille(st.CPUTime(), st.StartTime, s.uptime),
		MemPercent:     memPermille(status.VmRSS, s.memTotal),
		Start:          st.StartedAt(s.boot),
		StartSinceBoot: st.StartTime,
		Comm:           st.Comm,
		Cmdline:        args,
		KernelThread:   kthread,
	}
	r.Stat = psStat(st, status.VmLck, pid)
	if st.TTY != (procfs.Dev{}) {
		names := s.ttyName(st.TTY)
		r.TTY, r.TTYDev = names.name, names.dev
	}
	return r
}

// psStateLetters are the state letters as strings, so that a row does
// not allocate one.
var psStateLetters = func() (l [256]string) {
	for i := range l {
		l[i] = string([]byte{byte(i)})
	}
	return l
}()

func psStateLetter(s procfs.State) string { return psStateLetters[s] }

// psStat returns procps's STAT (pr_stat in ps/output.c): the state
// letter, then < for a negative nice value, N for a positive one, L when
// pages are locked (VmLck of status, procps's VM_RSS_LOCKED), s when the
// session id equals the thread group id, l when there is more than one
// thread, + when the process group is the terminal's foreground group.
func psStat(st *procfs.Stat, locked uint64, tgid int) string {
	var b [8]byte
	n := copy(b[:], psStateLetter(st.State))
	add := func(c byte, ok bool) {
		if ok {
			b[n] = c
			n++
		}
	}
	add('<', st.Nice < 0)
	add('N', st.Nice > 0)
	add('L', locked > 0)
	add('s', st.Session == tgid)
	add('l', st.NumThreads > 1)
	add('+', st.PGRP == st.TPGID)
	if n == 1 {
		return psStateLetter(st.State)
	}
	return string(b[:n])
}

// cpuPermille is procps's %CPU in tenths of a percent (pr_pcpu in
// ps/output.c, PIDS_TIME_ELAPSED in library/pids.c): the CPU time over
// the time since the process started, both in clock ticks, truncated;
// 0 for a process that started this tick. procps derives the elapsed
// time from /proc/uptime through doubles, which can lose a tick; the
// ticks here are exact.
func cpuPermille(cpu, start, uptime time.Duration) permille {
	elapsed := int64((uptime - start) / procfs.ClockTick)
	if elapsed <= 0 {
		return 0
	}
	return permille(uint64(cpu/procfs.ClockTick) * 1000 / uint64(elapsed))
}

// memPermille is procps's %MEM in tenths of a percent (pr_pmem): the
// resident set over MemTotal, both in KiB, truncated, at most 999.
func memPermille(rss, total uint64) permille {
	if total/1024 == 0 {
		return 0
	}
	return permille(min(rss/1024*1000/(total/1024), 999))
}

// userName returns the name of uid, nil when /etc/passwd has none.
func (s *psScan) userName(uid cred.UID) *string {
	name, ok := s.userNames[uid]
	if !ok {
		if u, err := s.users.LookupUID(uid); err == nil {
			name = &u.Name
		}
		s.userNames[uid] = name
	}
	return name
}

// psTTYNames are a terminal's name (nil when no driver names it) and
// device number, shared by the rows of the terminal's processes.
type psTTYNames struct {
	name *string
	dev  *procfs.Dev
}

// ttyName returns the names of the terminal dev.
func (s *psScan) ttyName(dev procfs.Dev) psTTYNames {
	names, ok := s.ttyNames[dev]
	if !ok {
		names.dev = &dev
		if name, ok := s.ttys.Name(dev); ok {
			names.name = &name
		}
		s.ttyNames[dev] = names
	}
	return names
}
