package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/hugepage"
	"github.com/lxgo/lx/procfs"
)

func init() {
	register(func() Command { return &memCommand{pages: hugepage.Default(), procs: procfs.Default()} })
	register(func() Command { return &memHugepagesCommand{pages: hugepage.Default(), node: -1} })
}

// memCommand is `lx mem`.
type memCommand struct {
	pages hugepage.FS
	procs procfs.FS
}

func (*memCommand) Name() string { return "mem" }
func (*memCommand) Synopsis() string {
	return "memory: a meminfo summary, huge page pools per size and NUMA node, transparent huge pages"
}
func (*memCommand) Usage() string { return "[flags]" }
func (*memCommand) Help() string {
	return `Shows the system's memory: a summary of /proc/meminfo (total, free,
available, page cache, swap, anonymous and transparent huge pages, locked
memory), the persistent huge page pools of every size the kernel supports
(/sys/kernel/mm/hugepages), globally ("all") and per NUMA node
(/sys/devices/system/node/nodeN/hugepages), and the transparent huge page
modes (/sys/kernel/mm/transparent_hugepage), the current one of each knob
and the per-size (mTHP) ones that are not "never" or absent.

Pool columns: TOTAL pages allocated (persistent and surplus), FREE not yet
used by a mapping, RESV promised to mappings that have not touched them,
SURPLUS allocated above the persistent pool, OVERCOMMIT the most surplus
pages allowed. The kernel keeps no per-node RESV or OVERCOMMIT: "-".

'lx mem hugepages SIZE COUNT' resizes a pool.

With --json the output is {"meminfo", "default_huge_page_size_bytes",
"pools", "node_pools", "thp"}: procfs.Meminfo, hugepage.Pool,
hugepage.NodePool and hugepage.THP under their Go field names, sizes in
bytes; "thp" is null on a kernel without transparent huge pages, and
without hugetlb "pools" and "node_pools" are null and
"default_huge_page_size_bytes" is 0.`
}

// memReport is the output of `lx mem --json`.
type memReport struct {
	Meminfo     procfs.Meminfo      `json:"meminfo"`
	DefaultSize uint64              `json:"default_huge_page_size_bytes"`
	Pools       []hugepage.Pool     `json:"pools"`
	NodePools   []hugepage.NodePool `json:"node_pools"`
	THP         *hugepage.THP       `json:"thp"`
}

