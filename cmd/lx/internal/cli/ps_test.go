package cli

// Unit tests of lx ps's pieces, hostile processes, and the benchmark.

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lxgo/lx/procfs"
)

func TestPSUsage(t *testing.T) {
	stdout, stderr, code := runLX(t, "ps", "extra")
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, `ps takes no arguments, got "extra"`) {
		t.Errorf("lx ps extra: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestPSStat checks procps's STAT modifiers, one at a time.
func TestPSStat(t *testing.T) {
	base := procfs.Stat{State: procfs.StateSleeping, PID: 10, PGRP: 10, Session: 5, TPGID: -1, NumThreads: 1}
	for _, tc := range []struct {
		change func(st *procfs.Stat)
		locked uint64
		want   string
	}{
		{func(*procfs.Stat) {}, 0, "S"},
		{func(st *procfs.Stat) { st.Nice = -1 }, 0, "S<"},
		{func(st *procfs.Stat) { st.Nice = 19 }, 0, "SN"},
		{func(*procfs.Stat) {}, 4096, "SL"},
		{func(st *procfs.Stat) { st.Session = 10 }, 0, "Ss"},
		{func(st *procfs.Stat) { st.NumThreads = 2 }, 0, "Sl"},
		{func(st *procfs.Stat) { st.TPGID = 10 }, 0, "S+"},
		{func(st *procfs.Stat) {
			st.State, st.Nice, st.Session, st.NumThreads, st.TPGID = procfs.StateDiskSleep, -20, 10, 9, 10
		}, 1, "D<Lsl+"},
	} {
		st := base
		tc.change(&st)
		if got := psStat(&st, tc.locked, 10); got != tc.want {
			t.Errorf("psStat(%+v, %d) = %q, want %q", st, tc.locked, got, tc.want)
		}
	}
}

// TestPSPercents checks %CPU and %MEM against procps's arithmetic.
func TestPSPercents(t *testing.T) {
	tick := procfs.ClockTick
	for _, tc := range []struct {
		cpu, start, uptime time.Duration
		want               permille
		text               string
	}{
		{0, 0, time.Hour, 0, "0.0"},
		{time.Second, 0, 1000 * time.Second, 1, "0.1"},
		{999 * tick, 0, 1000 * tick, 999, "99.9"},
		{1999 * tick, 0, 1000 * tick, 1999, "199"},                // whole percents above 99.9
		{time.Second, 5 * time.Second, 5 * time.Second, 0, "0.0"}, // started this tick
		{time.Second, 6 * time.Second, 5 * time.Second, 0, "0.0"}, // an uptime older than the process
		{1<<62 - 1, 0, time.Second, permille(uint64((1<<62-1)/tick) * 1000 / 100), ""},
	} {
		got := cpuPermille(tc.cpu, tc.start, tc.uptime)
		if got != tc.want || tc.text != "" && psCPUPercent(got) != tc.text {
			t.Errorf("cpuPermille(%v, %v, %v) = %d (%s), want %d (%s)", tc.cpu, tc.start, tc.uptime, got, psCPUPercent(got), tc.want, tc.text)
		}
	}
	for _, tc := range []struct {
		rss, total uint64
		want       permille
	}{
		{0, 1 << 30, 0}, {1 << 20, 1 << 30, 0}, {2 << 20, 1 << 30, 1}, {1 << 30, 1 << 30, 999}, {2 << 30, 1 << 30, 999}, {1 << 20, 0, 0},
	} {
		if got := memPermille(tc.rss, tc.total); got != tc.want {
			t.Errorf("memPermille(%d, %d) = %d, want %d", tc.rss, tc.total, got, tc.want)
		}
	}
}

// BenchmarkGatherPS measures one scan of this machine's /proc, the work of
// `lx ps` without the output: the reads of each run (boot time, uptime,
// meminfo, tty drivers, /etc/passwd) and those of each process.
func BenchmarkGatherPS(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		s, err := newPSScan(procfs.Default(), time.UTC, nil)
		if err != nil {
			b.Fatal(err)
		}
		r, err := s.gather(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n = len(r.Processes)
	}
	b.ReportMetric(float64(n), "procs")
}

// TestPSHostileSelect selects hostile processes by their exact command
// names (--comm, with -p) and ids (-p, with -L) and checks that the JSON has
// their exact bytes in every row.
func TestPSHostileSelect(t *testing.T) {
	hs := startHostile(t)
	var pids []string
	args := []string{"ps", "--json"}
	for _, h := range hs {
		args = append(args, "--comm", h.comm)
		pids = append(pids, strconv.Itoa(h.pid))
	}
	// -p keeps out processes of other tests with the same names; the test
	// process itself is selected by -p, and left out by --comm.
	args = append(args, "-p", strings.Join(pids, ",")+","+strconv.Itoa(os.Getpid()))
	for _, args := range [][]string{args, {"ps", "--json", "-L", "--tree", "-p", strings.Join(pids, ",")}} {
		stdout, stderr, code := runLX(t, args...)
		var r psReportJSON
		if err := decodeOne(stdout, &r); code != ExitOK || err != nil {
			t.Fatalf("lx %q: exit %d, %v, stderr %s", args, code, err, stderr)
		}
		got := map[int]psProcessJSON{}
		for _, p := range r.Processes {
			got[p.PID] = p
		}
		for _, h := range hs {
			p, ok := got[h.pid]
			if !ok {
				t.Errorf("lx %q lacks process %d (%q)", args, h.pid, h.comm)
				continue
			}
			if string(p.Comm) != h.comm || !slices.Equal(exacts(p.Cmdline), h.args) || p.TID != h.pid {
				t.Errorf("lx %q: process %d has comm %q, cmdline %q; want %q, %q", args, h.pid, p.Comm, exacts(p.Cmdline), h.comm, h.args)
			}
		}
		// Only the hostile processes: their shells have one thread each.
		if len(r.Processes) != len(hs) {
			t.Errorf("lx %q: %d rows, want %d", args, len(r.Processes), len(hs))
		}
	}
}

// TestPSStartTimeExact starts a process and checks that lx ps puts its
// start between the instants before and after the start, to the tick:
// lx ps used to add btime of /proc/stat, whole seconds, and was up to a
// second early.
func TestPSStartTimeExact(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "read x")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	_, decoded := lxSnapshot(t, "-p", strconv.Itoa(cmd.Process.Pid))
	p, ok := decoded[cmd.Process.Pid]
	if !ok {
		t.Fatalf("lx ps -p %d lacks the process", cmd.Process.Pid)
	}
	// The kernel counts the start in ticks, rounded down; the boot time
	// is exact to about a microsecond.
	if p.Start.Before(before.Add(-procfs.ClockTick-time.Millisecond)) || p.Start.After(after.Add(time.Millisecond)) {
		t.Errorf("start time %s, want between %s and %s", p.Start.Format(time.RFC3339Nano),
			before.Format(time.RFC3339Nano), after.Format(time.RFC3339Nano))
	}
}
