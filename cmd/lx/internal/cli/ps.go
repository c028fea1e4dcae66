package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

func init() { register(func() Command { return &psCommand{fs: procfs.Default()} }) }

// psCommand is `lx ps`.
type psCommand struct {
	fs procfs.FS
	// loc is the time zone of start times; nil means time.Local. Tests
	// pin it.
	loc *time.Location
	// bootTime returns when the system booted; nil means kernel.BootTime.
	// Tests that read a fake /proc pin it.
	bootTime func() (time.Time, error)

	wide    bool         // -w: never cut lines to the terminal's width
	threads bool         // -L: one row per thread
	tree    bool         // --tree: children below their parents
	columns psColumnList // -o: the table's columns; nil means the default
	sort    psSortKeys   // --sort
	pids    psPIDList    // -p
	users   psList       // -u, resolved by Run (it needs the user database)
	comms   psStrings    // --comm
}

func (c *psCommand) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.wide, "w", false, "wide output: do not cut lines to the terminal's width")
	fs.BoolVar(&c.threads, "L", false, "one row per thread, with its thread id in the LWP column")
	fs.BoolVar(&c.tree, "tree", false, "show the process forest: children indented below their parents")
	fs.Var(&c.columns, "o", "the table's `columns`, comma-separated (see above); the JSON is unchanged")
	fs.Var(&c.sort, "sort", "sort by `keys`: column names, comma-separated, -NAME for descending")
	fs.Var(&c.pids, "p", "only the processes with these `pids` (comma-separated; repeatable)")
	fs.Var(&c.users, "u", "only the processes whose effective user is one of these `users` (names or uids, comma-separated; repeatable)")
	fs.Var(&c.comms, "comm", "only the processes whose command name is exactly `name` (repeatable)")
}

