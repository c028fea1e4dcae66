package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/features"
	"github.com/lxgo/lx/hugepage"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// overviewKeys are the dotted keys every `lx --json` object has. A key
// below a null object is checked as that object.
var overviewKeys = []string{
	"kernel.release", "kernel.version", "kernel.boot_id",
	"hostname",
	"uptime.total_ns", "uptime.idle_ns",
	"cpu.online.list", "cpu.online.count", "cpu.present.list", "cpu.present.count",
	"cpu.possible.list", "cpu.possible.count", "cpu.model",
	"memory.total_bytes", "memory.available_bytes",
	"hugepages.default_size_bytes", "hugepages.pools",
	"cgroup.mode", "cgroup.unified", "cgroup.memory_v1",
	"features", "unavailable",
}

// notApplicable are keys that may be null without a reason: they do not
// apply to every host.
var notApplicable = map[string]bool{"cgroup.unified": true, "cgroup.memory_v1": true}

// checkKeys checks that the JSON object m has every overview key, and that
// each null item has a reason in "unavailable" and each reason a null item.
// It returns the reasons.
func checkKeys(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	unavailable, ok := m["unavailable"].(map[string]any)
	if !ok {
		t.Fatalf("unavailable is %T, want an object", m["unavailable"])
	}
	explained := map[string]bool{}
	for _, key := range overviewKeys {
		var v any = m
		prefix := ""
		for _, part := range strings.Split(key, ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s: %q is %T, not an object", key, prefix, v)
			}
			prefix = strings.TrimPrefix(prefix+"."+part, ".")
			if v, ok = obj[part]; !ok {
				t.Errorf("JSON lacks key %q", prefix)
				break
			}
			if v == nil {
				if _, ok := unavailable[prefix]; !ok && !notApplicable[prefix] {
					t.Errorf("%q is null without a reason in unavailable", prefix)
				}
				explained[prefix] = true
				break
			}
		}
	}
	for key := range unavailable {
		if !explained[key] {
			t.Errorf("unavailable names %q, which is not null", key)
		}
	}
	return unavailable
}

