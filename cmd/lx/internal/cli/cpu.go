package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"

	"github.com/lxgo/lx/cpu"
	"github.com/lxgo/lx/cpuset"
)

func init() {
	register(func() Command { return &cpuCommand{fs: cpu.Default()} })
	register(func() Command { return &cpuCurrentCommand{} })
}

// cpuCommand is `lx cpu`.
type cpuCommand struct {
	fs cpu.FS
}

func (*cpuCommand) Name() string { return "cpu" }
func (*cpuCommand) Synopsis() string {
	return "CPU topology: per CPU its core, socket, NUMA node and caches; model, SMT, isolated CPUs"
}
func (*cpuCommand) Usage() string { return "[flags]" }
func (*cpuCommand) Help() string {
	return `Shows the machine's CPUs as sysfs describes them (/sys/devices/system/cpu,
/sys/devices/system/node) and the model from /proc/cpuinfo. No privilege
is needed.

A summary comes first: the model, the sockets, cores per socket and
threads per core of the online CPUs (as lscpu counts them), each cache
level with its size and how many there are, the SMT control state
(smt/control and whether sibling threads are active), and the CPUs
isolated from the scheduler (isolcpus=) and running without the tick
(nohz_full=). Then one row per present CPU: its number, core id and
socket (package) id as the kernel numbers them (lscpu -p prints its own
logical numbers instead), NUMA node, whether it is online, its thread
siblings, and the ids of its L1d, L1i, L2 and L3 caches. An offline CPU
has no topology in sysfs: "-" in those columns. "lx cpu current" prints
the CPU lx runs on.

With --json the output is {"model", "topology", "sockets",
"cores_per_socket", "threads_per_core", "smt", "isolated", "nohz_full",
"unavailable"}: "model" is cpu.Model, "topology" cpu.Topology (go doc
github.com/lxgo/lx/cpu.Topology) under its Go field names, CPU sets as
their list text ("0-3,8"), ids the kernel does not report as -1; "smt" is
cpu.SMT; a part that could not be read is null and named, with the
reason, in "unavailable".`
}

// cpuTopologyReport is the output of `lx cpu --json`.
type cpuTopologyReport struct {
	Model          *cpu.Model        `json:"model"`
	Topology       cpu.Topology      `json:"topology"`
	Sockets        int               `json:"sockets"`
	CoresPerSocket int               `json:"cores_per_socket"`
	ThreadsPerCore int               `json:"threads_per_core"`
	SMT            *cpu.SMT          `json:"smt"`
	Isolated       *cpuset.Set       `json:"isolated"`
	NohzFull       *cpuset.Set       `json:"nohz_full"`
	Unavailable    map[string]string `json:"unavailable,omitempty"`
}

