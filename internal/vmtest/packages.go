package vmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Shape is a guest's hardware.
type Shape int

const (
	// Default is 2 vCPUs and 1024 MiB in one NUMA node.
	Default Shape = iota
	// NUMA2 is 2 vCPUs and 1024 MiB split into two NUMA nodes of one CPU
	// and 512 MiB each.
	NUMA2
)

func (s Shape) String() string {
	switch s {
	case Default:
		return "default"
	case NUMA2:
		return "numa2"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// Package is one row of the guest matrix.
type Package struct {
	// Path is the module-relative package path.
	Path string
	// Shape is the guest it needs.
	Shape Shape
	// Cmdline holds extra kernel parameters it needs, e.g. "hugepages=16".
	Cmdline []string
	// Hugetlbfs mounts hugetlbfs at /dev/hugepages.
	Hugetlbfs bool
	// BlockDevice gives the guest a block device (Options.BlockDevice).
	BlockDevice bool
}

// Packages is the guest matrix: every package whose tests run on each
// guest kernel. Adding a package is one line. Packages with the same
// shape, command line, mounts and block device share one boot per kernel.
//
// To add when the package lands: mount (statmount/listmount -> mountinfo
// fallback on 6.1).
var Packages = []Package{
	{Path: "internal/vmtest/guesttest"},
	{Path: "internal/vmtest/guesttest", Shape: NUMA2},
	// Memory policies across two nodes: interleave, bind, preferred-many,
	// weighted interleave (6.9: skipped on 6.1 by its probe), the home
	// node, move_pages and migrate_pages moving pages between nodes.
	{Path: "numa", Shape: NUMA2},
	{Path: "kernel"},
	{Path: "internal/sys"},
	{Path: "internal/feature"},
	{Path: "internal/pseudofs"},
	{Path: "internal/poll"},
	{Path: "internal/thread"},
	{Path: "internal/testutil"},
	{Path: "features"},
	{Path: "procfs"},
	{Path: "pidfd"},
	{Path: "cpu"},
	// cpu on two NUMA nodes: each CPU's node id from the node cpulists,
	// and the node half of TSC_AUX (node<<12 | cpu) that Current decodes,
	// which one node (node 0) cannot tell from zero.
	{Path: "cpu", Shape: NUMA2},
	// Namespaces and process creation on each kernel: time namespaces,
	// ID maps, CLONE_INTO_CGROUP into a pure v2 hierarchy.
	{Path: "ns"},
	{Path: "spawn"},
	// The lx command's end-to-end tests (the test binary runs as lx) of
	// the commands that depend on the kernel, as its TestMain selects in a
	// guest: lx cgroup run with pids.max and memory.max, which the host's
	// v2 hierarchy lacks, and lx exec.
	{Path: "cmd/lx/internal/cli"},
	// Landlock on older ABIs: 6.12 has ABI 6 (no restrict flags), 6.1
	// ABI 2 if its lsm= list enables Landlock at all; the tests skip
	// what the kernel lacks and BestEffort reports it as dropped.
	{Path: "landlock"},
	// Capability and credential changes as root holding every
	// capability the kernel knows, which the host's container does not.
	{Path: "capability"},
	{Path: "cred"},
	// Filters installed in children on each kernel: actions, TSYNC.
	{Path: "seccomp"},
	// Special file descriptors as root holding CAP_SYS_RESOURCE, which
	// the host's root lacks: the mqueue limit test then runs as nobody
	// in a child; mqueue and epoll on 6.1's and 6.12's fs/mqueue and
	// eventpoll (fdinfo). pipe stays out: its 1 GiB splice test is too
	// slow under TCG.
	{Path: "mqueue"},
	{Path: "epoll"},
	{Path: "hugepage", Cmdline: []string{"hugepages=16"}, Hugetlbfs: true},
	// memfd shares hugepage's boot: its hugetlb test takes a page of the
	// pool; on 6.1 MFD_NOEXEC_SEAL (6.3) and memfd_secret (6.5) are
	// missing and their tests skip.
	{Path: "memfd", Cmdline: []string{"hugepages=16"}, Hugetlbfs: true},
	// userfaultfd on 6.1 and 6.12: no UFFDIO_MOVE (6.8) or UFFDIO_POISON
	// (6.6) on 6.1, whose tests then skip from the negotiated features.
	{Path: "userfaultfd"},
	// Per-node huge page pools on two nodes: SetNodePages grows and
	// restores node 0's and node 1's 2 MiB pools.
	{Path: "hugepage", Shape: NUMA2, Cmdline: []string{"hugepages=16"}},
	// vm: soft-dirty bits (Debian's kernels have CONFIG_MEM_SOFT_DIRTY,
	// the host's has not), and on 6.1 Scan by the pagemap file, without
	// PAGEMAP_SCAN (6.7).
	{Path: "vm"},
	// The fd packages on older kernels: fanotify's pre-content events,
	// mount-namespace marks and FAN_REPORT_FD_ERROR (6.13+) skip on 6.1
	// and 6.12 by their probes; inotify, eventfd, timerfd and signalfd
	// are older than both.
	{Path: "inotify"},
	{Path: "fanotify"},
	{Path: "eventfd"},
	{Path: "timerfd"},
	{Path: "signalfd"},
	// cgroup: the v2 controllers the host binds to v1 (memory, cpu, pids,
	// io, cpuset), OOM kills, PSI triggers, and io.max throttling reads of
	// the block device; see docs/kernels.md. The self-test checks the
	// device init promised.
	{Path: "internal/vmtest/guesttest", BlockDevice: true},
	{Path: "cgroup", BlockDevice: true},
}

// Group is one guest boot per kernel: packages that share a shape, a
// kernel command line and mounts.
type Group struct {
	Shape       Shape
	Cmdline     []string
	Hugetlbfs   bool
	BlockDevice bool
	Packages    []string // module-relative paths, in table order
}

// Name describes the group, e.g. "default", "numa2 hugepages=16" or
// "default blockdev".
func (g Group) Name() string {
	s := g.Shape.String()
	if len(g.Cmdline) > 0 {
		s += " " + strings.Join(g.Cmdline, " ")
	}
	if g.Hugetlbfs {
		s += " hugetlbfs"
	}
	if g.BlockDevice {
		s += " blockdev"
	}
	return s
}

// Groups splits rows into boots, keeping the order of first appearance.
func Groups(rows []Package) []Group {
	var groups []Group
	for _, r := range rows {
		i := slices.IndexFunc(groups, func(g Group) bool {
			return g.Shape == r.Shape && g.Hugetlbfs == r.Hugetlbfs && g.BlockDevice == r.BlockDevice && slices.Equal(g.Cmdline, r.Cmdline)
		})
		if i < 0 {
			groups = append(groups, Group{Shape: r.Shape, Cmdline: slices.Clone(r.Cmdline), Hugetlbfs: r.Hugetlbfs, BlockDevice: r.BlockDevice})
			i = len(groups) - 1
		}
		if !slices.Contains(groups[i].Packages, r.Path) {
			groups[i].Packages = append(groups[i].Packages, r.Path)
		}
	}
	return groups
}

// Options returns the guest options of g on kernel k.
func (g Group) Options(k Kernel, timeout time.Duration) *Options {
	o := &Options{Kernel: k, Cmdline: g.Cmdline, Hugetlbfs: g.Hugetlbfs, BlockDevice: g.BlockDevice, Timeout: timeout}
	if g.Shape == NUMA2 {
		o.NUMANodes = 2
	}
	return o
}

// Present splits module-relative package paths into those in the tree
// and those not (yet) in it, with go list.
func Present(ctx context.Context, paths []string) (present, missing []string, err error) {
	args := []string{"list", "-e", "-json=ImportPath,Error"}
	for _, p := range paths {
		args = append(args, ImportPath(p))
	}
	out, err := goCmd(ctx, args...)
	if err != nil {
		return nil, nil, err
	}
	bad := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); err != nil {
			return nil, nil, fmt.Errorf("go list: %w", err)
		}
		// A package that is not in the tree is missing; one that does not
		// compile is not, and fails its build later.
		if p.Error != nil && notInTree(p.Error.Err) {
			bad[p.ImportPath] = true
		}
	}
	for _, p := range paths {
		if bad[ImportPath(p)] {
			missing = append(missing, p)
		} else {
			present = append(present, p)
		}
	}
	return present, missing, nil
}

func notInTree(msg string) bool {
	return strings.Contains(msg, "no required module provides package") ||
		strings.Contains(msg, "cannot find package") ||
		strings.Contains(msg, "no Go files in")
}

// Selected is Packages, or only the rows whose Path is listed in
// $LX_VMTEST_PACKAGES (comma-separated), for a developer who wants one
// package's guest run.
func Selected() []Package {
	want := os.Getenv("LX_VMTEST_PACKAGES")
	if want == "" {
		return Packages
	}
	var rows []Package
	for _, r := range Packages {
		if slices.Contains(strings.Split(want, ","), r.Path) {
			rows = append(rows, r)
		}
	}
	return rows
}