func (*psCommand) Name() string { return "ps" }
func (*psCommand) Synopsis() string {
	return "list processes: pid, user, CPU and memory use, terminal, state, times, command"
}
func (*psCommand) Usage() string { return "[flags]" }
func (*psCommand) Help() string {
	return `Lists every process, with the columns procps's 'ps aux' shows and a few
more. The columns, by the names -o and --sort take (case does not matter):

  PID      process id
  LWP      thread id (with -L; otherwise the process id, as in ps)
  PPID     parent's process id
  PGID     process group id
  SID      session id
  USER     effective user: its name in /etc/passwd, else the number (as ps)
  UID      effective user id (procps's "uid" column is the euid)
  %CPU     CPU time (user + system) over the time since the process
           started (/proc/uptime less its start), in tenths of a
           percent, truncated, as procps computes it; above 99.9
           (several threads busy) a whole number
  %MEM     resident set size over MemTotal of /proc/meminfo, as procps
  VSZ      virtual memory size (VmSize)
  RSS      resident set size (VmRSS, as ps reads it)
  TTY      controlling terminal (pts/0, tty1, ttyS0) named from
           /proc/tty/drivers; "?" for none, major:minor for a device no
           driver names
  S        scheduling state: R running, S sleeping, D disk sleep, T
           stopped, t traced, Z zombie, I idle (kernel threads), X dead
  STAT     the state with procps's modifiers: < high priority (nice
           below 0), N low priority (nice above 0), L pages locked in
           memory (VmLck above 0), s session leader (session id equal to
           the process id), l multi-threaded, + in the foreground
           process group of its terminal (process group equal to the
           terminal's, TPGID)
  NI       nice value, -20..19
  THR      number of threads (ps's NLWP)
  TIME     user + system CPU time of all threads, [DD-]HH:MM:SS
  STARTED  when the process started, to the second, with the zone (boot
           time, CLOCK_REALTIME - CLOCK_BOOTTIME, plus the start time in
           /proc/PID/stat)
  COMM     command name (comm), escaped as 'lx help text' describes
  COMMAND  the command line, each argument quoted as a shell would need
           it; [comm] for a process without one (kernel threads),
           "[comm] <defunct>" for a zombie

The default table is PID PPID USER %CPU %MEM VSZ RSS TTY STAT THR TIME
STARTED COMM COMMAND, with LWP after PID under -L; -o pid,user,comm
shows just those. Sizes, times and names look as 'lx help text' says.

Order: by PID (and LWP), or by the --sort keys: --sort -%cpu,pid puts
the busiest first; ties keep PID order. An unknown column or key is a
usage error that lists the valid ones.

Selection: -p, -u and --comm each keep the processes that match one of
their values; given together, a process must match each of them (ps
would show the union). -p takes process ids, 1..2147483647; -u user
names from /etc/passwd or numeric uids (an unknown name is a usage
error); --comm the exact command name, byte for byte (15 bytes at most
for a user process). When a selection matches no process, lx ps prints
the empty table and exits with 1, as ps does.

Threads: -L lists every thread of the selected processes (-p still
takes process ids), with LWP its thread id. The values that belong to a
thread come from /proc/PID/task/TID: state, STAT, NI, %CPU, TIME,
STARTED, COMM and the user; the memory columns, THR, the terminal and
the command line are the process's, as in 'ps -L'. Unlike 'ps -L',
which shows the whole process's CPU time on the main thread's row, the
main thread's row has the main thread's own.

Tree: --tree orders the processes as a forest, each below its parent,
and draws the branches in the COMMAND column (in COMM when -o leaves
COMMAND out) with the art of procps's 'ps f': " \_ " before a child,
" |  " where a branch continues below. As in 'ps f', the children of
init (pid 1) start trees of their own at the left margin. A process
whose parent is not listed (filtered out, or outside this PID
namespace) is a root. Siblings and roots keep the --sort order. The art
is not an escape: in this column, "\_" is a branch.

Width: on a terminal, lines are cut to the terminal's width (the last
columns give way); piped or redirected they are whole; -w never cuts,
and COLUMNS sets the width as it does for ps ('lx help text').

Each process costs three reads: /proc/PID/stat, /proc/PID/status and
/proc/PID/cmdline (not read for kernel threads, which have none); with
-L also the stat and status of each thread. Once per run lx reads
/proc/uptime (for %CPU), /proc/meminfo (for %MEM), /proc/tty/drivers
and /etc/passwd. The user id comes from the Uid line of status, not
from the owner of /proc/PID: that owner is the effective uid too, but
the kernel makes root the owner of the files of a process that is not
dumpable (a setuid program, or after prctl(PR_SET_DUMPABLE, 0)). The
reads are not one atomic snapshot: a process that exits while lx reads
it is left out silently; one that cannot be read for another reason is
reported on stderr, listed under "errors" with --json, and makes lx
exit with 1 after printing the others.

With --json the output is {"processes": [...], "errors": [...]}: one
object per process (per thread with -L), in the order of the table
(--sort, --tree). The objects have every field whatever -o says; -o and
-w change only the table. The field names are a stable interface ('lx
help json'); each object has:

  pid, tid             process id; thread id (the pid without -L)
  ppid, pgid, sid      parent, process group and session ids
  tpgid                foreground process group of the terminal, -1 if none
  state, state_name    the state letter ("S") and the kernel's word
                       ("sleeping")
  stat                 STAT as above ("Ssl+")
  nice                 -20..19
  uid, user            effective user id; its name, null when
                       /etc/passwd has none
  threads              number of threads of the process
  vsz_bytes, rss_bytes, locked_bytes
                       VmSize, VmRSS and VmLck of /proc/PID/status
  cpu_time_ns          user + system CPU time
  cpu_percent, mem_percent
                       %CPU and %MEM as above, in percent with one
                       decimal (tenths, truncated, as procps)
  start_time           RFC 3339, with the fraction of a second: precise
                       to the kernel's 10 ms tick, but derived from the
                       wall clock, so it moves when the clock is set
  start_since_boot_ns  the start time as the kernel keeps it (since boot):
                       with pid, a stable identity of the process
  tty, tty_dev         terminal name ("pts/0") and device ("136:0"), null
                       when there is none (tty is null too when no driver
                       names the device)
  comm, cmdline        command name and arguments (an empty array when
                       there are none), the kernel's exact bytes
  kernel_thread        whether it is a kernel thread

Each error has "pid" and "error" (the message).`
}

