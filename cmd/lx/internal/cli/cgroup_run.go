package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/spawn"
)

func init() { register(func() Command { return &cgroupRunCommand{cgroups: cgroup.Default()} }) }

// cgroupRunCommand is `lx cgroup run`.
type cgroupRunCommand struct {
	cgroups cgroup.FS

	parent     string // --parent
	memoryMax  string // --memory-max
	memoryHigh string // --memory-high
	cpuMax     string // --cpu-max
	cpuWeight  string // --cpu-weight
	pidsMax    string // --pids-max
}

func (c *cgroupRunCommand) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.parent, "parent", "", "create the cgroup below this cgroup v2 `path` (default: lx's own v2 cgroup)")
	fs.StringVar(&c.memoryMax, "memory-max", "", "memory.max: the hard memory limit, `bytes` (512M, 1G, max)")
	fs.StringVar(&c.memoryHigh, "memory-high", "", "memory.high: the memory throttling limit, `bytes` (512M, 1G, max)")
	fs.StringVar(&c.cpuMax, "cpu-max", "", "cpu.max: CPU time per period, `quota[/period]` (50ms/100ms, 50000/100000, max)")
	fs.StringVar(&c.cpuWeight, "cpu-weight", "", "cpu.weight: the share of CPU time against siblings, `weight` 1..10000 (default 100)")
	fs.StringVar(&c.pidsMax, "pids-max", "", "pids.max: the most tasks (processes and threads), a `count` or max")
}

func (*cgroupRunCommand) Name() string { return "cgroup run" }
func (*cgroupRunCommand) Synopsis() string {
	return "run a command in a fresh cgroup with limits, and remove the cgroup afterwards"
}
func (*cgroupRunCommand) Usage() string { return "[flags] [--] <command> [arguments]" }
func (*cgroupRunCommand) runsCommand()  {}
func (*cgroupRunCommand) Help() string {
	return `Creates a cgroup v2, sets the limits the flags give, runs the command in
it, and when the command has ended kills whatever is left in the cgroup
(the command's descendants) and removes it. lx exits with the command's
status, as lx exec does.

The cgroup is a new child, "lx-run-PID" (PID is lx's), of lx's own v2
cgroup (/proc/self/cgroup), or of --parent: a cgroup path as
/proc/PID/cgroup shows it ("/a/b") or its directory below the cgroup2
mount. On a hybrid host lx's v2 cgroup is often the root of the unified
hierarchy (/sys/fs/cgroup/unified). Creating it needs write access to the
parent's directory.

Limits, each written to the new cgroup's file of the same name:

  --memory-max BYTES   memory.max: above it the kernel reclaims, then the
                       OOM killer kills a process of the cgroup
  --memory-high BYTES  memory.high: above it the cgroup is throttled and
                       reclaimed hard, never OOM-killed
  --cpu-max Q[/P]      cpu.max: at most Q of CPU time in each period P
                       (100ms when left out), across all CPUs
  --cpu-weight N       cpu.weight, 1..10000: the share of CPU time
                       against the parent's other children (100 is the
                       default)
  --pids-max N         pids.max: the most tasks (processes and threads);
                       a fork beyond it fails with EAGAIN

BYTES is a number of bytes with an optional binary suffix: K, M, G, T, P
or E (powers of 1024, as the kernel reads them; "512M", "1G", also
written "512MiB"), or "max" for no limit. Q and P are Go durations
("50ms", "1.5s", "250us") or numbers of microseconds as cpu.max holds
them ("50000/100000"); Q may be "max". N is a decimal number; --pids-max
also takes "max".

Controllers: a limit needs its controller (memory, cpu, pids) enabled in
the parent's cgroup.subtree_control. lx enables those that are not, and
once the cgroup is gone disables them again, unless another cgroup below
the parent exists by then (which may rely on them). It cannot enable a
controller the parent does not have in cgroup.controllers: on a hybrid
host the controllers bound to cgroup v1 are not in the v2 hierarchy at
all (lx never writes to v1), and a parent that was not given a controller
by its own parent cannot pass it on. It also cannot enable one in a
non-root parent that has processes of its own ("no internal processes";
lx itself is in its own cgroup), nor without write access to the parent's
cgroup.subtree_control. In each case lx says which controllers it cannot
enable and why, and exits with 125 without running the command. Without
limits no controller is needed, and the command runs in the new cgroup
anyway.

The command starts directly inside the cgroup (clone3 CLONE_INTO_CGROUP,
Linux 5.7): no instruction of it runs elsewhere. Its standard streams,
environment, working directory, process group, and the handling of
signals are those of lx exec ('lx help exec'): lx waits for the command
through Ctrl-C, passes SIGTERM and SIGHUP on to it, and cleans up after it
in any case. A signal that comes before the command has started makes lx
remove the cgroup and exit with 128+N.

Cleanup: once the command has ended lx writes cgroup.kill (SIGKILL to
every process left in the cgroup, Linux 5.14; before it, to each process
listed), waits until the cgroup is empty and removes it. If the command
was killed by the OOM killer, or forks were refused by pids.max, lx says
so on stderr (from memory.events and pids.events). The cgroup stays
behind only if lx itself is killed with SIGKILL.

Exit status: the command's, 128+N for a signal (137 for the OOM
killer's SIGKILL); 125, 126 and 127 as for lx exec.`
}

