package cli

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lxgo/lx/procfs"
)

func init() { register(func() Command { return &psCommand{fs: procfs.Default()} }) }

// psCommand is `lx ps`.
type psCommand struct {
	fs procfs.FS
	// loc is the time zone of start times; nil means time.Local. Tests
	// pin it.
	loc *time.Location
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
           start time in /proc/PID/stat)
  COMM     command name (comm)
  COMMAND  the command line; [comm] for a process without one (kernel
           threads), "[comm] <defunct>" for a zombie

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
Strings are the kernel's bytes; bytes that are not UTF-8 come out as
U+FFFD, and then "cmdline_base64" holds each argument exactly, base64
encoded.`
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
	PID     int           `json:"pid"`
	PPID    int           `json:"ppid"`
	State   string        `json:"state"` // the state letter, "S"
	UID     uint32        `json:"uid"`   // effective user id
	Threads int           `json:"threads"`
	RSS     uint64        `json:"rss_bytes"`
	CPUTime time.Duration `json:"cpu_time_ns"` // user + system
	Start   time.Time     `json:"start_time"`
	Comm    string        `json:"comm"`
	Cmdline []string      `json:"cmdline"`
	// CmdlineBase64 is Cmdline, each argument base64-encoded, present
	// only when an argument is not valid UTF-8.
	CmdlineBase64 []string `json:"cmdline_base64,omitempty"`
	KernelThread  bool     `json:"kernel_thread"`
}

// psError is a process `lx ps` could not read.
type psError struct {
	PID   int    `json:"pid"`
	Error string `json:"error"`
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
		fmt.Fprintf(env.Stderr, "lx ps: process %d: %s\n", e.PID, e.Error)
	}
	if env.JSON {
		err = writeJSON(env.Stdout, r)
	} else {
		err = renderPS(env.Stdout, r)
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
			r.Errors = append(r.Errors, psError{PID: p.PID(), Error: err.Error()})
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
		PID:           st.PID,
		PPID:          st.PPID,
		State:         string(rune(st.State)),
		UID:           status.UID.Effective,
		Threads:       st.NumThreads,
		RSS:           status.VmRSS,
		CPUTime:       st.CPUTime(),
		Start:         st.StartedAt(boot),
		Comm:          st.Comm.String(),
		Cmdline:       args,
		CmdlineBase64: base64IfInvalid(args),
		KernelThread:  kthread,
	}, nil
}

// base64IfInvalid returns ss base64-encoded when one of them is not valid
// UTF-8 (JSON would replace its bad bytes), nil otherwise.
func base64IfInvalid(ss []string) []string {
	valid := true
	for _, s := range ss {
		valid = valid && utf8.ValidString(s)
	}
	if valid {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = base64.StdEncoding.EncodeToString([]byte(s))
	}
	return out
}

// renderPS writes the processes as a table.
func renderPS(w io.Writer, r psReport) error {
	t := newTable(w)
	t.Row("PID", "PPID", "S", "UID", "THR", "RSS", "TIME", "STARTED", "COMM", "COMMAND")
	for _, p := range r.Processes {
		rss := "0"
		if p.RSS > 0 {
			rss = strings.ReplaceAll(formatBytes(p.RSS), " ", "")
		}
		t.Row(strconv.Itoa(p.PID), strconv.Itoa(p.PPID), p.State,
			strconv.FormatUint(uint64(p.UID), 10), strconv.Itoa(p.Threads), rss,
			formatCPUTime(p.CPUTime), p.Start.Format("2006-01-02 15:04:05"),
			printable(p.Comm), psArgs(p))
	}
	return t.Flush()
}

// psArgs is the COMMAND column: the arguments joined by spaces, or [comm]
// when there are none, as ps prints them.
func psArgs(p psProcess) string {
	if len(p.Cmdline) == 0 {
		s := "[" + printable(p.Comm) + "]"
		if p.State == string(rune(procfs.StateZombie)) {
			s += " <defunct>"
		}
		return s
	}
	return printable(strings.Join(p.Cmdline, " "))
}

// formatCPUTime formats d as ps's TIME column does: [DD-]HH:MM:SS,
// truncated to the second.
func formatCPUTime(d time.Duration) string {
	s := int64(d / time.Second)
	hms := fmt.Sprintf("%02d:%02d:%02d", s/3600%24, s/60%60, s%60)
	if days := s / 86400; days > 0 {
		return fmt.Sprintf("%d-%s", days, hms)
	}
	return hms
}

// printable replaces bytes that are not UTF-8 and control characters
// with '?', as ps does, so that a name cannot garble the terminal.
func printable(s string) string {
	var b []byte // nil while s needs no change
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		bad := r == utf8.RuneError && n == 1 || !unicode.IsPrint(r) && r != ' '
		if bad && b == nil {
			b = append(make([]byte, 0, len(s)), s[:i]...)
		}
		switch {
		case bad:
			b = append(b, '?')
		case b != nil:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	if b == nil {
		return s
	}
	return string(b)
}

// quoteArgs formats a command line so that it can be pasted into a shell
// and shows every byte: plain words as they are, others in single quotes,
// and words with control characters or bytes that are not UTF-8 in bash's
// $'...' form with \xNN escapes.
func quoteArgs(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = quoteArg(a)
	}
	return strings.Join(quoted, " ")
}

func quoteArg(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" {
		return s
	}
	if printable(s) == s {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case printable(s[i:i+n]) != s[i:i+n]: // invalid UTF-8 or a control character
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('\'')
	return b.String()
}
