package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/cpu"
	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/features"
	"github.com/lxgo/lx/hugepage"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

func init() { register(func() Command { return &overviewCommand{src: liveSources()} }) }

// overviewCommand is `lx overview`, also what plain `lx` runs.
type overviewCommand struct {
	src overviewSources
}

func (*overviewCommand) Name() string { return "overview" }
func (*overviewCommand) Synopsis() string {
	return "this machine at a glance: kernel, CPUs, memory, huge pages, cgroups, kernel features"
}
func (*overviewCommand) Usage() string { return "[flags]" }
func (*overviewCommand) Help() string {
	return `Shows the running kernel and boot ID, the host name, the uptime, the online,
present and possible CPUs and their model, total and available memory, the
huge page pools of every page size, the cgroup layout (v1, hybrid or v2)
with this process's cgroups, and a table of kernel features probed live
(each tried, not guessed from the version) with the first kernel that has it.

An item whose source cannot be read (a file missing in a container, a probe
not permitted to an unprivileged user) is shown as unavailable with the
reason; the rest of the overview is still printed and lx exits with 0.

With --json the same data is one JSON object. Sizes are integers in bytes
(keys ending in "_bytes"), durations integers in nanoseconds ("_ns"), huge
page counts are pages, CPU lists use the kernel's list format ("0-3,8").
An item that could not be read is null, and "unavailable" maps its key
(such as "hugepages.pools" or "kernel.boot_id") to the reason.`
}

func (c *overviewCommand) Run(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		return Usagef("overview takes no arguments, got %q", args[0])
	}
	r := gatherOverview(ctx, c.src)
	if err := ctx.Err(); err != nil {
		return err
	}
	if env.JSON {
		return writeJSON(env.Stdout, r)
	}
	return renderOverview(env.Stdout, r)
}

// overviewSources are the library calls the overview reads. Tests replace
// them to show what a failing source looks like.
type overviewSources struct {
	Release         func() (string, error)
	Version         func() (kernel.Version, error)
	BootID          func() (string, error)
	Hostname        func() (string, error)
	Uptime          func() (procfs.Uptime, error)
	CPUInfo         func() ([]procfs.CPUInfo, error)
	Meminfo         func() (procfs.Meminfo, error)
	Online          func() (cpuset.Set, error)
	Present         func() (cpuset.Set, error)
	Possible        func() (cpuset.Set, error)
	HugepagePools   func() ([]hugepage.Pool, error)
	HugepageDefault func() (uint64, error)
	CgroupMode      func() (cgroup.Mode, error)
	CgroupSelf      func() (cgroup.Membership, error)
	Features        func(ctx context.Context) []features.Status
}

// liveSources reads this machine.
func liveSources() overviewSources {
	proc := procfs.Default()
	return overviewSources{
		Release:         kernel.Release,
		Version:         kernel.Running,
		BootID:          proc.BootID,
		Hostname:        proc.Hostname,
		Uptime:          proc.Uptime,
		CPUInfo:         proc.CPUInfo,
		Meminfo:         proc.Meminfo,
		Online:          cpu.Online,
		Present:         cpu.Present,
		Possible:        cpu.Possible,
		HugepagePools:   hugepage.Pools,
		HugepageDefault: hugepage.DefaultSize,
		CgroupMode:      cgroup.DetectMode,
		CgroupSelf:      cgroup.Self,
		Features:        features.Probe,
	}
}

// overviewReport is the overview's data and its --json schema. A nil
// pointer is an item that could not be read (its reason is in Unavailable)
// or, for the cgroup paths, one that does not apply.
type overviewReport struct {
	Kernel    kernelReport    `json:"kernel"`
	Hostname  *string         `json:"hostname"`
	Uptime    *uptimeReport   `json:"uptime"`
	CPU       cpuReport       `json:"cpu"`
	Memory    *memoryReport   `json:"memory"`
	Hugepages hugepagesReport `json:"hugepages"`
	Cgroup    cgroupReport    `json:"cgroup"`
	Features  []featureReport `json:"features"`
	// Unavailable maps the dotted JSON key of each item that could not be
	// read ("kernel.boot_id", "hugepages.pools") to the reason.
	Unavailable map[string]string `json:"unavailable"`
}

type kernelReport struct {
	Release *string `json:"release"` // uname -r: "6.18.44-fc-v669"
	Version *string `json:"version"` // its numeric part: "6.18.44"
	BootID  *string `json:"boot_id"` // /proc/sys/kernel/random/boot_id
}

type uptimeReport struct {
	Total time.Duration `json:"total_ns"` // since boot, including suspend
	Idle  time.Duration `json:"idle_ns"`  // idle time summed over all CPUs
}

type cpuReport struct {
	Online   *cpuSetReport `json:"online"`
	Present  *cpuSetReport `json:"present"`
	Possible *cpuSetReport `json:"possible"`
	Model    *string       `json:"model"` // distinct model names, joined by "; "
}