func (c *cpuCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 0 {
		return Usagef("lx cpu takes no arguments, got %q", args[0])
	}
	top, err := c.fs.Topology()
	if err != nil {
		return err
	}
	r := cpuTopologyReport{Topology: top, Sockets: top.Sockets(), ThreadsPerCore: top.ThreadsPerCore()}
	if r.Sockets > 0 {
		r.CoresPerSocket = top.Cores() / r.Sockets
	}
	unavailable := func(key string, err error) {
		if r.Unavailable == nil {
			r.Unavailable = map[string]string{}
		}
		r.Unavailable[key] = err.Error()
	}
	if m, err := c.fs.Model(); err == nil {
		r.Model = &m
	} else {
		unavailable("model", err)
	}
	if s, err := c.fs.SMTState(); err == nil {
		r.SMT = &s
	} else {
		unavailable("smt", err)
	}
	if s, err := c.fs.Isolated(); err == nil {
		r.Isolated = &s
	} else {
		unavailable("isolated", err)
	}
	// A kernel without CONFIG_NO_HZ_FULL has no nohz_full file: no CPU
	// is nohz_full there.
	if s, err := c.fs.NohzFull(); err == nil || errors.Is(err, fs.ErrNotExist) {
		r.NohzFull = &s
	} else {
		unavailable("nohz_full", err)
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	return cpuWriteTable(env, r)
}

// cpuWriteTable prints the summary and the per-CPU rows.
func cpuWriteTable(env *Env, r cpuTopologyReport) error {
	top := r.Topology
	t := newTable(env.Stdout)
	str := func(key string, v string) string {
		if why, ok := r.Unavailable[key]; ok {
			return "unavailable: " + why
		}
		return v
	}
	model := ""
	if r.Model != nil {
		model = escape(r.Model.Name)
	}
	t.Row("model", str("model", model))
	online := 0
	for _, c := range top.CPUs {
		if c.Online {
			online++
		}
	}
	t.Row("cpus", fmt.Sprintf("%d present, %d online", len(top.CPUs), online))
	t.Row("sockets", formatCount(r.Sockets))
	t.Row("cores per socket", formatCount(r.CoresPerSocket))
	t.Row("threads per core", formatCount(r.ThreadsPerCore))
	// Each cache level once: its size and how many there are.
	type level struct {
		name  string
		size  uint64
		count int
	}
	var levels []level
	for _, c := range top.Caches {
		found := false
		for i := range levels {
			if levels[i].name == c.Name() && levels[i].size == c.Size {
				levels[i].count++
				found = true
			}
		}
		if !found {
			levels = append(levels, level{c.Name(), c.Size, 1})
		}
	}
	for _, l := range levels {
		t.Row(l.name, fmt.Sprintf("%s x %d", formatBytes(l.size), l.count))
	}
	smt := ""
	if r.SMT != nil {
		smt = r.SMT.Control.String()
		if r.SMT.Threads > 0 {
			smt += " (" + strconv.Itoa(r.SMT.Threads) + " threads)"
		}
		if r.SMT.Active {
			smt += ", active"
		} else {
			smt += ", inactive"
		}
	}
	t.Row("smt", str("smt", smt))
	set := func(s *cpuset.Set) string {
		if s == nil || s.IsEmpty() {
			return "none"
		}
		return s.String()
	}
	t.Row("isolated", str("isolated", set(r.Isolated)))
	t.Row("nohz_full", str("nohz_full", set(r.NohzFull)))
	if r.Model != nil && len(r.Model.Flags) > 0 {
		words := make([]string, len(r.Model.Flags))
		for i, f := range r.Model.Flags {
			words[i] = escape(f)
		}
		t.WrapRow(words, "flags")
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(env.Stdout); err != nil {
		return err
	}
	rows := newTable(env.Stdout)
	rows.Row("CPU", "CORE", "SOCKET", "NODE", "ONLINE", "THREADS", "L1d", "L1i", "L2", "L3")
	id := func(v int) string {
		if v < 0 {
			return "-"
		}
		return strconv.Itoa(v)
	}
	for _, c := range top.CPUs {
		cache := func(level int, typ cpu.CacheType) string {
			if k, ok := top.Cache(c.CPU, level, typ); ok {
				return id(k.ID)
			}
			return "-"
		}
		on := "no"
		if c.Online {
			on = "yes"
		}
		threads := c.ThreadSiblings.String()
		if threads == "" {
			threads = "-"
		}
		rows.Row(strconv.Itoa(c.CPU), id(c.Core), id(c.Package), id(c.Node), on, threads,
			cache(1, cpu.CacheData), cache(1, cpu.CacheInstruction), cache(2, cpu.CacheUnified), cache(3, cpu.CacheUnified))
	}
	return rows.Flush()
}

// cpuCurrentCommand is `lx cpu current`.
type cpuCurrentCommand struct{}

func (*cpuCurrentCommand) Name() string { return "cpu current" }
func (*cpuCurrentCommand) Synopsis() string {
	return "the CPU and NUMA node lx runs on, and how it found out"
}
func (*cpuCurrentCommand) Usage() string { return "[flags]" }
func (*cpuCurrentCommand) Help() string {
	return `Prints the CPU the command is running on and that CPU's NUMA node, and the
method that told: "rdpid" or "rdtscp" (x86 instructions that read the
IA32_TSC_AUX register, where Linux keeps node<<12 | cpu; lx checks them
against the system call first) or "getcpu" (the getcpu(2) system call).
The scheduler may move lx to another CPU right after: the answer is
exact only under an affinity of one CPU (taskset -c N lx cpu current).

With --json the output is {"cpu", "node", "method"}.`
}

// cpuCurrentReport is the output of `lx cpu current --json`.
type cpuCurrentReport struct {
	CPU    int        `json:"cpu"`
	Node   int        `json:"node"`
	Method cpu.Method `json:"method"`
}

func (*cpuCurrentCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 0 {
		return Usagef("lx cpu current takes no arguments, got %q", args[0])
	}
	// One thread for the call and the method's first-use check.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	m := cpu.CurrentMethod()
	c, node, err := cpu.Current()
	if err != nil {
		return err
	}
	r := cpuCurrentReport{CPU: c, Node: node, Method: m}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	_, err = fmt.Fprintf(env.Stdout, "cpu %d node %d (%s)\n", r.CPU, r.Node, r.Method)
	return err
}
