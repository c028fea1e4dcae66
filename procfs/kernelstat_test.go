package procfs

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseKernelStatFixtures(t *testing.T) {
	const ms = time.Millisecond
	t.Run("stat-amd64-6.18", func(t *testing.T) {
		var st KernelStat
		if err := parseKernelStat(systemFixture(t, "stat-amd64-6.18"), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.CPUs) != 2 || st.CPUs[0].CPU != 0 || st.CPUs[1].CPU != 1 {
			t.Fatalf("CPUs %+v", st.CPUs)
		}
		// The total line is the sum of the per-CPU lines.
		var sum CPUTime
		for _, c := range st.CPUs {
			sum.User += c.User
			sum.System += c.System
			sum.Idle += c.Idle
			sum.Steal += c.Steal
		}
		// Equal up to rounding: each line is converted to ticks on its own.
		near := func(a, b time.Duration) bool { d := a - b; return d >= -20*ms && d <= 20*ms }
		if !near(sum.User, st.Total.User) || !near(sum.System, st.Total.System) ||
			!near(sum.Idle, st.Total.Idle) || !near(sum.Steal, st.Total.Steal) {
			t.Errorf("sum %+v, total %+v", sum, st.Total)
		}
		if st.BootTime.Unix() < 1e9 || st.Interrupts == 0 || st.ContextSwitches == 0 || st.Processes == 0 || st.SoftIRQs == 0 {
			t.Errorf("got %+v", st)
		}
	})
	t.Run("stat-2.6.18-8cols", func(t *testing.T) {
		var st KernelStat
		if err := parseKernelStat(systemFixture(t, "stat-2.6.18-8cols"), &st); err != nil {
			t.Fatal(err)
		}
		want := CPUTime{User: 79242 * 10 * ms, System: 74306 * 10 * ms, Idle: 842486413 * 10 * ms,
			IOWait: 756859 * 10 * ms, IRQ: 6140 * 10 * ms, SoftIRQ: 67701 * 10 * ms}
		if st.Total != want {
			t.Errorf("Total %+v, want %+v", st.Total, want)
		}
		if st.Interrupts != 1462898 || st.ContextSwitches != 25658282 || st.BootTime != time.Unix(1062191376, 0) ||
			st.Processes != 26442 || st.ProcsRunning != 1 || st.ProcsBlocked != 0 || st.SoftIRQs != 0 || len(st.CPUs) != 2 {
			t.Errorf("got %+v", st)
		}
	})
	t.Run("stat-offline-cpus", func(t *testing.T) {
		var st KernelStat
		if err := parseKernelStat(systemFixture(t, "stat-offline-cpus"), &st); err != nil {
			t.Fatal(err)
		}
		var ids []int
		for _, c := range st.CPUs {
			ids = append(ids, c.CPU)
		}
		if len(ids) != 3 || ids[0] != 0 || ids[1] != 2 || ids[2] != 7 {
			t.Errorf("CPU ids %v", ids)
		}
		want := CPUTime{1 * time.Second, 10 * ms, 2 * time.Second, 300 * time.Second, 400 * ms, 50 * ms, 60 * ms, 70 * ms, 80 * ms, 90 * ms}
		if st.Total != want {
			t.Errorf("Total %+v, want %+v", st.Total, want)
		}
		if st.Total.Busy() != (100+1+200+5+6+7)*10*ms || st.Total.Total() != st.Total.Busy()+(30000+40)*10*ms {
			t.Errorf("Busy %v Total %v", st.Total.Busy(), st.Total.Total())
		}
		if st.Interrupts != 1<<64-1 || st.ProcsRunning != 1<<31-1 || st.ProcsBlocked != 3 || st.SoftIRQs != 42 || !st.BootTime.Equal(time.Unix(0, 0)) {
			t.Errorf("got %+v", st)
		}
	})
}

func TestParseKernelStatErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"cpu0 1 2 3 4\n",                        // no total line
		"cpu 1 2 3\n",                           // too few columns
		"cpu 1 2 3 x\n",                         // not a number
		"cpu 1 2 3 4\ncpu99999999999 1 2 3 4\n", // CPU number out of range
		"cpu 1 2 3 92233720368547759\n",         // overflows a Duration
		"cpu 1 2 3 4\nctxt -1\n",
		"cpu 1 2 3 4\nbtime x\n",
		"cpu 1 2 3 4\nprocs_running 4294967296\n",
		"cpu 1 2 3 4\nintr\n",
	} {
		var st KernelStat
		if err := parseKernelStat([]byte(in), &st); err == nil {
			t.Errorf("parseKernelStat(%q) = %+v, want an error", in, st)
		}
	}
}

