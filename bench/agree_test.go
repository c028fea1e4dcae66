package bench

// Answer checks: before a comparison is timed, every implementation must
// give the same answer on the same input. ./run runs these tests first and
// stops if one fails; CI runs them too (go test, no timing). Each check
// uses the benchmark's own input: the fixture process, a set of sleepers,
// or a snapshot of a system file read by every implementation.

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lxgo/lx/cpuset"
	lxprocfs "github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
	promprocfs "github.com/prometheus/procfs"
	"github.com/prometheus/procfs/sysfs"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/process"
)

// userHZ is the unit of the tick counts in /proc/PID/stat (USER_HZ, 100 on
// every architecture lx supports).
const userHZ = 100

func ticks(d time.Duration) uint { return uint(d / (time.Second / userHZ)) }

func TestProcStatAgrees(t *testing.T) {
	pid := fixture(t)
	lx, err := lxProc(t, pid).Stat()
	if err != nil {
		t.Fatal(err)
	}
	pr, err := promProc(t, pid).Stat()
	if err != nil {
		t.Fatal(err)
	}
	times, err := gopsProc(t, pid).Times()
	if err != nil {
		t.Fatal(err)
	}
	page := uint64(os.Getpagesize())
	for _, c := range []struct {
		field   string
		lx, alt any
	}{
		{"pid", lx.PID, pr.PID},
		{"comm", lx.Comm.String(), pr.Comm},
		{"state", string(rune(lx.State)), pr.State},
		{"ppid", lx.PPID, pr.PPID},
		{"pgrp", lx.PGRP, pr.PGRP},
		{"session", lx.Session, pr.Session},
		{"tpgid", lx.TPGID, pr.TPGID},
		{"flags", uint(lx.Flags), pr.Flags},
		{"minflt", uint(lx.MinFlt), pr.MinFlt},
		{"majflt", uint(lx.MajFlt), pr.MajFlt},
		{"utime", ticks(lx.UTime), pr.UTime},
		{"stime", ticks(lx.STime), pr.STime},
		{"priority", lx.Priority, pr.Priority},
		{"nice", lx.Nice, pr.Nice},
		{"threads", lx.NumThreads, pr.NumThreads},
		{"starttime", uint64(ticks(lx.StartTime)), pr.Starttime},
		{"vsize", uint(lx.VSize), pr.VSize},
		{"rss", lx.RSS, uint64(pr.RSS) * page},
		{"gopsutil user", lx.UTime.Seconds(), times.User},
		{"gopsutil system", lx.STime.Seconds(), times.System},
	} {
		if c.lx != c.alt {
			t.Errorf("%s: lx %v, other %v", c.field, c.lx, c.alt)
		}
	}
	if lx.PID != pid || lx.Comm.String() != "sleep" {
		t.Errorf("lx read pid %d comm %q, want the fixture %d sleep", lx.PID, lx.Comm, pid)
	}
}

func TestProcStatmAgrees(t *testing.T) {
	pid := fixture(t)
	lx, err := lxProc(t, pid).Statm()
	if err != nil {
		t.Fatal(err)
	}
	pr, err := promProc(t, pid).Statm()
	if err != nil {
		t.Fatal(err)
	}
	gm, err := gopsProc(t, pid).MemoryInfo()
	if err != nil {
		t.Fatal(err)
	}
	page := uint64(os.Getpagesize())
	want := [][2]uint64{
		{lx.Size, pr.Size * page}, {lx.Resident, pr.Resident * page}, {lx.Shared, pr.Shared * page},
		{lx.Text, pr.Text * page}, {lx.Data, pr.Data * page},
		{lx.Size, gm.VMS}, {lx.Resident, gm.RSS},
	}
	for i, w := range want {
		if w[0] != w[1] {
			t.Errorf("value %d: lx %d, other %d", i, w[0], w[1])
		}
	}
	if lx.Size == 0 || lx.Resident == 0 {
		t.Errorf("lx statm of a live process is empty: %+v", lx)
	}
}