// TestOverviewJSONLive runs `lx --json` and `lx overview --json` and checks
// every value against what the test reads from the kernel itself.
func TestOverviewJSONLive(t *testing.T) {
	var before syscall.Sysinfo_t
	if err := syscall.Sysinfo(&before); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runLX(t, "--json")
	var after syscall.Sysinfo_t
	if err := syscall.Sysinfo(&after); err != nil {
		t.Fatal(err)
	}
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx --json: exit %d, stderr %q", code, stderr)
	}
	var m map[string]any
	if err := decodeOne(stdout, &m); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, stdout)
	}
	unavailable := checkKeys(t, m)
	if len(unavailable) > 0 {
		t.Logf("unavailable here: %v", unavailable)
	}
	// The typed form parses back too, with no unknown keys.
	var r overviewReport
	if err := decodeOne(stdout, &r); err != nil {
		t.Fatalf("output does not parse back into the report: %v", err)
	}
	o2, _, code := runLX(t, "overview", "--json")
	var m2 map[string]any
	if err := decodeOne(o2, &m2); code != ExitOK || err != nil {
		t.Fatalf("lx overview --json: exit %d, %v", code, err)
	}
	checkKeys(t, m2)

	// kernel
	release := strings.TrimSpace(readFile(t, "/proc/sys/kernel/osrelease"))
	if r.Kernel.Release == nil || *r.Kernel.Release != release {
		t.Errorf("kernel.release = %v, want %q", r.Kernel.Release, release)
	}
	if r.Kernel.Version == nil || !strings.HasPrefix(release, *r.Kernel.Version) {
		t.Errorf("kernel.version = %v, not a prefix of %q", r.Kernel.Version, release)
	}
	if id := strings.TrimSpace(readFile(t, "/proc/sys/kernel/random/boot_id")); r.Kernel.BootID == nil || *r.Kernel.BootID != id {
		t.Errorf("kernel.boot_id = %v, want %q", r.Kernel.BootID, id)
	}
	// hostname
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if r.Hostname == nil || *r.Hostname != host {
		t.Errorf("hostname = %v, os.Hostname() = %q", r.Hostname, host)
	}
	// uptime: sysinfo rounds up to whole seconds.
	if u := r.Uptime; u == nil {
		t.Error("uptime is null")
	} else if lo, hi := time.Duration(before.Uptime-1)*time.Second, time.Duration(after.Uptime)*time.Second; u.Total < lo || u.Total > hi {
		t.Errorf("uptime.total_ns = %v, sysinfo says %v..%v", u.Total, lo, hi)
	}
	// CPUs: Go's count is the affinity mask, a subset of the online CPUs.
	if c := r.CPU.Online; c == nil {
		t.Error("cpu.online is null")
	} else {
		if c.Count < runtime.NumCPU() || c.Count != c.List.Count() {
			t.Errorf("cpu.online = %+v, runtime.NumCPU() = %d", c, runtime.NumCPU())
		}
		if p := r.CPU.Possible; p == nil || !c.List.Difference(p.List).IsEmpty() {
			t.Errorf("cpu.online %v not within cpu.possible %+v", c.List, p)
		}
		if n := strings.Count(readFile(t, "/proc/cpuinfo"), "\nprocessor\t"); runtime.GOARCH == "amd64" && n+1 != c.Count {
			t.Errorf("cpu.online.count = %d, /proc/cpuinfo lists %d processors", c.Count, n+1)
		}
	}
	if runtime.GOARCH == "amd64" && r.CPU.Model == nil {
		t.Error("cpu.model is null on amd64")
	}
	// memory: sysinfo's totalram is MemTotal.
	if mem := r.Memory; mem == nil {
		t.Error("memory is null")
	} else {
		total := uint64(after.Totalram) * uint64(after.Unit)
		if diff := int64(mem.Total) - int64(total); diff < -int64(total/100) || diff > int64(total/100) {
			t.Errorf("memory.total_bytes = %d, sysinfo says %d", mem.Total, total)
		}
		if mem.Available == 0 || mem.Available > mem.Total {
			t.Errorf("memory.available_bytes = %d of %d", mem.Available, mem.Total)
		}
	}
	// huge pages: one pool per directory.
	dirs, err := os.ReadDir("/sys/kernel/mm/hugepages")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if r.Hugepages.Pools != nil || unavailable["hugepages.pools"] == nil {
			t.Errorf("no hugetlb, but hugepages.pools = %+v", r.Hugepages.Pools)
		}
	case err != nil:
		t.Fatal(err)
	default:
		if len(r.Hugepages.Pools) != len(dirs) {
			t.Errorf("%d hugepage pools, %d directories", len(r.Hugepages.Pools), len(dirs))
		}
		for _, p := range r.Hugepages.Pools {
			if _, err := os.Stat(fmt.Sprintf("/sys/kernel/mm/hugepages/hugepages-%dkB", p.Size>>10)); err != nil {
				t.Errorf("pool of %d bytes: %v", p.Size, err)
			}
		}
		if d := r.Hugepages.DefaultSize; d == nil || !strings.Contains(readFile(t, "/proc/meminfo"), fmt.Sprintf("Hugepagesize:    %7d kB", *d>>10)) {
			t.Errorf("hugepages.default_size_bytes = %v, not in /proc/meminfo", d)
		}
	}
	// cgroups, from the mount table and /proc/self/cgroup.
	if mode := wantMode(t); r.Cgroup.Mode == nil || *r.Cgroup.Mode != mode {
		t.Errorf("cgroup.mode = %v, mountinfo says %v", r.Cgroup.Mode, mode)
	}
	unified, memory := selfCgroups(t)
	if !equalPtr(r.Cgroup.Unified, unified) || !equalPtr(r.Cgroup.Memory, memory) {
		t.Errorf("cgroup.unified, memory_v1 = %v, %v; /proc/self/cgroup says %v, %v",
			deref(r.Cgroup.Unified), deref(r.Cgroup.Memory), deref(unified), deref(memory))
	}
	// features
	if len(r.Features) == 0 {
		t.Error("no features")
	}
	seen := map[string]bool{}
	for i, f := range m["features"].([]any) {
		obj := f.(map[string]any)
		for _, k := range []string{"name", "description", "min_kernel", "available", "conclusive", "detail", "error"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("feature %d lacks %q", i, k)
			}
		}
		name := r.Features[i].Name
		if name == "" || seen[name] {
			t.Errorf("feature %d: empty or duplicate name %q", i, name)
		}
		seen[name] = true
		if _, err := kernel.ParseVersion(r.Features[i].MinKernel); err != nil {
			t.Errorf("feature %s: min_kernel %q: %v", name, r.Features[i].MinKernel, err)
		}
	}
}