// runLimits are the parsed limit flags; nil means not given.
type runLimits struct {
	memoryMax, memoryHigh, pidsMax *cgroup.Max
	cpuMax                         *cgroup.CPUMax
	cpuWeight                      *uint64
}

// controllers returns the controllers the limits need, each with the
// flags that need it.
func (l *runLimits) controllers() map[cgroup.Controller][]string {
	need := map[cgroup.Controller][]string{}
	add := func(set bool, c cgroup.Controller, flag string) {
		if set {
			need[c] = append(need[c], flag)
		}
	}
	add(l.memoryMax != nil, cgroup.Memory, "--memory-max")
	add(l.memoryHigh != nil, cgroup.Memory, "--memory-high")
	add(l.cpuMax != nil, cgroup.CPU, "--cpu-max")
	add(l.cpuWeight != nil, cgroup.CPU, "--cpu-weight")
	add(l.pidsMax != nil, cgroup.Pids, "--pids-max")
	return need
}

// parseLimits checks the limit flags.
func (c *cgroupRunCommand) parseLimits() (*runLimits, error) {
	var l runLimits
	for _, f := range []struct {
		name, text string
		dst        **cgroup.Max
		parse      func(string) (cgroup.Max, error)
	}{
		{"--memory-max", c.memoryMax, &l.memoryMax, parseBytesMax},
		{"--memory-high", c.memoryHigh, &l.memoryHigh, parseBytesMax},
		{"--pids-max", c.pidsMax, &l.pidsMax, parseCountMax},
	} {
		if f.text == "" {
			continue
		}
		v, err := f.parse(f.text)
		if err != nil {
			return nil, Usagef("%s %s: %v", f.name, quoteArg(f.text), err)
		}
		*f.dst = &v
	}
	if c.cpuMax != "" {
		m, err := parseCPUMaxFlag(c.cpuMax)
		if err != nil {
			return nil, Usagef("--cpu-max %s: %v", quoteArg(c.cpuMax), err)
		}
		l.cpuMax = &m
	}
	if c.cpuWeight != "" {
		w, err := strconv.ParseUint(c.cpuWeight, 10, 64)
		if err != nil || w < 1 || w > 10000 {
			return nil, Usagef("--cpu-weight %s: want a number from 1 to 10000", quoteArg(c.cpuWeight))
		}
		l.cpuWeight = &w
	}
	return &l, nil
}

// parseBytesMax reads a size: "max", or a decimal number of bytes with an
// optional binary suffix K, M, G, T, P or E, itself optionally followed
// by "iB".
func parseBytesMax(s string) (cgroup.Max, error) {
	if s == "max" {
		return cgroup.Unlimited, nil
	}
	num := strings.TrimSuffix(s, "iB")
	shift := 0
	if n := len(num); n > 0 {
		if i := strings.IndexByte("KMGTPE", num[n-1]&^0x20); i >= 0 && num[n-1] != 'b' {
			shift, num = 10*(i+1), num[:n-1]
		} else if num != s {
			return 0, errors.New(`want a number of bytes with K, M, G, T, P or E before "iB"`)
		}
	}
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, errors.New("want max or a number of bytes, optionally with K, M, G, T, P or E (512M, 1G)")
	}
	if v > math.MaxUint64>>shift || v<<shift == uint64(cgroup.Unlimited) {
		return 0, fmt.Errorf("%s bytes is too large", s)
	}
	return cgroup.Max(v << shift), nil
}