type cpuSetReport struct {
	List  cpuset.Set `json:"list"` // kernel list format, "0-3,8"
	Count int        `json:"count"`
}

type memoryReport struct {
	Total     uint64 `json:"total_bytes"`
	Available uint64 `json:"available_bytes"`
}

type hugepagesReport struct {
	DefaultSize *uint64      `json:"default_size_bytes"`
	Pools       []poolReport `json:"pools"`
}

// poolReport is a hugepage.Pool; counts are pages.
type poolReport struct {
	Size       uint64 `json:"size_bytes"`
	Total      uint64 `json:"total"`
	Free       uint64 `json:"free"`
	Reserved   uint64 `json:"reserved"`
	Surplus    uint64 `json:"surplus"`
	Overcommit uint64 `json:"overcommit"`
}

type cgroupReport struct {
	Mode *cgroup.Mode `json:"mode"` // "v1", "hybrid" or "v2"
	// Unified is this process's cgroup in the v2 hierarchy; null when the
	// kernel shows none (a pure v1 host).
	Unified *string `json:"unified"`
	// Memory is this process's cgroup in the v1 memory hierarchy; null when
	// memory is not a v1 controller (a v2 host).
	Memory *string `json:"memory_v1"`
}

type featureReport struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	MinKernel   string `json:"min_kernel"`
	Available   bool   `json:"available"`
	// Conclusive is false when the probe could not tell (EPERM for an
	// unprivileged user, for example); Error says why.
	Conclusive bool    `json:"conclusive"`
	Detail     string  `json:"detail"`
	Error      *string `json:"error"`
}

// get calls fn and returns a pointer to its value, or nil after recording
// the error under key.
func get[T any](r *overviewReport, key string, fn func() (T, error)) *T {
	v, err := fn()
	if err != nil {
		r.Unavailable[key] = err.Error()
		return nil
	}
	return &v
}

// gatherOverview reads every source. A failing source makes its items
// unavailable, never the whole overview.
func gatherOverview(ctx context.Context, src overviewSources) overviewReport {
	r := overviewReport{Unavailable: map[string]string{}, Features: []featureReport{}}

	r.Kernel.Release = get(&r, "kernel.release", src.Release)
	if v := get(&r, "kernel.version", src.Version); v != nil {
		s := v.String()
		r.Kernel.Version = &s
	}
	r.Kernel.BootID = get(&r, "kernel.boot_id", src.BootID)
	r.Hostname = get(&r, "hostname", src.Hostname)
	if u := get(&r, "uptime", src.Uptime); u != nil {
		r.Uptime = &uptimeReport{Total: u.Total, Idle: u.Idle}
	}

	for _, s := range []struct {
		key  string
		dst  **cpuSetReport
		read func() (cpuset.Set, error)
	}{
		{"cpu.online", &r.CPU.Online, src.Online},
		{"cpu.present", &r.CPU.Present, src.Present},
		{"cpu.possible", &r.CPU.Possible, src.Possible},
	} {
		if set := get(&r, s.key, s.read); set != nil {
			*s.dst = &cpuSetReport{List: *set, Count: set.Count()}
		}
	}
	if infos := get(&r, "cpu.model", src.CPUInfo); infos != nil {
		if m := modelNames(*infos); m != "" {
			r.CPU.Model = &m
		} else {
			r.Unavailable["cpu.model"] = "/proc/cpuinfo names no CPU model on this architecture"
		}
	}

	if m := get(&r, "memory", src.Meminfo); m != nil {
		r.Memory = &memoryReport{Total: m.MemTotal, Available: m.Available()}
	}

	r.Hugepages.DefaultSize = get(&r, "hugepages.default_size_bytes", src.HugepageDefault)
	if pools := get(&r, "hugepages.pools", src.HugepagePools); pools != nil {
		r.Hugepages.Pools = make([]poolReport, 0, len(*pools))
		for _, p := range *pools {
			r.Hugepages.Pools = append(r.Hugepages.Pools, poolReport{
				Size: p.Size, Total: p.Total, Free: p.Free,
				Reserved: p.Reserved, Surplus: p.Surplus, Overcommit: p.Overcommit,
			})
		}
	}

	r.Cgroup.Mode = get(&r, "cgroup.mode", src.CgroupMode)
	if m, err := src.CgroupSelf(); err != nil {
		r.Unavailable["cgroup.unified"] = err.Error()
		r.Unavailable["cgroup.memory_v1"] = err.Error()
	} else {
		if p, ok := m.Unified(); ok {
			r.Cgroup.Unified = &p
		}
		if p, ok := m.Controller("memory"); ok {
			r.Cgroup.Memory = &p
		}
	}

	for _, s := range src.Features(ctx) {
		f := featureReport{
			Name:        s.Feature.Name,
			Description: s.Feature.Description,
			MinKernel:   s.Feature.MinKernel.String(),
			Available:   s.Available,
			Conclusive:  s.Available || s.Err == nil || errors.Is(s.Err, errors.ErrUnsupported),
			Detail:      s.Detail,
		}
		if s.Err != nil {
			msg := s.Err.Error()
			f.Error = &msg
		}
		r.Features = append(r.Features, f)
	}
	return r
}