// TestOverviewTextLive runs plain `lx` and checks the rows against the
// kernel.
func TestOverviewTextLive(t *testing.T) {
	stdout, stderr, code := runLX(t)
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx: exit %d, stderr %q", code, stderr)
	}
	rows := map[string]string{}
	for line := range strings.Lines(stdout) {
		if line == "\n" {
			break // the key/value section ends at the first blank line
		}
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "  ")
		if !ok {
			t.Fatalf("row without two spaces: %q", line)
		}
		rows[k] = strings.TrimSpace(v)
	}
	host, _ := os.Hostname()
	for k, want := range map[string]string{
		"kernel":      strings.TrimSpace(readFile(t, "/proc/sys/kernel/osrelease")),
		"hostname":    host,
		"boot id":     strings.TrimSpace(readFile(t, "/proc/sys/kernel/random/boot_id")),
		"cgroup mode": wantMode(t).String(),
	} {
		if rows[k] != want {
			t.Errorf("row %q = %q, want %q\n%s", k, rows[k], want, stdout)
		}
	}
	for _, k := range []string{"uptime", "cpus", "cpu model", "memory"} {
		if rows[k] == "" || strings.HasPrefix(rows[k], "unavailable") {
			t.Errorf("row %q = %q", k, rows[k])
		}
	}
	if !strings.Contains(stdout, "\nFEATURE ") {
		t.Errorf("no feature table:\n%s", stdout)
	}
	if _, err := os.Stat("/sys/kernel/mm/hugepages"); err == nil && !strings.Contains(stdout, "\nHUGE PAGE SIZE ") {
		t.Errorf("no huge page table:\n%s", stdout)
	}
	for line := range strings.Lines(stdout) {
		if strings.HasSuffix(line, " \n") {
			t.Errorf("trailing blank in %q", line)
		}
	}
}

// fixedReport is an overview with fixed values, some items unavailable.
func fixedReport() overviewReport {
	s := func(v string) *string { return &v }
	mode := cgroup.Hybrid
	def := uint64(2 << 20)
	return overviewReport{
		Kernel:   kernelReport{Release: s("6.18.44-fc-v669"), Version: s("6.18.44")},
		Hostname: s("build-7"),
		Uptime:   &uptimeReport{Total: 26*time.Hour + 3*time.Minute + 4*time.Second + 500*time.Millisecond, Idle: 50 * time.Hour},
		CPU: cpuReport{
			Online:   &cpuSetReport{List: cpuset.Of(0, 1, 2, 3, 8), Count: 5},
			Possible: &cpuSetReport{List: cpuset.Range(0, 15), Count: 16},
			Model:    s("AMD EPYC 9R14 96-Core Processor"),
		},
		Memory: &memoryReport{Total: 25276514304, Available: 24502046720},
		Hugepages: hugepagesReport{DefaultSize: &def, Pools: []poolReport{
			{Size: 2 << 20, Total: 16, Free: 12, Reserved: 2, Surplus: 1, Overcommit: 4},
			{Size: 1 << 30, Total: 1, Free: 1},
		}},
		Cgroup: cgroupReport{Mode: &mode, Unified: s("/"), Memory: s("/process_api/277a")},
		Features: []featureReport{
			{Name: "pidfd_open", Description: "process file descriptors", MinKernel: "5.3", Available: true, Conclusive: true},
			{Name: "listmount", Description: "list mounts by ID", MinKernel: "6.8", Conclusive: true, Detail: "fallback: /proc/self/mountinfo",
				Error: s("listmount is not supported by this kernel (needs Linux 6.8 or newer): function not implemented")},
			{Name: "bpf", Description: "eBPF programs", MinKernel: "3.18", Detail: "unprivileged_bpf_disabled=2",
				Error: s("bpf: operation not permitted")},
		},
		Unavailable: map[string]string{
			"kernel.boot_id": "open /proc/sys/kernel/random/boot_id: permission denied",
			"cpu.present":    "cpu present read: open /sys/devices/system/cpu/present: no such file or directory",
		},
	}
}

