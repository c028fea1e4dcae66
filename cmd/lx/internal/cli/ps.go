package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/lxgo/lx/cred"
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
// (cred.UID, procfs.State, procfs.Dev, procfs.Comm).
type psProcess struct {
	PID            int           `json:"pid"`
	TID            int           `json:"tid"`
	PPID           int           `json:"ppid"`
	PGID           int           `json:"pgid"`
	SID            int           `json:"sid"`
	TPGID          int           `json:"tpgid"`
	State          procfs.State  `json:"state"`      // marshals as the letter, "S"
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
	TTYDev         *procfs.Dev   `json:"tty_dev"` // "136:0"; nil for none
	Comm           procfs.Comm   `json:"comm"`
	Cmdline        []string      `json:"cmdline"`
	KernelThread   bool          `json:"kernel_thread"`
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