// parseCountMax reads "max" or a decimal count.
func parseCountMax(s string) (cgroup.Max, error) {
	if s == "max" {
		return cgroup.Unlimited, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v == uint64(cgroup.Unlimited) {
		return 0, errors.New("want max or a decimal number")
	}
	return cgroup.Max(v), nil
}

// parseCPUMaxFlag reads quota[/period]: durations ("50ms") or numbers of
// microseconds; the quota may be "max". A missing period is 0, which
// keeps the kernel's (100ms by default).
func parseCPUMaxFlag(s string) (cgroup.CPUMax, error) {
	quota, period, hasPeriod := strings.Cut(s, "/")
	var m cgroup.CPUMax
	if quota == "max" {
		m.Quota = cgroup.UnlimitedQuota
	} else {
		d, err := parseMicroseconds(quota)
		if err != nil {
			return m, fmt.Errorf("quota: %v", err)
		}
		m.Quota = cgroup.Quota(d)
	}
	if hasPeriod {
		d, err := parseMicroseconds(period)
		if err != nil {
			return m, fmt.Errorf("period: %v", err)
		}
		if d == 0 {
			return m, errors.New("period: want more than 0")
		}
		m.Period = d
	}
	return m, nil
}

// parseMicroseconds reads a Go duration, or a decimal number of
// microseconds.
func parseMicroseconds(s string) (time.Duration, error) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		if n > math.MaxInt64/uint64(time.Microsecond) {
			return 0, fmt.Errorf("%s microseconds is too long", s)
		}
		return time.Duration(n) * time.Microsecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("want a duration (50ms) or a number of microseconds, not %s", quoteArg(s))
	}
	return d, nil
}

func (c *cgroupRunCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return Usagef("no command to run")
	}
	limits, err := c.parseLimits()
	if err != nil {
		return err
	}
	path, err := lookPath(args[0], 0)
	if err != nil {
		return &exitError{code: ExitNotFound, err: err}
	}
	sigs := takeSignals()
	defer sigs.release()
	// The output is copied until every process that has the pipes has
	// ended: after the cgroup is killed (deferred below).
	r := &childRun{env: env, sigs: sigs}
	defer r.finish()

	parent, err := c.openParent()
	if err != nil {
		return err
	}
	defer parent.Close()
	enabled, err := c.enableControllers(parent, limits.controllers())
	if err != nil {
		return err
	}
	defer c.restoreControllers(env, c.Name(), parent, enabled)

	child, err := newRunCgroup(parent)
	if err != nil {
		return err
	}
	defer child.Close()
	defer removeRunCgroup(env, c.Name(), child)
	if err := setLimits(child, limits); err != nil {
		return err
	}

	p, err := r.start(&spawn.Command{Path: path, Args: args, Cgroup: child})
	if err != nil {
		return err
	}
	defer p.Close()
	st, err := r.wait(p)
	if err != nil {
		return err
	}
	reportLimitsHit(env, c.Name(), child, st)
	return &exitError{code: statusCode(st)}
}

// openParent opens --parent, or lx's own v2 cgroup.
func (c *cgroupRunCommand) openParent() (*cgroup.Cgroup, error) {
	if c.parent != "" {
		return openCgroupArg(c.cgroups, "--parent", c.parent)
	}
	cg, err := c.cgroups.OpenProcess(os.Getpid())
	if err != nil {
		return nil, fmt.Errorf("lx's cgroup v2: %w", err)
	}
	return cg, nil
}