// TestOverviewGolden pins the human layout and the JSON schema with fixed
// values (go test -run Golden -update rewrites the files).
func TestOverviewGolden(t *testing.T) {
	r := fixedReport()
	var text, js bytes.Buffer
	if err := renderOverview(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/overview.golden", text.Bytes())
	golden(t, "testdata/overview.json.golden", js.Bytes())
	var m map[string]any
	if err := decodeOne(js.String(), &m); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, m)
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// failingSources fail every read with reason, and the feature probes
// give one answer of each kind.
func failingSources(reason error) overviewSources {
	fail := func(string) error { return reason }
	return overviewSources{
		Release:         func() (string, error) { return "", fail("release") },
		Version:         func() (kernel.Version, error) { return kernel.Version{}, fail("version") },
		BootID:          func() (string, error) { return "", fail("boot id") },
		Hostname:        func() (string, error) { return "", fail("hostname") },
		Uptime:          func() (procfs.Uptime, error) { return procfs.Uptime{}, fail("uptime") },
		CPUInfo:         func() ([]procfs.CPUInfo, error) { return nil, fail("cpuinfo") },
		Meminfo:         func() (procfs.Meminfo, error) { return procfs.Meminfo{}, fail("meminfo") },
		Online:          func() (cpuset.Set, error) { return cpuset.Set{}, fail("online") },
		Present:         func() (cpuset.Set, error) { return cpuset.Set{}, fail("present") },
		Possible:        func() (cpuset.Set, error) { return cpuset.Set{}, fail("possible") },
		HugepagePools:   func() ([]hugepage.Pool, error) { return nil, fail("pools") },
		HugepageDefault: func() (uint64, error) { return 0, fail("default") },
		CgroupMode:      func() (cgroup.Mode, error) { return 0, fail("mode") },
		CgroupSelf:      func() (cgroup.Membership, error) { return cgroup.Membership{}, fail("self") },
		Features: func(ctx context.Context) []features.Status {
			return []features.Status{
				{Feature: features.Feature{Name: "a", MinKernel: kernel.V(5, 3)}, Available: true},
				{Feature: features.Feature{Name: "b", MinKernel: kernel.V(6, 8)},
					Err: &kernel.FeatureError{Feature: "b", MinKernel: kernel.V(6, 8), Err: syscall.ENOSYS}},
				{Feature: features.Feature{Name: "c", MinKernel: kernel.V(4, 0)}, Err: os.NewSyscallError("c", syscall.EPERM)},
			}
		},
	}
}

// TestOverviewSourcesFail checks that failing sources make items
// unavailable, in both outputs, without failing the command.
func TestOverviewSourcesFail(t *testing.T) {
	reason := &fs.PathError{Op: "open", Path: "/nowhere", Err: syscall.EACCES}
	cmd := &overviewCommand{src: failingSources(reason)}
	for _, asJSON := range []bool{false, true} {
		var out, errOut bytes.Buffer
		args := []string{}
		if asJSON {
			args = append(args, "--json")
		}
		if code := run(context.Background(), cmd, args, &Env{Stdout: &out, Stderr: &errOut}); code != ExitOK {
			t.Fatalf("json=%v: exit %d, stderr %q", asJSON, code, errOut.String())
		}
		if !asJSON {
			want := "unavailable: " + reason.Error()
			for _, row := range []string{"kernel", "boot id", "hostname", "uptime", "cpu model", "memory", "cgroup mode", "cgroup (v2)", "cgroup (v1 memory)", "huge pages"} {
				if !strings.Contains(out.String(), row+" ") || !containsLine(out.String(), row, want) {
					t.Errorf("row %q does not say %q:\n%s", row, want, out.String())
				}
			}
			if !strings.Contains(out.String(), "cpus                online "+want+", present "+want+", possible "+want) {
				t.Errorf("cpus row:\n%s", out.String())
			}
			for _, f := range []string{"a        yes        5.3\n", "b        no         6.8\n", "c        unknown    4.0         c: operation not permitted\n"} {
				if !strings.Contains(out.String(), "\n"+f) {
					t.Errorf("feature row %q missing:\n%s", f, out.String())
				}
			}
			continue
		}
		var m map[string]any
		if err := decodeOne(out.String(), &m); err != nil {
			t.Fatal(err)
		}
		unavailable := checkKeys(t, m)
		wantKeys := []string{"cgroup.memory_v1", "cgroup.mode", "cgroup.unified", "cpu.model", "cpu.online", "cpu.possible",
			"cpu.present", "hostname", "hugepages.default_size_bytes", "hugepages.pools", "kernel.boot_id",
			"kernel.release", "kernel.version", "memory", "uptime"}
		var keys []string
		for k, v := range unavailable {
			keys = append(keys, k)
			if v != reason.Error() {
				t.Errorf("unavailable[%q] = %q, want %q", k, v, reason.Error())
			}
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("unavailable keys %v, want %v", keys, wantKeys)
		}
	}
}

// containsLine reports whether text has a line starting with row followed
// by blanks and then want.
func containsLine(text, row, want string) bool {
	for line := range strings.Lines(text) {
		rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), row+" ")
		if ok && strings.TrimLeft(rest, " ") == want {
			return true
		}
	}
	return false
}

func TestOverviewCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, &overviewCommand{src: failingSources(errors.New("x"))}, nil, &Env{Stdout: &out, Stderr: &errOut})
	if code != ExitError || !strings.Contains(errOut.String(), "context canceled") || out.Len() != 0 {
		t.Errorf("canceled: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantMode derives the cgroup layout from /proc/self/mountinfo.
func wantMode(t *testing.T) cgroup.Mode {
	t.Helper()
	types := map[string]string{}
	s := bufio.NewScanner(strings.NewReader(readFile(t, "/proc/self/mountinfo")))
	for s.Scan() {
		pre, post, _ := strings.Cut(s.Text(), " - ")
		pf, qf := strings.Fields(pre), strings.Fields(post)
		if len(pf) >= 5 && len(qf) >= 1 {
			types[pf[4]] = qf[0]
		}
	}
	switch root := types["/sys/fs/cgroup"]; {
	case root == "cgroup2":
		return cgroup.Unified
	case root == "tmpfs" && (types["/sys/fs/cgroup/unified"] == "cgroup2" || types["/sys/fs/cgroup/systemd"] == "cgroup2"):
		return cgroup.Hybrid
	case root == "tmpfs" || root == "cgroup":
		return cgroup.Legacy
	}
	t.Skipf("no cgroup mount at /sys/fs/cgroup")
	return 0
}

// selfCgroups returns the v2 and v1 memory paths of /proc/self/cgroup.
func selfCgroups(t *testing.T) (unified, memory *string) {
	for line := range strings.Lines(readFile(t, "/proc/self/cgroup")) {
		parts := strings.SplitN(strings.TrimSuffix(line, "\n"), ":", 3)
		if len(parts) != 3 {
			t.Fatalf("bad /proc/self/cgroup line %q", line)
		}
		if parts[0] == "0" && parts[1] == "" {
			unified = &parts[2]
		}
		if slices.Contains(strings.Split(parts[1], ","), "memory") {
			memory = &parts[2]
		}
	}
	return unified, memory
}

func equalPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