func TestKernelStatInto(t *testing.T) {
	fs := systemRoot(t, map[string]string{"stat": "cpu 1 2 3 4\ncpu0 1 2 3 4\ncpu1 0 0 0 0\n"})
	st := KernelStat{CPUs: make([]CPUStat, 5, 8), Interrupts: 99}
	p := &st.CPUs[:1][0]
	if err := fs.KernelStatInto(&st); err != nil {
		t.Fatal(err)
	}
	if len(st.CPUs) != 2 || &st.CPUs[0] != p || st.Interrupts != 0 || st.CPUs[1].CPU != 1 {
		t.Errorf("slice not reused or old values kept: %+v", st)
	}
	if _, err := systemRoot(t, nil).KernelStat(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// onlineCPUs counts /sys/devices/system/cpu/online ("0-1,4").
func onlineCPUs(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Skip(err)
	}
	n := 0
	for r := range strings.SplitSeq(strings.TrimSpace(string(b)), ",") {
		lo, hi, ok := strings.Cut(r, "-")
		a, err1 := strconv.Atoi(lo)
		z := a
		var err2 error
		if ok {
			z, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("bad online list %q", b)
		}
		n += z - a + 1
	}
	return n
}

func TestKernelStatKernel(t *testing.T) {
	fs := Default()
	st, err := fs.KernelStat()
	if err != nil {
		t.Fatal(err)
	}
	u, err := fs.Uptime()
	if err != nil {
		t.Fatal(err)
	}
	// btime is the wall clock minus CLOCK_BOOTTIME, in whole seconds; a
	// few seconds of tolerance covers the rounding and NTP slewing.
	boot := time.Now().Add(-u.Total)
	if d := st.BootTime.Sub(boot); d < -3*time.Second || d > 3*time.Second {
		t.Errorf("btime %v, now-uptime %v", st.BootTime, boot)
	}
	if n := onlineCPUs(t); len(st.CPUs) != n {
		t.Errorf("%d cpu lines, %d CPUs online", len(st.CPUs), n)
	}
	if st.ProcsRunning < 1 || st.Processes == 0 || st.ContextSwitches == 0 || st.Total.Total() <= 0 {
		t.Errorf("implausible: %+v", st)
	}
	// /proc/uptime's idle time sums the same per-CPU idle counters,
	// read a moment later (and not rounded to ticks).
	if d := u.Idle - st.Total.Idle; d < -time.Second || d > 30*time.Second {
		t.Errorf("stat idle %v, uptime idle %v", st.Total.Idle, u.Idle)
	}
	st2 := st
	st2.CPUs = nil
	if err := fs.KernelStatInto(&st2); err != nil {
		t.Fatal(err)
	}
	if st2.ContextSwitches < st.ContextSwitches || st2.Total.User < st.Total.User {
		t.Errorf("counters went backwards: %+v then %+v", st, st2)
	}
}

func TestKernelStatAllocs(t *testing.T) {
	if systemRace {
		t.Skip("sync.Pool drops buffers under the race detector")
	}
	fs := Default()
	var st KernelStat
	if err := fs.KernelStatInto(&st); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(50, func() { fs.KernelStatInto(&st) }); n != 0 {
		t.Errorf("KernelStatInto allocates %v times per call", n)
	}
}

func FuzzParseKernelStat(f *testing.F) {
	seedSystemFixtures(f, "stat-")
	f.Add([]byte("cpu 1 2 3 922337203685477581\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var st KernelStat
		if err := parseKernelStat(b, &st); err != nil {
			return
		}
		for _, c := range append(st.CPUs, CPUStat{CPUTime: st.Total}) {
			if c.CPU < 0 || c.User < 0 || c.Idle < 0 || c.GuestNice < 0 {
				t.Errorf("negative: %+v", c)
			}
			// Tick counts convert exactly, or not at all.
			for _, d := range []time.Duration{c.User, c.Nice, c.System, c.Idle, c.IOWait, c.IRQ, c.SoftIRQ, c.Steal, c.Guest, c.GuestNice} {
				if d%ClockTick != 0 {
					t.Errorf("%v is not a whole number of ticks", d)
				}
			}
		}
	})
}

func BenchmarkKernelStatInto(b *testing.B) {
	fs := Default()
	var st KernelStat
	b.ReportAllocs()
	for b.Loop() {
		if err := fs.KernelStatInto(&st); err != nil {
			b.Fatal(err)
		}
	}
}
