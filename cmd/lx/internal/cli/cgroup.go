package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/procfs"
)

func init() {
	register(func() Command { return &cgroupCommand{cgroups: cgroup.Default(), procs: procfs.Default()} })
}

// cgroupCommand is `lx cgroup [PATH]`.
type cgroupCommand struct {
	cgroups cgroup.FS
	procs   procfs.FS // the same system's /proc: the v1 mounts
	// pid is the process whose v1 cgroups are shown; 0 means lx. Tests
	// of a fixture tree set it.
	pid int
}

func (*cgroupCommand) Name() string { return "cgroup" }
func (*cgroupCommand) Synopsis() string {
	return "the cgroup v2 tree: controllers, processes, memory, CPU and pids use; v1 hierarchies on hybrid hosts"
}
func (*cgroupCommand) Usage() string { return "[flags] [path]" }
func (*cgroupCommand) Help() string {
	return `Shows the cgroup v2 hierarchy as a tree, from its root or from the cgroup
PATH: the path in the hierarchy as /proc/PID/cgroup shows it ("/a/b"), or
its directory below the cgroup2 mount ("/sys/fs/cgroup/unified/a/b" on a
hybrid host). The hierarchy is the one mounted in lx's mount namespace
(/proc/self/mountinfo): /sys/fs/cgroup on a pure v2 host, usually
/sys/fs/cgroup/unified on a hybrid one.

The columns:

  PROCS        processes in the cgroup itself (cgroup.procs), not in
               its descendants
  MEMORY       memory.current: memory in use by the cgroup and its
               descendants
  CPU          usage_usec of cpu.stat: CPU time of the cgroup and its
               descendants, to the hundredth of a second
  PIDS         pids.current: tasks (processes and threads) in the cgroup
               and its descendants
  CONTROLLERS  cgroup.controllers: the controllers its parent enabled for
               it (all of the hierarchy's, for the root), whose files it
               has
  SUBTREE      cgroup.subtree_control: the controllers it enables for
               its children
  CGROUP       the path of the first row, then each child's name below
               its parent, with the branches of 'lx ps --tree'

A value is "-" where the cgroup has no such file: memory.current and
pids.current exist only where the memory and pids controllers are enabled,
and not in the root. Names are escaped as 'lx help text' describes.

On a hybrid host (cgroup v1 hierarchies besides the v2 one) the
controllers bound to v1 are not in the tree. lx then lists the v1
hierarchies: their controllers, where each is mounted, and lx's cgroup in
it (/proc/self/cgroup), and shows lx's own v1 limits and usage, read from
its v1 memory, cpu, cpuacct and pids cgroups (cgroup.V1Of): memory limit,
usage and peak, the CFS quota and period, CPU time, and the pids limit
and count.

The reads are not one snapshot: a cgroup removed while lx reads it is left
out; a file that cannot be read for another reason shows "?", is listed
under "unavailable" with --json, and makes lx exit with 1 after printing.

With --json the output is one object ('lx help json'):

  mode         "v2", "hybrid" or "v1" (cgroup.Mode); null when unknown
  mount        the v2 mount: {"Point": ..., "Root": ...} (cgroup.Mount)
  tree         the cgroup of PATH with its descendants, each an object:
                 path             the cgroup's path in the hierarchy
                 controllers      cgroup.controllers, "cpu memory"
                 subtree_control  cgroup.subtree_control
                 nr_procs         processes in the cgroup itself
                 memory_current_bytes, pids_current
                                  null where the file does not exist
                 cpu_stat         cpu.stat (cgroup.CPUStat: Usage, User,
                                  System, ... in nanoseconds), or null
                 children         the child cgroups, by name
                 unavailable      {"memory.current": "reason"}, files
                                  that exist but could not be read
  v1           on a hybrid or v1 host, else null:
                 hierarchies      one per v1 line of /proc/self/cgroup:
                                  {"hierarchy_id", "controllers",
                                  "cgroup", "mount_point"}
                 memory_max, memory_current_bytes, memory_peak_bytes,
                 cpu_max, cpu_stat, pids_max, pids_current
                                  lx's v1 values, in cgroup's types
                                  (cgroup.Max and cgroup.CPUMax as their
                                  kernel text, "max" for no limit)
  unavailable  the reasons for anything above that is null or missing

Strings keep their exact bytes ('lx help json'). To run a command in a
fresh cgroup with limits, see 'lx help cgroup run'.`
}

