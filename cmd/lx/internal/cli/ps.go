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
	"syscall"
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
	// wide is -w: never cut lines to the terminal's width.
	wide bool
}

func (c *psCommand) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.wide, "w", false, "wide output: do not cut lines to the terminal's width")
}

func (*psCommand) Name() string { return "ps" }
func (*psCommand) Synopsis() string {
	return "list every process: pid, parent, state, user, threads, memory, CPU time, start, command"
}
func (*psCommand) Usage() string { return "[flags]" }
func (*psCommand) Help() string {
	return `Lists every process with the values procps shows for
'ps -eo pid,ppid,stat,uid,nlwp,rss,time,lstart,comm,args':

  PID      process id
  PPID     parent's process id
  S        scheduling state, the first letter of ps's STAT (R running,
           S sleeping, D disk sleep, T stopped, t traced, Z zombie, I idle)
  UID      effective user id (procps's "uid" column is the euid)
  THR      number of threads (ps's NLWP)
  RSS      resident set size (VmRSS of /proc/PID/status, as ps reads it)
  TIME     user + system CPU time of all threads, [DD-]HH:MM:SS
  STARTED  when the process started (boot time from /proc/stat plus the
           start time in /proc/PID/stat), to the second, with the zone
  COMM     command name (comm), escaped as 'lx help text' describes
  COMMAND  the command line, each argument quoted as a shell would need
           it; [comm] for a process without one (kernel threads),
           "[comm] <defunct>" for a zombie

On a terminal, lines are cut to the terminal's width (the COMMAND column
gives way); piped or redirected they are whole; -w never cuts, and
COLUMNS sets the width as it does for ps ('lx help text').

Each process costs three reads: /proc/PID/stat, /proc/PID/status and
/proc/PID/cmdline (not read for kernel threads, which have none). The user id comes from the Uid line of status, not from
the owner of /proc/PID: that owner is the effective uid too, but the
kernel makes root the owner of the files of a process that is not
dumpable (a setuid program, or after prctl(PR_SET_DUMPABLE, 0)), and
stat(2) of the directory saves no read. The three reads are not one
atomic snapshot: a process that exits while lx reads it is left out
silently; one that cannot be read for another reason is reported on
stderr, listed under "errors" with --json, and makes lx exit with 1 after
printing the others.

With --json the output is {"processes": [...], "errors": [...]}. Each
process has "pid", "ppid", "state" (the letter), "uid", "threads",
"rss_bytes", "cpu_time_ns", "start_time" (RFC 3339), "comm", "cmdline"
(the arguments, an empty array when there are none) and "kernel_thread".
The command name and arguments are the kernel's exact bytes, as 'lx help
json' describes.`
}

// psReport is the output of `lx ps --json`.
type psReport struct {
	Processes []psProcess `json:"processes"`
	// Errors are the processes that could not be read for a reason other
	// than having exited.
	Errors []psError `json:"errors"`
}

// psProcess is one process in `lx ps`.
type psProcess struct {
	PID          int           `json:"pid"`
	PPID         int           `json:"ppid"`
	State        string        `json:"state"` // the state letter, "S"
	UID          cred.UID      `json:"uid"`   // effective user id
	Threads      int           `json:"threads"`
	RSS          uint64        `json:"rss_bytes"`
	CPUTime      time.Duration `json:"cpu_time_ns"` // user + system
	Start        time.Time     `json:"start_time"`
	Comm         string        `json:"comm"`
	Cmdline      []string      `json:"cmdline"`
	KernelThread bool          `json:"kernel_thread"`
}

// psError is a process `lx ps` could not read.
type psError struct {
	PID   int   `json:"pid"`
	Error error `json:"error"` // encoded as its message
}

func (c *psCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return Usagef("ps takes no arguments, got %q", args[0])
	}
	r, err := gatherPS(ctx, c.fs, c.location())
	if err != nil {
		return err
	}
	for _, e := range r.Errors {
		fmt.Fprintf(env.Stderr, "lx ps: process %d: %v\n", e.PID, e.Error)
	}
	if env.JSON {
		err = writeJSON(env.Stdout, r)
	} else {
		cut := env.Width
		if c.wide {
			cut = 0
		}
		err = renderPS(env.Stdout, r, cut)
	}
	if err != nil {
		return err
	}
	if n := len(r.Errors); n > 0 {
		return fmt.Errorf("%d of %d processes could not be read", n, n+len(r.Processes))
	}
	return nil
}

