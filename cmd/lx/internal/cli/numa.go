package cli

import (
	"context"
	"strconv"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/numa"
)

func init() {
	register(func() Command { return &numaCommand{fs: numa.Default()} })
}

// numaCommand is `lx numa`.
type numaCommand struct {
	fs numa.FS
}

func (*numaCommand) Name() string { return "numa" }
func (*numaCommand) Synopsis() string {
	return "NUMA nodes: their CPUs, memory and distances, as numactl --hardware shows them"
}
func (*numaCommand) Usage() string { return "[flags]" }
func (*numaCommand) Help() string {
	return `Shows the machine's NUMA nodes (numa(7)), read from
/sys/devices/system/node: which node numbers are possible and online,
which have memory and which CPUs, then one row per online node with its
CPUs and its memory size and free memory (the MemTotal and MemFree lines
of nodeN/meminfo), and the matrix of distances between online nodes
(nodeN/distance: 10 is local, larger is slower), the data numactl
--hardware prints. A node of memory only (a CXL expander, say) has no
CPUs. No privilege is needed.

With --json the output is {"possible", "online", "has_memory",
"has_cpu", "nodes"}: the node sets as lists ("0-1"), and "nodes" the lx
library's values numa.Node (go doc github.com/lxgo/lx/numa.Node) under
their Go field names: ID, CPUs, Meminfo (every line of the node's
meminfo, in bytes) and Distances ([{"Node", "Distance"}]).`
}

// numaReport is the output of `lx numa --json`.
type numaReport struct {
	Possible  cpuset.Set  `json:"possible"`
	Online    cpuset.Set  `json:"online"`
	HasMemory cpuset.Set  `json:"has_memory"`
	HasCPU    cpuset.Set  `json:"has_cpu"`
	Nodes     []numa.Node `json:"nodes"`
}

func (c *numaCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return Usagef("lx numa takes no arguments, got %q", args[0])
	}
	var r numaReport
	var err error
	for _, s := range []struct {
		set  *cpuset.Set
		read func() (cpuset.Set, error)
	}{
		{&r.Possible, c.fs.Possible},
		{&r.Online, c.fs.Online},
		{&r.HasMemory, c.fs.HasMemory},
		{&r.HasCPU, c.fs.HasCPU},
	} {
		if *s.set, err = s.read(); err != nil {
			return err
		}
	}
	if r.Nodes, err = c.fs.Nodes(); err != nil {
		return err
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	t := newTable(env.Stdout)
	t.Row("possible", r.Possible.String())
	t.Row("online", r.Online.String())
	t.Row("with memory", numaSetText(r.HasMemory))
	t.Row("with CPUs", numaSetText(r.HasCPU))
	if err := t.Flush(); err != nil {
		return err
	}
	if _, err := env.Stdout.Write([]byte("\n")); err != nil {
		return err
	}
	t = newTable(env.Stdout)
	t.Row("NODE", "CPUS", "SIZE", "FREE")
	for _, n := range r.Nodes {
		t.Row(strconv.Itoa(n.ID), numaSetText(n.CPUs), formatBytes(n.Meminfo.MemTotal), formatBytes(n.Meminfo.MemFree))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if _, err := env.Stdout.Write([]byte("\ndistances:\n")); err != nil {
		return err
	}
	t = newTable(env.Stdout)
	head := []string{"NODE"}
	for _, n := range r.Nodes {
		head = append(head, strconv.Itoa(n.ID))
	}
	t.Row(head...)
	for _, n := range r.Nodes {
		row := []string{strconv.Itoa(n.ID)}
		for _, d := range n.Distances {
			row = append(row, strconv.Itoa(d.Distance))
		}
		t.Row(row...)
	}
	return t.Flush()
}

// numaSetText is a node or CPU set for a table: "-" when empty.
func numaSetText(s cpuset.Set) string {
	if s.IsEmpty() {
		return "-"
	}
	return s.String()
}