// cgroupTreeReport is the output of `lx cgroup --json`.
type cgroupTreeReport struct {
	Mode        *cgroup.Mode     `json:"mode"`
	Mount       cgroup.Mount     `json:"mount"`
	Tree        *cgroupNode      `json:"tree"`
	V1          *cgroupV1Report  `json:"v1"`
	Unavailable map[string]error `json:"unavailable"`
}

// cgroupNode is one cgroup of the tree.
type cgroupNode struct {
	Path               string             `json:"path"`
	Controllers        cgroup.Controllers `json:"controllers"`
	SubtreeControl     cgroup.Controllers `json:"subtree_control"`
	NrProcs            *int               `json:"nr_procs"`
	MemoryCurrentBytes *uint64            `json:"memory_current_bytes"`
	CPUStat            *cgroup.CPUStat    `json:"cpu_stat"`
	PidsCurrent        *uint64            `json:"pids_current"`
	Children           []*cgroupNode      `json:"children"`
	Unavailable        map[string]error   `json:"unavailable,omitempty"`

	name string // the last element of Path, for the tree
}

// cgroupV1Report is the v1 part of the report.
type cgroupV1Report struct {
	Hierarchies        []cgroupV1Hierarchy `json:"hierarchies"`
	MemoryMax          *cgroup.Max         `json:"memory_max"`
	MemoryCurrentBytes *uint64             `json:"memory_current_bytes"`
	MemoryPeakBytes    *uint64             `json:"memory_peak_bytes"`
	CPUMax             *cgroup.CPUMax      `json:"cpu_max"`
	CPUStat            *cgroup.CPUStat     `json:"cpu_stat"`
	PidsMax            *cgroup.Max         `json:"pids_max"`
	PidsCurrent        *uint64             `json:"pids_current"`
}

// cgroupV1Hierarchy is a v1 line of /proc/PID/cgroup and where that
// hierarchy is mounted ("" when lx did not find it).
type cgroupV1Hierarchy struct {
	HierarchyID int      `json:"hierarchy_id"`
	Controllers []string `json:"controllers"`
	Cgroup      string   `json:"cgroup"`
	MountPoint  string   `json:"mount_point"`
}

// errCgroupFailed makes lx exit with 1 after printing a tree with
// unreadable parts.
var errCgroupFailed = errors.New("some cgroup files could not be read (see above)")

func (c *cgroupCommand) Run(ctx context.Context, env *Env, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "run":
		return Usagef("to run a command, put run right after cgroup: lx cgroup run [flags] <command>")
	case len(args) > 1:
		return Usagef("want at most one cgroup path, got %d arguments", len(args))
	}
	report := cgroupTreeReport{Unavailable: map[string]error{}}
	if m, err := c.cgroups.Mode(); err == nil {
		report.Mode = &m
	} else {
		report.Unavailable["mode"] = err
	}
	m, err := c.cgroups.UnifiedMount()
	if err != nil {
		return err
	}
	report.Mount = m
	path := m.Root
	if len(args) == 1 {
		path = args[0]
	}
	top, err := openCgroupArg(c.cgroups, "path", path)
	if err != nil {
		return err
	}
	report.Tree = c.walk(ctx, top)
	top.Close()
	report.V1 = c.v1(&report)

	// The mode of a tree that is not this system's (a fixture) cannot
	// be known; anything else missing is a failure.
	failed := len(report.Unavailable) > 1 || len(report.Unavailable) == 1 && report.Unavailable["mode"] == nil
	report.Tree.each(func(n *cgroupNode) {
		if len(n.Unavailable) > 0 {
			failed = true
		}
	})
	if env.JSON {
		err = writeJSON(env.Stdout, report)
	} else {
		err = writeCgroupText(env.Stdout, &report)
	}
	if err == nil && failed {
		err = errCgroupFailed
	}
	return err
}