// psReport is the output of `lx ps --json`.
type psReport struct {
	Processes []psProcess `json:"processes"`
	// Errors are the processes that could not be read for a reason other
	// than having exited.
	Errors []psError `json:"errors"`
}

// psProcess is one row of `lx ps`: a process, or with -L a thread. It is
// a row type, not procfs.Stat itself, because lx ps is a table of chosen
// columns from three files (stat, status, cmdline) and values derived
// from several of them (STAT, %CPU, %MEM, the user and terminal names);
// the fields that are single library values keep the library's types
// (cred.UID, procfs.Comm).
type psProcess struct {
	PID            int           `json:"pid"`
	TID            int           `json:"tid"`
	PPID           int           `json:"ppid"`
	PGID           int           `json:"pgid"`
	SID            int           `json:"sid"`
	TPGID          int           `json:"tpgid"`
	State          string        `json:"state"`      // the state letter, "S"
	StateName      string        `json:"state_name"` // "sleeping"
	Stat           string        `json:"stat"`       // with ps's modifiers, "Ssl+"
	Nice           int           `json:"nice"`
	UID            cred.UID      `json:"uid"`  // effective user id
	User           *string       `json:"user"` // its name; nil when unknown
	Threads        int           `json:"threads"`
	VSZ            uint64        `json:"vsz_bytes"`
	RSS            uint64        `json:"rss_bytes"`
	Locked         uint64        `json:"locked_bytes"`
	CPUTime        time.Duration `json:"cpu_time_ns"` // user + system
	CPUPercent     permille      `json:"cpu_percent"`
	MemPercent     permille      `json:"mem_percent"`
	Start          time.Time     `json:"start_time"`
	StartSinceBoot time.Duration `json:"start_since_boot_ns"`
	TTY            *string       `json:"tty"`     // "pts/0"; nil for none or unnamed
	TTYDev         *string       `json:"tty_dev"` // "136:0"; nil for none
	Comm           procfs.Comm   `json:"comm"`
	Cmdline        []string      `json:"cmdline"`
	KernelThread   bool          `json:"kernel_thread"`

	ttyDev procfs.Dev // the terminal for --sort tty; 0:0 for none
}

// permille is a share in tenths of a percent, as procps computes %CPU and
// %MEM. JSON shows it in percent with one decimal, exactly ("12.3").
type permille uint64

func (p permille) MarshalJSON() ([]byte, error) { return []byte(formatPercent(uint64(p))), nil }

// psError is a process `lx ps` could not read.
type psError struct {
	PID   int   `json:"pid"`
	Error error `json:"error"` // encoded as its message
}

func (c *psCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return Usagef("ps takes no arguments, got %q", args[0])
	}
	scan, err := newPSScan(c.fs, c.location(), c.bootTime)
	if err != nil {
		return err
	}
	if scan.sel, err = c.selection(scan.users); err != nil {
		return err
	}
	scan.threads = c.threads
	r, err := scan.gather(ctx)
	if err != nil {
		return err
	}
	for _, e := range r.Errors {
		fmt.Fprintf(env.Stderr, "lx ps: process %d: %v\n", e.PID, e.Error)
	}
	read := countPS(r.Processes) // before sorting: gather leaves them in PID order
	sortPS(r.Processes, c.sort)
	var prefixes []string
	if c.tree {
		r.Processes, prefixes = psForest(r.Processes)
	}
	if env.JSON {
		err = writeJSON(env.Stdout, r)
	} else {
		cut := env.Width
		if c.wide {
			cut = 0
		}
		err = renderPS(env.Stdout, r.Processes, prefixes, c.tableColumns(), cut)
	}
	switch {
	case err != nil:
		return err
	case len(r.Errors) > 0:
		return fmt.Errorf("%d of %d processes could not be read", len(r.Errors), len(r.Errors)+read)
	case len(r.Processes) == 0 && scan.sel.active():
		return errors.New("no process matches the selection")
	}
	return nil
}