func (c *psCommand) location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	return time.Local
}

// gatherPS reads every process of fs.
func gatherPS(ctx context.Context, fsys procfs.FS, loc *time.Location) (psReport, error) {
	r := psReport{Processes: []psProcess{}, Errors: []psError{}}
	ks, err := fsys.KernelStat()
	if err != nil {
		return r, fmt.Errorf("boot time: %w", err)
	}
	boot := ks.BootTime.In(loc)
	// One Stat and one Status for the whole scan: their buffers and
	// slices are reused.
	var st procfs.Stat
	var status procfs.Status
	for p, err := range fsys.Procs() {
		if err != nil {
			return r, err
		}
		if err := ctx.Err(); err != nil {
			return r, err
		}
		rec, err := readPSProcess(p, &st, &status, boot)
		switch {
		case err == nil:
			r.Processes = append(r.Processes, rec)
		case vanished(err):
			// exited between the listing and the reads
		default:
			r.Errors = append(r.Errors, psError{PID: p.PID(), Error: err})
		}
	}
	// procfs lists a real /proc in PID order, but not every directory.
	slices.SortFunc(r.Processes, func(a, b psProcess) int { return cmp.Compare(a.PID, b.PID) })
	slices.SortFunc(r.Errors, func(a, b psError) int { return cmp.Compare(a.PID, b.PID) })
	return r, nil
}

// vanished reports whether err says the process is gone: ESRCH from a read,
// ENOENT from an open after its /proc directory disappeared.
func vanished(err error) bool {
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) ||
		errors.Is(err, fs.ErrNotExist)
}

// readPSProcess reads the stat, status and (except for a kernel thread)
// cmdline of p.
func readPSProcess(p procfs.Proc, st *procfs.Stat, status *procfs.Status, boot time.Time) (psProcess, error) {
	if err := p.ReadStat(st); err != nil {
		return psProcess{}, err
	}
	if err := p.ReadStatus(status); err != nil {
		return psProcess{}, err
	}
	kthread := st.Flags.Has(procfs.PFKthread) || status.Kthread
	args := []string{}
	if !kthread { // a kernel thread has no command line: save the read
		a, err := p.Cmdline()
		if err != nil {
			return psProcess{}, err
		}
		if a != nil {
			args = a
		}
	}
	return psProcess{
		PID:          st.PID,
		PPID:         st.PPID,
		State:        string(rune(st.State)),
		UID:          status.UID.Effective,
		Threads:      st.NumThreads,
		RSS:          status.VmRSS,
		CPUTime:      st.CPUTime(),
		Start:        startTime(st, boot),
		Comm:         st.Comm.String(),
		Cmdline:      args,
		KernelThread: kthread,
	}, nil
}

// startTime returns when the process of st started: boot plus the start
// time in clock ticks from st, truncated to the second. boot comes from
// btime in /proc/stat, which the kernel gives in whole seconds (rounded
// down), so finer digits would be precision lx does not have; truncated,
// the result is the second ps shows.
func startTime(st *procfs.Stat, boot time.Time) time.Time {
	return st.StartedAt(boot).Truncate(time.Second)
}

// renderPS writes the processes as a table, each line cut to cut
// characters when cut is positive.
func renderPS(w io.Writer, r psReport, cut int) error {
	t := newTable(w)
	t.Cut = cut
	t.Row("PID", "PPID", "S", "UID", "THR", "RSS", "TIME", "STARTED", "COMM", "COMMAND")
	for _, p := range r.Processes {
		t.Row(formatCount(p.PID), formatCount(p.PPID), p.State, formatCount(p.UID),
			formatCount(p.Threads), formatBytes(p.RSS), formatCPUTime(p.CPUTime),
			formatTime(p.Start), escape(p.Comm), psArgs(p))
	}
	return t.Flush()
}

// psArgs is the COMMAND column: the command line as quoteArgs shows it, or
// [comm] when there is none (a kernel thread, a zombie), as ps prints it.
func psArgs(p psProcess) string {
	if len(p.Cmdline) == 0 {
		s := "[" + escape(p.Comm) + "]"
		if p.State == string(rune(procfs.StateZombie)) {
			s += " <defunct>"
		}
		return s
	}
	return quoteArgs(p.Cmdline)
}