// walk reads cg and its descendants, depth first, children by name. A
// child removed meanwhile is left out.
func (c *cgroupCommand) walk(ctx context.Context, cg *cgroup.Cgroup) *cgroupNode {
	n := &cgroupNode{Path: cg.Path(), name: cg.Path(), Children: []*cgroupNode{}}
	if i := strings.LastIndexByte(n.Path, '/'); i >= 0 && n.Path != "/" {
		n.name = n.Path[i+1:]
	}
	fail := func(key string, err error) {
		if n.Unavailable == nil {
			n.Unavailable = map[string]error{}
		}
		n.Unavailable[key] = err
	}
	// absent is a file a cgroup does not have: its controller is not
	// enabled there, or it is the root.
	absent := func(err error) bool { return errors.Is(err, fs.ErrNotExist) }
	var err error
	if n.Controllers, err = cg.Controllers(); err != nil {
		fail("controllers", err)
	}
	if n.SubtreeControl, err = cg.SubtreeControl(); err != nil {
		fail("subtree_control", err)
	}
	if procs, err := cg.Procs(); err == nil {
		n.NrProcs = &[]int{len(procs)}[0]
	} else {
		fail("procs", err)
	}
	if v, err := cg.MemoryCurrent(); err == nil {
		n.MemoryCurrentBytes = &v
	} else if !absent(err) {
		fail("memory.current", err)
	}
	if st, err := cg.CPUStat(); err == nil {
		n.CPUStat = &st
	} else if !absent(err) {
		fail("cpu.stat", err)
	}
	if v, err := cg.PidsCurrent(); err == nil {
		n.PidsCurrent = &v
	} else if !absent(err) {
		fail("pids.current", err)
	}
	names, err := cg.Children()
	if err != nil {
		fail("children", err)
		return n
	}
	for _, name := range names {
		if ctx.Err() != nil {
			fail("children", ctx.Err())
			return n
		}
		child, err := cg.OpenChild(name)
		if absent(err) {
			continue // removed meanwhile
		}
		if err != nil {
			fail("children", err)
			continue
		}
		n.Children = append(n.Children, c.walk(ctx, child))
		child.Close()
	}
	return n
}

// each calls fn for n and its descendants.
func (n *cgroupNode) each(fn func(*cgroupNode)) {
	fn(n)
	for _, c := range n.Children {
		c.each(fn)
	}
}

// v1 reads the v1 part of the report: nil on a pure v2 host.
func (c *cgroupCommand) v1(report *cgroupTreeReport) *cgroupV1Report {
	pid := c.pid
	if pid == 0 {
		pid = os.Getpid()
	}
	membership, err := c.cgroups.OfProcess(pid)
	if err != nil {
		report.Unavailable["v1"] = err
		return nil
	}
	v := &cgroupV1Report{Hierarchies: []cgroupV1Hierarchy{}}
	for _, l := range membership {
		if l.HierarchyID != 0 {
			v.Hierarchies = append(v.Hierarchies, cgroupV1Hierarchy{HierarchyID: l.HierarchyID, Controllers: l.Controllers, Cgroup: l.Path})
		}
	}
	if len(v.Hierarchies) == 0 {
		return nil
	}
	slices.SortFunc(v.Hierarchies, func(a, b cgroupV1Hierarchy) int { return a.HierarchyID - b.HierarchyID })
	if err := c.v1Mounts(pid, v.Hierarchies); err != nil {
		report.Unavailable["v1.hierarchies.mount_point"] = err
	}
	view, err := c.cgroups.V1Of(pid)
	if err != nil {
		report.Unavailable["v1.values"] = err
		return v
	}
	read := func(key string, err error) bool {
		if err != nil {
			report.Unavailable["v1."+key] = err
			return false
		}
		return true
	}
	if m, err := view.MemoryMax(); read("memory_max", err) {
		v.MemoryMax = &m
	}
	if n, err := view.MemoryCurrent(); read("memory_current_bytes", err) {
		v.MemoryCurrentBytes = &n
	}
	if n, err := view.MemoryPeak(); read("memory_peak_bytes", err) {
		v.MemoryPeakBytes = &n
	}
	if m, err := view.CPUMax(); read("cpu_max", err) {
		v.CPUMax = &m
	}
	if st, err := view.CPUStat(); read("cpu_stat", err) {
		v.CPUStat = &st
	}
	// The root of the pids hierarchy has neither file.
	if m, err := view.PidsMax(); err == nil {
		v.PidsMax = &m
	} else if !errors.Is(err, fs.ErrNotExist) {
		read("pids_max", err)
	}
	if n, err := view.PidsCurrent(); err == nil {
		v.PidsCurrent = &n
	} else if !errors.Is(err, fs.ErrNotExist) {
		read("pids_current", err)
	}
	return v
}