func TestProcStatusAgrees(t *testing.T) {
	pid := fixture(t)
	lx, err := lxProc(t, pid).Status()
	if err != nil {
		t.Fatal(err)
	}
	pr, err := promProc(t, pid).NewStatus()
	if err != nil {
		t.Fatal(err)
	}
	uids, err := gopsProc(t, pid).Uids()
	if err != nil {
		t.Fatal(err)
	}
	lxUIDs := []uint64{uint64(lx.UID.Real), uint64(lx.UID.Effective), uint64(lx.UID.Saved), uint64(lx.UID.FS)}
	lxGIDs := []uint64{uint64(lx.GID.Real), uint64(lx.GID.Effective), uint64(lx.GID.Saved), uint64(lx.GID.FS)}
	if !slices.Equal(lxUIDs, pr.UIDs[:]) || !slices.Equal(lxGIDs, pr.GIDs[:]) {
		t.Errorf("ids: lx %v %v, procfs %v %v", lxUIDs, lxGIDs, pr.UIDs, pr.GIDs)
	}
	for i, u := range uids {
		if uint64(u) != lxUIDs[i] {
			t.Errorf("uid %d: lx %d, gopsutil %d", i, lxUIDs[i], u)
		}
	}
	for _, c := range []struct {
		field   string
		lx, alt any
	}{
		{"name", lx.Name.String(), pr.Name},
		{"tgid", lx.TGID, pr.TGID},
		{"vmrss", lx.VmRSS, pr.VmRSS},
		{"vmsize", lx.VmSize, pr.VmSize},
		{"vmdata", lx.VmData, pr.VmData},
		{"voluntary switches", lx.VoluntaryCtxtSwitches, pr.VoluntaryCtxtSwitches},
	} {
		if c.lx != c.alt {
			t.Errorf("%s: lx %v, procfs %v", c.field, c.lx, c.alt)
		}
	}
}

// limitValue is a limit as both peers report it: RLIM_INFINITY as
// math.MaxUint64, which is also rlimit.Unlimited's value.
func limitValue[V ~uint64](v V) uint64 { return uint64(v) }

func TestProcLimitsAgrees(t *testing.T) {
	pid := fixture(t)
	lx, err := lxProc(t, pid).Limits()
	if err != nil {
		t.Fatal(err)
	}
	pr, err := promProc(t, pid).Limits()
	if err != nil {
		t.Fatal(err)
	}
	gl, err := gopsProc(t, pid).Rlimit()
	if err != nil {
		t.Fatal(err)
	}
	// procfs keeps only the soft limits, with its own field names.
	prSoft := map[rlimit.Resource]uint64{
		rlimit.CPU: pr.CPUTime, rlimit.FSize: pr.FileSize, rlimit.Data: pr.DataSize,
		rlimit.Stack: pr.StackSize, rlimit.Core: pr.CoreFileSize, rlimit.RSS: pr.ResidentSet,
		rlimit.NProc: pr.Processes, rlimit.NoFile: pr.OpenFiles, rlimit.MemLock: pr.LockedMemory,
		rlimit.AS: pr.AddressSpace, rlimit.Locks: pr.FileLocks, rlimit.SigPending: pr.PendingSignals,
		rlimit.MsgQueue: pr.MsqqueueSize, rlimit.Nice: pr.NicePriority, rlimit.RTPrio: pr.RealtimePriority,
		rlimit.RTTime: pr.RealtimeTimeout,
	}
	for r, soft := range prSoft {
		if got := limitValue(lx[r].Soft); got != soft {
			t.Errorf("%v soft: lx %d, procfs %d", r, got, soft)
		}
	}
	if len(gl) != len(lx) {
		t.Fatalf("gopsutil has %d limits, lx %d", len(gl), len(lx))
	}
	for _, g := range gl {
		r := rlimit.Resource(g.Resource)
		if limitValue(lx[r].Soft) != g.Soft || limitValue(lx[r].Hard) != g.Hard {
			t.Errorf("%v: lx %v, gopsutil %d:%d", r, lx[r], g.Soft, g.Hard)
		}
	}
}

// TestProcScanAgrees checks that every scan finds the sleepers and that
// lx and procfs read the same stat for each.
func TestProcScanAgrees(t *testing.T) {
	s := newSleepers(t)
	s.resize(5)
	want := map[int]bool{}
	for _, c := range s.cmds {
		want[c.Process.Pid] = true
	}
	time.Sleep(100 * time.Millisecond) // let the sleepers exec
	seen := func(impl string, pids []int) {
		t.Helper()
		n := 0
		for _, pid := range pids {
			if want[pid] {
				n++
			}
		}
		if n != len(want) {
			t.Errorf("%s scan saw %d of the %d sleepers", impl, n, len(want))
		}
	}

	var lxPIDs []int
	lxStats := map[int]lxprocfs.Stat{}
	for p, err := range lxprocfs.Default().Procs() {
		if err != nil {
			t.Fatal(err)
		}
		lxPIDs = append(lxPIDs, p.PID())
		if st, err := p.Stat(); err == nil && want[p.PID()] {
			lxStats[p.PID()] = st
		}
	}
	seen("lx", lxPIDs)

	fs, err := promprocfs.NewDefaultFS()
	if err != nil {
		t.Fatal(err)
	}
	all, err := fs.AllProcs()
	if err != nil {
		t.Fatal(err)
	}
	var prPIDs []int
	for _, p := range all {
		prPIDs = append(prPIDs, p.PID)
		if !want[p.PID] {
			continue
		}
		st, err := p.Stat()
		if err != nil {
			t.Fatal(err)
		}
		l := lxStats[p.PID]
		if l.Comm.String() != st.Comm || l.PPID != st.PPID || uint64(ticks(l.StartTime)) != st.Starttime {
			t.Errorf("pid %d: lx %q ppid %d start %v; procfs %q ppid %d start %d",
				p.PID, l.Comm, l.PPID, l.StartTime, st.Comm, st.PPID, st.Starttime)
		}
	}
	seen("procfs", prPIDs)

	gp, err := process.Pids()
	if err != nil {
		t.Fatal(err)
	}
	var gpPIDs []int
	for _, p := range gp {
		gpPIDs = append(gpPIDs, int(p))
	}
	seen("gopsutil", gpPIDs)

	var rawPIDs []int
	for pid := range want {
		if _, err := newRawFile(procPath(pid, "stat")).readOnce(make([]byte, 4096)); err == nil {
			rawPIDs = append(rawPIDs, pid)
		}
	}
	seen("raw", rawPIDs)
	if n := rawScan(t, make([]byte, 8192), make([]byte, 4096), make([]byte, 0, 64)); n < len(want) {
		t.Errorf("raw scan read %d processes, fewer than the %d sleepers", n, len(want))
	}
}