func (c *memCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return Usagef("mem takes no arguments, got %q", args[0])
	}
	var r memReport
	var err error
	if r.Meminfo, err = c.procs.Meminfo(); err != nil {
		return err
	}
	noHugetlb := false
	switch r.Pools, err = c.pages.Pools(); {
	case errors.Is(err, errors.ErrUnsupported):
		noHugetlb = true
	case err != nil:
		return err
	default:
		if r.DefaultSize, err = c.pages.DefaultSize(); err != nil {
			return err
		}
		if r.NodePools, err = c.pages.NodePools(); err != nil {
			return err
		}
	}
	switch thp, err := c.pages.ReadTHP(); {
	case errors.Is(err, errors.ErrUnsupported):
	case err != nil:
		return err
	default:
		r.THP = &thp
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	m := &r.Meminfo
	t := newTable(env.Stdout)
	t.Row("total", formatBytes(m.MemTotal))
	t.Row("free", formatBytes(m.MemFree))
	t.Row("available", formatBytes(m.Available()))
	t.Row("buffers+cached", formatBytes(m.Buffers+m.Cached))
	t.Row("swap", formatBytes(m.SwapTotal-min(m.SwapFree, m.SwapTotal))+" used of "+formatBytes(m.SwapTotal))
	t.Row("anonymous", formatBytes(m.AnonPages))
	t.Row("anon THP", formatBytes(m.AnonHugePages))
	t.Row("locked", formatBytes(m.Mlocked))
	if noHugetlb {
		t.Row("huge pages", "none (kernel without hugetlb)")
	} else {
		t.Row("hugetlb", formatBytes(m.Hugetlb)+", default page "+hugepage.FormatSize(r.DefaultSize))
	}
	if r.THP != nil {
		t.Row("THP", "enabled "+r.THP.Enabled.Mode.String()+", defrag "+r.THP.Defrag.Mode.String()+
			memTHPShmem(r.THP.ShmemEnabled))
		for _, s := range r.THP.Sizes {
			if s.Enabled.Mode == 0 || s.Enabled.Mode == hugepage.THPNever {
				continue
			}
			t.Row("THP "+hugepage.FormatSize(s.Size), s.Enabled.Mode.String())
		}
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if noHugetlb {
		return nil
	}
	fmt.Fprintln(env.Stdout)
	t = newTable(env.Stdout)
	t.Row("SIZE", "NODE", "TOTAL", "FREE", "RESV", "SURPLUS", "OVERCOMMIT")
	for _, p := range r.Pools {
		t.Row(hugepage.FormatSize(p.Size), "all", formatCount(p.Total), formatCount(p.Free),
			formatCount(p.Reserved), formatCount(p.Surplus), formatCount(p.Overcommit))
		for _, n := range r.NodePools {
			if n.Size == p.Size {
				t.Row("", formatCount(n.Node), formatCount(n.Total), formatCount(n.Free), "-", formatCount(n.Surplus), "-")
			}
		}
	}
	return t.Flush()
}

func memTHPShmem(k hugepage.THPKnob) string {
	if k.Mode == 0 {
		return ""
	}
	return ", shmem " + k.Mode.String()
}

// memHugepagesCommand is `lx mem hugepages SIZE COUNT [--node N]`.
type memHugepagesCommand struct {
	pages hugepage.FS
	node  int // --node; -1 for the global pool
}

func (c *memHugepagesCommand) SetFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.node, "node", -1, "resize the part of the pool on NUMA node `N` only")
}

func (*memHugepagesCommand) Name() string { return "mem hugepages" }
func (*memHugepagesCommand) Synopsis() string {
	return "resize a huge page pool and print what the kernel granted"
}
func (*memHugepagesCommand) Usage() string { return "[flags] <size> <count>" }
func (*memHugepagesCommand) Help() string {
	return `Sets the persistent huge page pool of page size SIZE to COUNT pages: the
nr_hugepages file of /sys/kernel/mm/hugepages/hugepages-<size>kB, or with
--node N that of /sys/devices/system/node/nodeN/hugepages (root only;
system-wide until changed again or reboot). SIZE is one the kernel
supports, written "2M", "2MiB", "1G", "2048kB"; 'lx mem' lists them.

The kernel may grant fewer pages than asked (growing a pool needs free,
unfragmented memory): lx prints what the pool holds afterwards and, when
it is not COUNT, also an error, and exits with 1. A request for more
memory than the machine has is refused before anything is written.

With --json the output is hugepage.Grant: {"Size", "Node" (-1 for the
global pool), "Asked", "Got"}.`
}

func (c *memHugepagesCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 2 {
		return Usagef("want a page size and a count, got %d arguments", len(args))
	}
	size, err := hugepage.ParseSize(args[0])
	if err != nil {
		return Usagef("%v", err)
	}
	count, err := strconv.ParseUint(args[1], 10, 64)
	if err != nil {
		return Usagef("invalid page count %q: want a number from 0 to %d", args[1], uint64(1<<64-1))
	}
	var g hugepage.Grant
	if c.node == -1 {
		g, err = c.pages.SetPages(size, count)
	} else {
		g, err = c.pages.SetNodePages(c.node, size, count)
	}
	var partial *hugepage.PartialError
	if err != nil && !errors.As(err, &partial) {
		return err
	}
	if env.JSON {
		if werr := writeJSON(env.Stdout, g); werr != nil {
			return werr
		}
		return err
	}
	where := "the pool"
	if g.Node >= 0 {
		where = "node " + strconv.Itoa(g.Node) + "'s pool"
	}
	fmt.Fprintf(env.Stdout, "%s pages: %s holds %d persistent pages (asked %d)\n",
		hugepage.FormatSize(g.Size), where, g.Got, g.Asked)
	return err
}