// v1Mounts fills in where each v1 hierarchy is mounted, from the mount
// table of process pid: a cgroup (v1) mount whose super-block options
// name the hierarchy's first controller.
func (c *cgroupCommand) v1Mounts(pid int, hs []cgroupV1Hierarchy) error {
	p, err := c.procs.Proc(pid)
	if err != nil {
		return err
	}
	mounts, err := p.MountInfo()
	if err != nil {
		return err
	}
	for i := range hs {
		if len(hs[i].Controllers) == 0 {
			continue
		}
		key, want, named := strings.Cut(hs[i].Controllers[0], "=") // "name=systemd"
		for _, m := range mounts {
			v, ok := m.SuperOption(key)
			if ok && m.FSType == "cgroup" && (!named || v == want) {
				hs[i].MountPoint = m.MountPoint
				break
			}
		}
	}
	return nil
}

// writeCgroupText writes the tables of lx cgroup.
func writeCgroupText(w io.Writer, r *cgroupTreeReport) error {
	mode := "mode unknown"
	if r.Mode != nil {
		mode = r.Mode.String()
	}
	fmt.Fprintf(w, "cgroup v2 hierarchy mounted at %s (%s)\n\n", escape(r.Mount.Point), mode)
	t := newTable(w)
	t.Row("PROCS", "MEMORY", "CPU", "PIDS", "CONTROLLERS", "SUBTREE", "CGROUP")
	var walk func(n *cgroupNode, above []byte, branch, sibling bool)
	walk = func(n *cgroupNode, above []byte, branch, sibling bool) {
		name := n.name
		if !branch {
			name = n.Path // the first row
		}
		prefix := psBranches(above)
		if branch {
			prefix += ` \_ `
		}
		t.Row(cgroupCell(n, "procs", n.NrProcs, formatCount[int]),
			cgroupCell(n, "memory.current", n.MemoryCurrentBytes, formatBytes),
			cgroupCell(n, "cpu.stat", n.CPUStat, func(st cgroup.CPUStat) string {
				return formatDuration(st.Usage.Truncate(10 * time.Millisecond))
			}),
			cgroupCell(n, "pids.current", n.PidsCurrent, formatCount[uint64]),
			controllersCell(n, "controllers", n.Controllers),
			controllersCell(n, "subtree_control", n.SubtreeControl),
			prefix+escape(name))
		kidsAbove := above
		if branch {
			mark := byte(' ')
			if sibling {
				mark = '|'
			}
			kidsAbove = append(slices.Clone(above), mark)
		}
		for i, c := range n.Children {
			walk(c, kidsAbove, true, i < len(n.Children)-1)
		}
	}
	walk(r.Tree, nil, false, false)
	if err := t.Flush(); err != nil {
		return err
	}
	if r.V1 != nil {
		writeCgroupV1Text(w, r.V1)
	}
	if len(r.Unavailable) > 0 {
		keys := slices.Sorted(maps.Keys(r.Unavailable))
		fmt.Fprintf(w, "\nunavailable:\n")
		for _, k := range keys {
			fmt.Fprintf(w, "  %s: %s\n", k, escape(r.Unavailable[k].Error()))
		}
	}
	var bad []string
	r.Tree.each(func(n *cgroupNode) {
		for _, k := range slices.Sorted(maps.Keys(n.Unavailable)) {
			bad = append(bad, fmt.Sprintf("  %s %s: %s", escape(n.Path), k, escape(n.Unavailable[k].Error())))
		}
	})
	if len(bad) > 0 {
		fmt.Fprintf(w, "\nunreadable (\"?\" above):\n%s\n", strings.Join(bad, "\n"))
	}
	return nil
}