// TestProcSamplerAgrees checks that a Sampler's re-read gives what a fresh
// read of each stat gives.
func TestProcSamplerAgrees(t *testing.T) {
	pid := fixture(t)
	s := lxprocfs.NewSampler(lxprocfs.Default(), nil)
	defer s.Close()
	if err := s.Add(pid); err != nil {
		t.Fatal(err)
	}
	pr, err := promProc(t, pid).Stat()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for sm, err := range s.Sample() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		st := sm.Stat
		if st.PID != pid || st.Comm.String() != pr.Comm || ticks(st.UTime) != pr.UTime ||
			uint64(ticks(st.StartTime)) != pr.Starttime || st.RSS != uint64(pr.RSS)*uint64(os.Getpagesize()) {
			t.Errorf("sampler %+v, procfs %+v", st, pr)
		}
	}
	if n != 1 {
		t.Errorf("sampler gave %d samples, want 1", n)
	}
}

// TestMeminfoAgrees parses one snapshot of /proc/meminfo with every
// implementation (each pointed at a copy in a temporary root).
func TestMeminfoAgrees(t *testing.T) {
	snap, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "proc", "meminfo"), snap, 0o644); err != nil {
		t.Fatal(err)
	}
	lfs, err := lxprocfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	lx, err := lfs.Meminfo()
	if err != nil {
		t.Fatal(err)
	}
	pfs, err := promprocfs.NewFS(filepath.Join(root, "proc"))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := pfs.Meminfo()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOST_PROC", filepath.Join(root, "proc"))
	gm, err := mem.VirtualMemory()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field string
		lx    uint64
		pr    *uint64
	}{
		{"MemTotal", lx.MemTotal, pr.MemTotalBytes}, {"MemFree", lx.MemFree, pr.MemFreeBytes},
		{"MemAvailable", lx.MemAvailable, pr.MemAvailableBytes}, {"Buffers", lx.Buffers, pr.BuffersBytes},
		{"Cached", lx.Cached, pr.CachedBytes}, {"SwapTotal", lx.SwapTotal, pr.SwapTotalBytes},
		{"Shmem", lx.Shmem, pr.ShmemBytes}, {"Dirty", lx.Dirty, pr.DirtyBytes},
	} {
		if c.pr == nil || *c.pr != c.lx {
			t.Errorf("%s: lx %d, procfs %v", c.field, c.lx, c.pr)
		}
	}
	if gm.Total != lx.MemTotal || gm.Free != lx.MemFree || gm.Available != lx.MemAvailable || gm.Buffers != lx.Buffers {
		t.Errorf("gopsutil %+v, lx %+v", gm, lx)
	}
}

// TestCPUListAgrees checks that lx, the hand-rolled parser and procfs's
// IsolatedCPUs find exactly the same CPUs in each benchmark input.
func TestCPUListAgrees(t *testing.T) {
	for _, in := range cpuLists {
		want, err := handrolled([]byte(in.text))
		if err != nil {
			t.Fatal(err)
		}
		got, err := cpuset.ParseBytes([]byte(in.text))
		if err != nil {
			t.Fatal(err)
		}
		if lx := slices.Collect(got.All()); !slices.Equal(lx, want) {
			t.Errorf("%s: lx %v, handrolled %v", in.name, lx, want)
		}
		root := t.TempDir()
		dir := filepath.Join(root, "devices", "system", "cpu")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "isolated"), []byte(in.text), 0o644); err != nil {
			t.Fatal(err)
		}
		pfs, err := sysfs.NewFS(root)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := pfs.IsolatedCPUs()
		if err != nil {
			t.Fatal(err)
		}
		var prInts []int
		for _, c := range pr {
			prInts = append(prInts, int(c))
		}
		if !slices.Equal(prInts, want) {
			t.Errorf("%s: procfs %v, handrolled %v", in.name, prInts, want)
		}
	}
}
