package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/procfs"
)

func init() { register(func() Command { return &nsCommand{fs: procfs.Default()} }) }

// nsCommand is `lx ns [PID]`.
type nsCommand struct {
	fs      procfs.FS
	types   nsTypeList   // -t
	columns nsColumnList // -o; nil means the default
	threads bool         // --threads
	held    bool         // --held
}

func (c *nsCommand) SetFlags(fs *flag.FlagSet) {
	fs.Var(&c.types, "t", "only namespaces of this `type`: cgroup, ipc, mnt, net, pid, time, user, uts (comma-separated; repeatable)")
	fs.Var(&c.columns, "o", "the table's `columns`, comma-separated (see above); the JSON is unchanged")
	fs.BoolVar(&c.threads, "threads", false, "also count a process in the namespaces of each of its threads")
	fs.BoolVar(&c.held, "held", false, "also list namespaces no process is in that a bind mount or an open descriptor keeps alive")
}

func (*nsCommand) Name() string { return "ns" }
func (*nsCommand) Synopsis() string {
	return "list namespaces: type, processes in each, the lowest pid, its user and command (like lsns)"
}
func (*nsCommand) Usage() string { return "[flags] [pid]" }
func (*nsCommand) Help() string {
	return `Lists every namespace of the system that some process is in, as lsns(8)
does, ordered by inode number; with a process id, only the namespaces that
process is in (lsns -p PID), each still with every process in it counted.
The columns, by lsns's names (which -o takes, in any case):

  NS       the namespace's inode number on nsfs ("net:[4026531840]")
  TYPE     cgroup, ipc, mnt, net, pid, time, user or uts
  PATH     /proc/PID/ns/TYPE of the lowest process
  NPROCS   the number of processes in the namespace
  PID      the lowest process id in it
  PPID     that process's parent
  COMMAND  that process's command line, each argument quoted as a shell
           would need it ('lx help text'); [comm] for a process without
           one (a kernel thread, a zombie)
  UID      that process's effective user id
  USER     its name in /etc/passwd, else the number
  NSFS     the namespace's bind mounts (nsfs mounts, as 'ip netns add'
           makes them under /run/netns) in lx's mount namespace,
           comma-separated
  PNS      the parent namespace's inode (PID and user namespaces), 0 if
           none is visible
  ONS      the owning user namespace's inode (for a user namespace its
           parent), 0 if none is visible

The default table is NS TYPE NPROCS PID USER COMMAND, and with -t net
NS TYPE NPROCS PID USER NSFS COMMAND, as lsns's. lsns's NETNSID column
(the id the network stack gives a peer namespace, over netlink) is not
offered. Strings are escaped as 'lx help text' describes.

What is counted: processes, not threads, each by its /proc/PID/ns links,
which show the thread group leader's namespaces (as lsns). A thread can
be in other namespaces (one that called unshare(2) or setns(2), such as
the disposable threads of the lx library's ns.Do): --threads counts a
process in those too. A namespace no process is in is not listed; with
--held, one that a bind mount in lx's mount namespace or an open
descriptor of a readable process keeps alive is, with 0 processes and
no PID (lsns lists those since util-linux 2.39 and 2.41). A zombie has
released all its namespaces but pid and user, and counts only in those.

Privilege: reading a process's namespace links needs what the kernel
calls ptrace read access ('lx help proc' explains it). Processes lx may
not read are counted nowhere, as lsns leaves them out: run as an
ordinary user, lx ns sees that user's processes only. Their number is
reported on stderr ("denied" in the JSON); the exit code stays 0. The
owner and parent namespaces come from the NS_GET_USERNS and
NS_GET_PARENT ioctls (Linux 4.9), which show only lx's own namespace of
each kind and those below it.

Differences from lsns: USER is the effective user from /proc/PID/status,
where lsns takes the owner of /proc/PID, which the kernel makes root for
a process that is not dumpable (a setuid program). lsns 2.38 prints
nothing and exits with 1 when any process on the machine has a newline
in its command name (it reads /proc/PID/stat's first line only, fixed in
util-linux 2.41); lx reads such names exactly.

Each namespace costs, besides the scan of every process's eight links,
/proc/PID/status and /proc/PID/cmdline of its lowest process and an
open of its namespace link; lx also reads /proc/self/mountinfo and
/etc/passwd once. A detail that cannot be read (the lowest process
exited meanwhile) is reported on stderr for that namespace.

With --json the output is {"namespaces": [...], "denied": [...],
"user_names": {...}, "unavailable": {...}}: the namespaces are the lx
library's values (procfs.NamespaceUse, go doc
github.com/lxgo/lx/procfs.NamespaceUse), in the order of the table,
every field whatever -o says, under their Go field names:

  Type          "net", ...
  Inode         the inode number, a number
  Procs         the number of processes
  PID, PPID     the lowest process and its parent, 0 when Procs is 0
  UID           its effective user id; for a namespace without a
                process, the user that created its user namespace
  Comm, Cmdline its command name and arguments, the kernel's exact
                bytes (Cmdline null when there are none)
  Owner, Parent the owning and the parent namespace's inode, 0 for none
  BindMounts    the bind mounts' mount points, null when none
  Err           why a detail could not be read, null when all were

"denied" lists the process ids lx could not read, "user_names" maps the
UIDs to their names in /etc/passwd ({"0": "root"}), and "unavailable"
says why user_names is null when /etc/passwd cannot be read.`
}