// cgroupCell formats a value of the tree: "-" when the cgroup has no
// such file, "?" when it could not be read.
func cgroupCell[T any](n *cgroupNode, key string, v *T, format func(T) string) string {
	switch {
	case v != nil:
		return format(*v)
	case n.Unavailable[key] != nil:
		return "?"
	}
	return "-"
}

// controllersCell formats a list of controllers, "-" for none.
func controllersCell(n *cgroupNode, key string, cs cgroup.Controllers) string {
	switch {
	case n.Unavailable[key] != nil:
		return "?"
	case len(cs) == 0:
		return "-"
	}
	return strings.ReplaceAll(cs.String(), " ", ",")
}

// writeCgroupV1Text writes the v1 hierarchies and lx's v1 values.
func writeCgroupV1Text(w io.Writer, v *cgroupV1Report) {
	fmt.Fprintf(w, "\ncgroup v1 hierarchies (their controllers are not in the tree above):\n")
	t := newTable(w)
	t.Row("ID", "CONTROLLERS", "MOUNTED AT", "CGROUP OF LX")
	for _, h := range v.Hierarchies {
		mnt := h.MountPoint
		if mnt == "" {
			mnt = "-"
		}
		names := make([]string, len(h.Controllers))
		for i, c := range h.Controllers {
			names[i] = escape(c)
		}
		t.Row(formatCount(h.HierarchyID), strings.Join(names, ","), escape(mnt), escape(h.Cgroup))
	}
	t.Flush()
	fmt.Fprintf(w, "\nlx's v1 cgroups:\n")
	t = newTable(w)
	t.Row("  CONTROLLER", "LIMIT", "USAGE")
	limit := func(m *cgroup.Max, format func(uint64) string) string {
		switch {
		case m == nil:
			return "-"
		case *m == cgroup.Unlimited:
			return "max"
		}
		return format(uint64(*m))
	}
	usage := func(n *uint64, format func(uint64) string) string {
		if n == nil {
			return "-"
		}
		return format(*n)
	}
	mem := usage(v.MemoryCurrentBytes, formatBytes)
	if v.MemoryPeakBytes != nil {
		mem += " (peak " + formatBytes(*v.MemoryPeakBytes) + ")"
	}
	t.Row("  memory", limit(v.MemoryMax, formatBytes), mem)
	cpuMax, cpuUse := "-", "-"
	if v.CPUMax != nil {
		cpuMax = formatCPUMax(*v.CPUMax)
	}
	if v.CPUStat != nil {
		cpuUse = formatDuration(v.CPUStat.Usage.Truncate(10 * time.Millisecond))
	}
	t.Row("  cpu", cpuMax, cpuUse)
	t.Row("  pids", limit(v.PidsMax, formatCount[uint64]), usage(v.PidsCurrent, formatCount[uint64]))
	t.Flush()
}

// formatCPUMax formats a CPU bandwidth limit as quota/period: "max/0.1s",
// "0.05s/0.1s".
func formatCPUMax(m cgroup.CPUMax) string {
	q := "max"
	if m.Quota != cgroup.UnlimitedQuota {
		q = formatDuration(time.Duration(m.Quota))
	}
	return q + "/" + formatDuration(m.Period)
}