// countPS returns the number of processes in rows, which are in PID
// order (the threads of one process count once).
func countPS(rows []psProcess) int {
	n := 0
	for i := range rows {
		if i == 0 || rows[i].PID != rows[i-1].PID {
			n++
		}
	}
	return n
}

func (c *psCommand) location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	return time.Local
}

// tableColumns returns the columns of the table: -o's, or the default.
func (c *psCommand) tableColumns() []*psColumn {
	if len(c.columns) > 0 {
		return c.columns
	}
	names := psDefaultColumns
	if c.threads {
		names = append([]string{"PID", "LWP"}, names[1:]...)
	}
	cols := make([]*psColumn, len(names))
	for i, name := range names {
		cols[i], _ = lookupPSColumn(name)
	}
	return cols
}

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
	ttyNames  map[procfs.Dev][2]*string // name, device

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
	s := &psScan{fs: fsys, userNames: map[cred.UID]*string{}, ttyNames: map[procfs.Dev][2]*string{}}
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
		State:          psStateLetter(st.State),
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
		r.ttyDev = st.TTY
		names := s.ttyName(st.TTY)
		r.TTY, r.TTYDev = names[0], names[1]
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

// ttyName returns the name of the terminal dev (nil when no driver names
// it) and its device number.
func (s *psScan) ttyName(dev procfs.Dev) [2]*string {
	names, ok := s.ttyNames[dev]
	if !ok {
		d := dev.String()
		names[1] = &d
		if name, ok := s.ttys.Name(dev); ok {
			names[0] = &name
		}
		s.ttyNames[dev] = names
	}
	return names
}

// renderPS writes rows as a table of cols, each line cut to cut
// characters when cut is positive. prefixes, when not nil, are the tree's
// branches, drawn before the COMMAND cell (the COMM cell without it).
func renderPS(w io.Writer, rows []psProcess, prefixes []string, cols []*psColumn, cut int) error {
	t := newTable(w)
	t.Cut = cut
	art := -1
	if prefixes != nil {
		art = slices.IndexFunc(cols, func(c *psColumn) bool { return c.name == "COMMAND" })
		if art < 0 {
			art = slices.IndexFunc(cols, func(c *psColumn) bool { return c.name == "COMM" })
		}
	}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	t.Row(header...)
	for i := range rows {
		cells := make([]string, len(cols))
		for j, c := range cols {
			cells[j] = c.cell(&rows[i])
		}
		if art >= 0 {
			cells[art] = prefixes[i] + cells[art]
		}
		t.Row(cells...)
	}
	return t.Flush()
}

// psArgs is the COMMAND column: the command line as quoteArgs shows it, or
// [comm] when there is none (a kernel thread, a zombie), as ps prints it.
func psArgs(p *psProcess) string {
	if len(p.Cmdline) == 0 {
		s := "[" + escape(p.Comm.String()) + "]"
		if p.State == psStateLetter(procfs.StateZombie) {
			s += " <defunct>"
		}
		return s
	}
	return quoteArgs(p.Cmdline)
}

// psUser is the USER column: the name, or the uid when it has none.
func psUser(p *psProcess) string {
	if p.User == nil {
		return strconv.FormatUint(uint64(p.UID), 10)
	}
	return escape(*p.User)
}

// psTTY is the TTY column: the name, "?" for none (as ps), the device
// number when no driver names it.
func psTTY(p *psProcess) string {
	switch {
	case p.TTY != nil:
		return *p.TTY
	case p.TTYDev != nil:
		return *p.TTYDev
	}
	return "?"
}

// startTime returns when the process of st started, given a boot time
// from btime of /proc/stat, truncated to the second: btime is whole
// seconds (rounded down), so finer digits would be precision the caller
// does not have. lx ps no longer uses it (it adds the precise
// kernel.BootTime); lx proc (proc.go) still does.
func startTime(st *procfs.Stat, boot time.Time) time.Time {
	return st.StartedAt(boot).Truncate(time.Second)
}