// nsReport is the output of `lx ns --json`.
type nsReport struct {
	Namespaces  []procfs.NamespaceUse `json:"namespaces"`
	Denied      []int                 `json:"denied"`
	UserNames   map[cred.UID]string   `json:"user_names"`
	Unavailable map[string]error      `json:"unavailable"`
}

func (c *nsCommand) Run(ctx context.Context, env *Env, args []string) error {
	opts := &procfs.NamespaceUsageOptions{Types: c.types, Threads: c.threads, Held: c.held}
	switch len(args) {
	case 0:
	case 1:
		pid, err := parsePID(args[0])
		if err != nil {
			return err
		}
		opts.PID = pid
	default:
		return Usagef("want at most one process id, got %d arguments", len(args))
	}
	u, err := c.fs.NamespaceUsage(opts)
	switch {
	case errors.Is(err, syscall.ESRCH):
		return errNoProcess(opts.PID)
	case err != nil:
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r := nsReport{Namespaces: u.Namespaces, Denied: u.Denied, UserNames: map[cred.UID]string{}, Unavailable: map[string]error{}}
	if r.Namespaces == nil {
		r.Namespaces = []procfs.NamespaceUse{}
	}
	if r.Denied == nil {
		r.Denied = []int{}
	}
	if db, err := cred.LoadDatabase(&cred.DatabaseOptions{Root: c.fs.Root()}); err != nil {
		r.UserNames, r.Unavailable["user_names"] = nil, err
	} else {
		for _, n := range r.Namespaces {
			if e, err := db.LookupUID(n.UID); err == nil {
				r.UserNames[n.UID] = e.Name
			}
		}
	}
	if env.JSON {
		err = writeJSON(env.Stdout, r)
	} else {
		err = renderNS(env.Stdout, c.fs, &r, c.tableColumns(), env.Width)
	}
	if err != nil {
		return err
	}
	for _, n := range r.Namespaces {
		if n.Err != nil {
			fmt.Fprintf(env.Stderr, "lx ns: %s namespace %d: %v\n", n.Type, n.Inode, n.Err)
		}
	}
	if len(r.Denied) > 0 && !env.JSON {
		what := "processes"
		if len(r.Denied) == 1 {
			what = "process"
		}
		fmt.Fprintf(env.Stderr, "lx ns: %d %s not counted: lx may not read their namespaces (see 'lx help ns')\n", len(r.Denied), what)
	}
	return nil
}

// nsColumn is one column of the lx ns table.
type nsColumn struct {
	name string
	cell func(fs procfs.FS, r *nsReport, n *procfs.NamespaceUse) string
}

// nsColumns are every column, in lsns's order.
var nsColumns = []*nsColumn{
	{"NS", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string { return formatCount(n.Inode) }},
	{"TYPE", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string { return n.Type.String() }},
	{"PATH", func(fs procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string {
		return ifProcess(n, escape(filepath.Join(fs.MountPoint(), strconv.Itoa(n.PID), "ns", n.Type.String())))
	}},
	{"NPROCS", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string { return formatCount(n.Procs) }},
	{"PID", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string { return ifProcess(n, formatCount(n.PID)) }},
	{"PPID", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string {
		return ifProcess(n, formatCount(n.PPID))
	}},
	{"COMMAND", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string {
		if len(n.Cmdline) == 0 {
			return ifProcess(n, "["+escape(n.Comm.String())+"]")
		}
		return quoteArgs(n.Cmdline)
	}},
	{"UID", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string { return formatCount(n.UID) }},
	{"USER", func(_ procfs.FS, r *nsReport, n *procfs.NamespaceUse) string {
		if name, ok := r.UserNames[n.UID]; ok {
			return escape(name)
		}
		return formatCount(n.UID)
	}},
	{"NSFS", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string {
		mounts := make([]string, len(n.BindMounts))
		for i, m := range n.BindMounts {
			mounts[i] = escape(m)
		}
		return strings.Join(mounts, ",")
	}},
	{"PNS", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string { return formatCount(n.Parent) }},
	{"ONS", func(_ procfs.FS, _ *nsReport, n *procfs.NamespaceUse) string { return formatCount(n.Owner) }},
}

// ifProcess returns s for a namespace with a process, "" for one without
// (lsns leaves those cells empty).
func ifProcess(n *procfs.NamespaceUse, s string) string {
	if n.PID == 0 {
		return ""
	}
	return s
}

// tableColumns returns the columns of the table: -o's, or lsns's
// default (with NSFS when -t asks for network namespaces).
func (c *nsCommand) tableColumns() []*nsColumn {
	if len(c.columns) > 0 {
		return c.columns
	}
	names := []string{"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"}
	if slices.Contains(c.types, ns.Net) {
		names = []string{"NS", "TYPE", "NPROCS", "PID", "USER", "NSFS", "COMMAND"}
	}
	cols := make([]*nsColumn, len(names))
	for i, name := range names {
		cols[i], _ = lookupNSColumn(name)
	}
	return cols
}

// renderNS writes the table of r, cut to width characters (0: whole
// lines).
func renderNS(w io.Writer, fs procfs.FS, r *nsReport, cols []*nsColumn, width int) error {
	t := newTable(w)
	t.Cut = width
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	t.Row(header...)
	for i := range r.Namespaces {
		cells := make([]string, len(cols))
		for j, c := range cols {
			cells[j] = c.cell(fs, r, &r.Namespaces[i])
		}
		t.Row(cells...)
	}
	return t.Flush()
}

// lookupNSColumn returns the column called name, in any case.
func lookupNSColumn(name string) (*nsColumn, bool) {
	i := slices.IndexFunc(nsColumns, func(c *nsColumn) bool { return strings.EqualFold(c.name, name) })
	if i < 0 {
		return nil, false
	}
	return nsColumns[i], true
}

// nsColumnList is the value of -o: columns named comma-separated, the
// lists of repeated flags joined.
type nsColumnList []*nsColumn

func (l *nsColumnList) String() string {
	if l == nil {
		return ""
	}
	names := make([]string, len(*l))
	for i, c := range *l {
		names[i] = strings.ToLower(c.name)
	}
	return strings.Join(names, ",")
}

func (l *nsColumnList) Set(s string) error {
	var cols []*nsColumn
	for name := range strings.SplitSeq(s, ",") {
		c, ok := lookupNSColumn(name)
		if !ok {
			names := make([]string, len(nsColumns))
			for i, c := range nsColumns {
				names[i] = strings.ToLower(c.name)
			}
			return fmt.Errorf("unknown column %q (columns: %s)", name, strings.Join(names, ", "))
		}
		cols = append(cols, c)
	}
	*l = append(*l, cols...)
	return nil
}

// nsTypeList is the value of lx ns -t and lx exec --ns and --join-ns:
// namespace types, comma-separated, the lists of repeated flags joined,
// each type once.
type nsTypeList []ns.Type

// cloneFlags returns the CLONE_NEW* flags of the types in l.
func (l nsTypeList) cloneFlags() ns.CloneFlags {
	var f ns.CloneFlags
	for _, t := range l {
		f |= t.CloneFlag()
	}
	return f
}

func (l *nsTypeList) String() string {
	if l == nil {
		return ""
	}
	names := make([]string, len(*l))
	for i, t := range *l {
		names[i] = t.String()
	}
	return strings.Join(names, ",")
}

func (l *nsTypeList) Set(s string) error {
	var types []ns.Type
	for name := range strings.SplitSeq(s, ",") {
		t, err := ns.ParseType(name)
		if err != nil || t.Base() != t {
			return fmt.Errorf("unknown namespace type %q (types: cgroup, ipc, mnt, net, pid, time, user, uts)", name)
		}
		if !slices.Contains(types, t) && !slices.Contains(*l, t) {
			types = append(types, t)
		}
	}
	*l = append(*l, types...)
	return nil
}