// modelNames returns the distinct model names of the CPUs, in order.
func modelNames(infos []procfs.CPUInfo) string {
	var names []string
	for _, c := range infos {
		if c.ModelName != "" && !slices.Contains(names, c.ModelName) {
			names = append(names, c.ModelName)
		}
	}
	return strings.Join(names, "; ")
}

// renderOverview writes r as tables: the machine's facts, the huge page
// pools and the features.
func renderOverview(w io.Writer, r overviewReport) error {
	// value returns s, or why key is unavailable, or "-" when the item
	// does not apply.
	value := func(key string, ok bool, s string) string {
		if ok {
			return s
		}
		if reason, ok := r.Unavailable[key]; ok {
			return "unavailable: " + reason
		}
		return "-"
	}
	str := func(key string, p *string) string {
		if p == nil {
			return value(key, false, "")
		}
		return *p
	}

	t := newTable(w)
	kernelLine := str("kernel.release", r.Kernel.Release)
	if r.Kernel.Release == nil && r.Kernel.Version != nil {
		kernelLine = *r.Kernel.Version
	}
	t.Row("kernel", kernelLine)
	t.Row("boot id", str("kernel.boot_id", r.Kernel.BootID))
	t.Row("hostname", str("hostname", r.Hostname))
	if r.Uptime != nil {
		t.Row("uptime", formatDuration(r.Uptime.Total.Truncate(time.Second)))
	} else {
		t.Row("uptime", value("uptime", false, ""))
	}

	var cpus []string
	for _, s := range []struct {
		name string
		set  *cpuSetReport
	}{{"online", r.CPU.Online}, {"present", r.CPU.Present}, {"possible", r.CPU.Possible}} {
		if s.set != nil {
			cpus = append(cpus, formatCount(s.set.Count)+" "+s.name+" ("+s.set.List.String()+")")
		} else {
			cpus = append(cpus, s.name+" "+value("cpu."+s.name, false, ""))
		}
	}
	t.Row("cpus", strings.Join(cpus, ", "))
	t.Row("cpu model", str("cpu.model", r.CPU.Model))
	if m := r.Memory; m != nil {
		t.Row("memory", formatBytes(m.Total)+" total, "+formatBytes(m.Available)+" available")
	} else {
		t.Row("memory", value("memory", false, ""))
	}

	if r.Cgroup.Mode != nil {
		t.Row("cgroup mode", r.Cgroup.Mode.String())
	} else {
		t.Row("cgroup mode", value("cgroup.mode", false, ""))
	}
	if _, bad := r.Unavailable["cgroup.unified"]; bad || r.Cgroup.Unified != nil {
		t.Row("cgroup (v2)", str("cgroup.unified", r.Cgroup.Unified))
	}
	if _, bad := r.Unavailable["cgroup.memory_v1"]; bad || r.Cgroup.Memory != nil {
		t.Row("cgroup (v1 memory)", str("cgroup.memory_v1", r.Cgroup.Memory))
	}
	switch {
	case r.Hugepages.Pools == nil:
		t.Row("huge pages", value("hugepages.pools", false, ""))
	case len(r.Hugepages.Pools) == 0:
		t.Row("huge pages", "no pools")
	case r.Hugepages.DefaultSize == nil:
		t.Row("huge pages", "default size "+value("hugepages.default_size_bytes", false, ""))
	}
	if err := t.Flush(); err != nil {
		return err
	}

	if len(r.Hugepages.Pools) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("HUGE PAGE SIZE", "TOTAL", "FREE", "RESERVED", "SURPLUS", "OVERCOMMIT")
		for _, p := range r.Hugepages.Pools {
			size := formatBytes(p.Size)
			if r.Hugepages.DefaultSize != nil && *r.Hugepages.DefaultSize == p.Size {
				size += " (default)"
			}
			t.Row(size, formatCount(p.Total), formatCount(p.Free), formatCount(p.Reserved),
				formatCount(p.Surplus), formatCount(p.Overcommit))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}

	if len(r.Features) > 0 {
		fmt.Fprintln(w)
		t = newTable(w)
		t.Row("FEATURE", "AVAILABLE", "MIN KERNEL", "DETAIL")
		for _, f := range r.Features {
			avail, detail := "no", f.Detail
			switch {
			case f.Available:
				avail = "yes"
			case !f.Conclusive:
				avail = "unknown"
				if f.Error != nil {
					detail = joinNonEmpty("; ", detail, *f.Error)
				}
			}
			t.Row(f.Name, avail, f.MinKernel, detail)
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// joinNonEmpty joins the non-empty strings of parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	parts = slices.DeleteFunc(parts, func(s string) bool { return s == "" })
	return strings.Join(parts, sep)
}