// enableControllers enables the controllers in need for the children
// of parent, and returns those it enabled. It refuses, naming each
// controller and why, those that parent cannot enable.
func (c *cgroupRunCommand) enableControllers(parent *cgroup.Cgroup, need map[cgroup.Controller][]string) (cgroup.Controllers, error) {
	if len(need) == 0 {
		return nil, nil
	}
	available, err := parent.Controllers()
	if err != nil {
		return nil, err
	}
	enabled, err := parent.SubtreeControl()
	if err != nil {
		return nil, err
	}
	var missing, cannot cgroup.Controllers
	for _, ctl := range slices.Sorted(maps.Keys(need)) {
		switch {
		case enabled.Has(ctl):
		case available.Has(ctl):
			missing = append(missing, ctl)
		default:
			cannot = append(cannot, ctl)
		}
	}
	if len(cannot) > 0 {
		var why []string
		for _, ctl := range cannot {
			why = append(why, fmt.Sprintf("%s (for %s): %s", ctl, strings.Join(need[ctl], ", "), c.whyMissing(parent, ctl)))
		}
		return nil, fmt.Errorf("cannot enable %v for the children of %s (its cgroup.controllers: %q):\n  %s",
			cannot, escape(parent.Path()), available.String(), strings.Join(why, "\n  "))
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if _, err := parent.SetSubtreeControl(missing, nil); err != nil {
		reason := ""
		switch {
		case errors.Is(err, syscall.EBUSY):
			reason = fmt.Sprintf(": %s has processes of its own, and a cgroup with processes cannot enable "+
				"controllers for its children (\"no internal processes\"); give a --parent without processes", escape(parent.Path()))
		case errors.Is(err, fs.ErrPermission):
			reason = fmt.Sprintf(": no write access to cgroup.subtree_control of %s", escape(parent.Path()))
		}
		return nil, fmt.Errorf("cannot enable %v for the children of %s%s: %w", missing, escape(parent.Path()), reason, err)
	}
	return missing, nil
}

// whyMissing explains why parent cannot enable ctl: the hierarchy lacks
// it (bound to v1, or not in the kernel), or an ancestor did not pass it
// on.
func (c *cgroupRunCommand) whyMissing(parent *cgroup.Cgroup, ctl cgroup.Controller) string {
	m := parent.Mount()
	root, err := c.cgroups.Open(m.Root)
	if err == nil {
		defer root.Close()
		if all, err := root.Controllers(); err == nil && all.Has(ctl) {
			return fmt.Sprintf("not enabled for %s by its parent (cgroup.subtree_control above it)", escape(parent.Path()))
		}
	}
	if membership, err := c.cgroups.OfProcess(os.Getpid()); err == nil {
		for _, l := range membership {
			if slices.Contains(l.Controllers, string(ctl)) {
				return fmt.Sprintf("this host binds it to cgroup v1 (hierarchy %d in /proc/self/cgroup), "+
					"so the v2 hierarchy at %s does not have it, and lx sets limits only in v2", l.HierarchyID, escape(m.Point))
			}
		}
	}
	return fmt.Sprintf("the cgroup v2 hierarchy at %s does not have it (not in the root's cgroup.controllers)", escape(m.Point))
}

// restoreControllers disables the controllers lx enabled for parent's
// children, unless a child cgroup is there by then, which may rely on
// them.
func (c *cgroupRunCommand) restoreControllers(env *Env, name string, parent *cgroup.Cgroup, enabled cgroup.Controllers) {
	if len(enabled) == 0 {
		return
	}
	if children, err := parent.Children(); err != nil || len(children) > 0 {
		return
	}
	if _, err := parent.SetSubtreeControl(nil, enabled); err != nil {
		fmt.Fprintf(env.Stderr, "lx %s: cannot disable %v again for the children of %s: %v\n", name, enabled, escape(parent.Path()), err)
	}
}

// newRunCgroup creates the child cgroup "lx-run-PID" of parent, or
// "lx-run-PID-N" if that exists (left by a killed lx whose PID was
// reused).
func newRunCgroup(parent *cgroup.Cgroup) (*cgroup.Cgroup, error) {
	base := "lx-run-" + strconv.Itoa(os.Getpid())
	name := base
	for n := 2; ; n++ {
		child, err := parent.NewChild(name)
		if !errors.Is(err, fs.ErrExist) || n > 100 {
			return child, err
		}
		name = base + "-" + strconv.Itoa(n)
	}
}

// setLimits writes the limits to cg.
func setLimits(cg *cgroup.Cgroup, l *runLimits) error {
	var err error
	if l.memoryMax != nil {
		_, err = cg.SetMemoryMax(*l.memoryMax)
	}
	if l.memoryHigh != nil && err == nil {
		_, err = cg.SetMemoryHigh(*l.memoryHigh)
	}
	if l.cpuMax != nil && err == nil {
		_, err = cg.SetCPUMax(*l.cpuMax)
	}
	if l.cpuWeight != nil && err == nil {
		_, err = cg.SetCPUWeight(*l.cpuWeight)
	}
	if l.pidsMax != nil && err == nil {
		_, err = cg.SetPidsMax(*l.pidsMax)
	}
	return err
}

// removeTimeout bounds the wait for a killed cgroup to empty (a process
// stuck in the kernel cannot die).
const removeTimeout = time.Minute

// removeRunCgroup kills what is left in cg and removes it, saying on
// stderr when it cannot.
func removeRunCgroup(env *Env, name string, cg *cgroup.Cgroup) {
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	if err := cg.Remove(ctx, &cgroup.RemoveOptions{Kill: true}); err != nil {
		fmt.Fprintf(env.Stderr, "lx %s: %v\n", name, err)
	}
}

// reportLimitsHit says on stderr when the OOM killer killed a process of
// cg, and when pids.max refused forks.
func reportLimitsHit(env *Env, name string, cg *cgroup.Cgroup, st pidfd.ExitStatus) {
	if ev, err := cg.MemoryEvents(); err == nil && ev.OOMKill > 0 {
		what := ""
		if st.Reason == pidfd.Killed && st.Signal == signal.Kill {
			what = "; the command was killed by SIGKILL"
		}
		fmt.Fprintf(env.Stderr, "lx %s: memory limit reached: the OOM killer killed %d processes in the cgroup (memory.events: oom_kill %d)%s\n",
			name, ev.OOMKill, ev.OOMKill, what)
	}
	if ev, err := cg.PidsEvents(); err == nil && ev.Max > 0 {
		fmt.Fprintf(env.Stderr, "lx %s: pids.max refused %d forks (pids.events: max %d)\n", name, ev.Max, ev.Max)
	}
}
