package procfs

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/rlimit"
)

// BenchmarkPaired times the raw floor (rawFile: openat of a path made
// once, read into a reused buffer, close; no parsing, no allocation) and
// lx's reader of the same file alternately in one loop, and reports both
// (raw-ns, lx-ns) and their ratio lx/raw. Timing them in the same loop
// makes the ratio robust to the drift of a shared machine, which separate
// sub-benchmarks suffer from; the order alternates, so that neither side
// always runs on the cache the other left.
//
// The per-process files are those of a fixture, a `sleep` child of fixed
// shape (one thread, a small C program's mappings) that has settled, so
// that the cost does not depend on what ran before in the benchmark
// process (/proc/PID/stat sums over threads). The scan and the sampler run
// over at least 300 processes, adding sleepers. Each sub-benchmark first
// checks that lx's answer agrees with a naive parse of the raw bytes.
// allocs/op are lx's: the raw side allocates nothing.
//
//	go test -run '^$' -bench Paired -benchtime 1s -count 6 ./procfs
func BenchmarkPaired(b *testing.B) {
	pid := benchFixture(b)
	p := mustProc(b, Default(), pid)
	path := func(name string) string { return "/proc/" + strconv.Itoa(pid) + "/" + name }
	buf := make([]byte, 1<<20)

	b.Run("stat", func(b *testing.B) {
		f := newRawFile(path("stat"))
		var st Stat
		checkStat(b, p, f, buf)
		paired(b, func() error { _, err := f.readOnce(buf); return err },
			func() error { return p.ReadStat(&st) })
	})
	b.Run("statm", func(b *testing.B) {
		f := newRawFile(path("statm"))
		checkStatm(b, p, f, buf)
		paired(b, func() error { _, err := f.readOnce(buf); return err },
			func() error { _, err := p.Statm(); return err })
	})
	b.Run("status", func(b *testing.B) {
		f := newRawFile(path("status"))
		var st Status
		checkStatus(b, p, f, buf)
		paired(b, func() error { _, err := f.readOnce(buf); return err },
			func() error { return p.ReadStatus(&st) })
	})
	b.Run("limits", func(b *testing.B) {
		f := newRawFile(path("limits"))
		checkLimits(b, p, f, buf)
		paired(b, func() error { _, err := f.readOnce(buf); return err },
			func() error { _, err := p.Limits(); return err })
	})
	b.Run("meminfo", func(b *testing.B) {
		f := newRawFile("/proc/meminfo")
		fsys := Default()
		checkMeminfo(b, fsys, f, buf)
		paired(b, func() error { _, err := f.readAll(buf); return err },
			func() error { _, err := fsys.Meminfo(); return err })
	})
	// mountinfo and mountinfo-seq re-read a table that does not change:
	// after the first two reads, MountInfo's memo spares the parse.
	// The -changed rows forget the memo before each read, as if the
	// table had changed since the last one: the text is hashed, compared
	// with nothing and parsed.
	for _, mode := range []string{"", "-changed"} {
		stale := func() {
			if mode == "-changed" {
				resetMountMemo()
			}
		}
		b.Run("mountinfo"+mode, func(b *testing.B) {
			f := newRawFile(path("mountinfo"))
			checkMountInfo(b, p, f, buf)
			paired(b, func() error { _, err := f.readAll(buf); return err },
				func() error { stale(); _, err := p.MountInfo(); return err })
		})
		b.Run("mountinfo-seq"+mode, func(b *testing.B) {
			f := newRawFile(path("mountinfo"))
			checkMountInfo(b, p, f, buf)
			paired(b, func() error { _, err := f.readAll(buf); return err },
				func() error {
					stale()
					for _, err := range p.MountInfoSeq() {
						if err != nil {
							return err
						}
					}
					return nil
				})
		})
	}
	b.Run("scan-300", func(b *testing.B) {
		benchSleepers(b, 300)
		fsys := Default()
		dirbuf, path := make([]byte, 8192), make([]byte, 0, 64)
		var st Stat
		checkScan(b, fsys, pid, dirbuf, buf, path)
		paired(b, func() error { _, err := rawScan(dirbuf, buf, path); return err },
			func() error {
				for p, err := range fsys.Procs() {
					if err != nil {
						return err
					}
					p.ReadStat(&st) // an error: the process exited since the listing
				}
				return nil
			})
	})
	// sampler-300 re-reads a population of sleepers, whose stat does
	// not change between samples: the Sampler's memo spares the parse.
	// sampler-300-changed makes every memo stale before each pass (its
	// last stored byte flipped, so that the comparison runs to the end
	// and fails), as if every process had changed since the last sample:
	// every stat is parsed, and the memo adds its comparison and copies.
	// pread-300 is the floor of both: pread(2) of the Sampler's open
	// files, in its order, and nothing else.
	for _, mode := range []string{"", "-changed", "-pread"} {
		b.Run("sampler-300"+mode, func(b *testing.B) {
			benchSleepers(b, 300)
			s := NewSampler(Default(), nil)
			b.Cleanup(func() { s.Close() })
			var files []rawFile
			for p, err := range Default().Procs() {
				if err == nil && s.Add(p.PID()) == nil {
					files = append(files, newRawFile(p.Dir()+"/stat"))
				}
			}
			checkSampler(b, s, p)
			lx := func() error {
				if mode == "-changed" {
					s.staleMemos()
				}
				for _, err := range s.Sample() {
					if err != nil && !errors.Is(err, os.ErrProcessDone) {
						return err
					}
				}
				return nil
			}
			if mode == "-pread" {
				lx = func() error {
					for i := range s.procs {
						syscall.Pread(s.procs[i].raw[0], buf[:cap(s.buf)], 0) // an error: exited
					}
					return nil
				}
			}
			paired(b, func() error {
				for _, f := range files {
					f.readOnce(buf) // an error: exited
				}
				return nil
			}, lx)
		})
	}
}

// BenchmarkPairedParse splits BenchmarkPaired's ratios in two: it pairs
// the raw floor with the raw floor followed by lx's parse of the bytes it
// read, so that its ratio is the parse's share of the reader's, measured
// where the reader runs it (right after the read(2), whose kernel work
// leaves the caches and branch predictors colder than a loop of parses
// does). What the reader's ratio adds to it is the reader's own cost:
// building the path, the system call wrappers, the buffer.
//
//	go test -run '^$' -bench PairedParse -benchtime 1s -count 3 ./procfs
func BenchmarkPairedParse(b *testing.B) {
	pid := benchFixture(b)
	buf := make([]byte, 1<<20)
	var (
		st  Stat
		sm  Statm
		sts Status
		l   rlimit.Limits
	)
	for _, tc := range []struct {
		name  string
		parse func([]byte) error
	}{
		{"stat", func(b []byte) error { return parseStat(b, &st) }},
		{"statm", func(b []byte) error { return parseStatm(b, &sm) }},
		{"status", func(b []byte) error { return parseStatus(b, &sts) }},
		{"limits", func(b []byte) error { return parseLimits(b, &l) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			f := newRawFile("/proc/" + strconv.Itoa(pid) + "/" + tc.name)
			paired(b, func() error { _, err := f.readOnce(buf); return err },
				func() error {
					n, err := f.readOnce(buf)
					if err != nil {
						return err
					}
					return tc.parse(buf[:n])
				})
		})
	}
}

// staleMemos flips the last stored byte of every memo of s, so that the
// next pass parses every file again.
func (s *Sampler) staleMemos() {
	for i := range s.procs {
		m := s.procs[i].memo
		for j, raw := range m.raw {
			if n := len(raw); n > 0 && m.valid&(1<<j) != 0 {
				raw[n-1] ^= 0xff
			}
		}
	}
}

// paired runs raw and lx once per iteration, alternating which goes
// first, and reports the time of each and the ratio lx/raw. An iteration
// in which either side took more than 4 times its fastest (the process
// was preempted, or another process flushed the caches: the machine is
// shared) is left out of both sums, so that such an event does not land
// on one side only; "dropped" is the fraction left out.
func paired(b *testing.B, raw, lx func() error) {
	b.ReportAllocs()
	var tr, tl time.Duration
	minR, minL := time.Duration(1<<63-1), time.Duration(1<<63-1)
	kept, n := 0, 0
	first := false
	for b.Loop() {
		first = !first
		t0 := time.Now()
		var err error
		if first {
			err = raw()
		} else {
			err = lx()
		}
		t1 := time.Now()
		if err == nil {
			if first {
				err = lx()
			} else {
				err = raw()
			}
		}
		t2 := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		dr, dl := t1.Sub(t0), t2.Sub(t1)
		if !first {
			dr, dl = dl, dr
		}
		minR, minL = min(minR, dr), min(minL, dl)
		n++
		if dr < 4*minR && dl < 4*minL {
			tr, tl = tr+dr, tl+dl
			kept++
		}
	}
	b.ReportMetric(float64(tr.Nanoseconds())/float64(kept), "raw-ns")
	b.ReportMetric(float64(tl.Nanoseconds())/float64(kept), "lx-ns")
	b.ReportMetric(float64(tl)/float64(tr), "ratio")
	b.ReportMetric(1-float64(kept)/float64(n), "dropped")
}

// benchFixture starts `sleep 3600`, waits until it sleeps for good (it has
// exec'd and entered nanosleep: state S, and its stat no longer changes)
// and returns its pid. It is killed and reaped when tb ends.
func benchFixture(tb testing.TB) int {
	tb.Helper()
	cmd := exec.Command("sleep", "3600")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	pid := cmd.Process.Pid
	stat := "/proc/" + strconv.Itoa(pid) + "/stat"
	var prev []byte
	for deadline := time.Now().Add(10 * time.Second); ; {
		b, err := os.ReadFile(stat)
		if err == nil && bytes.HasPrefix(b, []byte(strconv.Itoa(pid)+" (sleep) S ")) && bytes.Equal(b, prev) {
			return pid
		}
		if time.Now().After(deadline) {
			tb.Fatalf("fixture %d does not settle: %q, %v", pid, b, err)
		}
		prev = b
		time.Sleep(5 * time.Millisecond)
	}
}

// benchSleepers adds `sleep` children until /proc lists at least n
// processes, waits until they have exec'd, and kills them when tb ends.
func benchSleepers(tb testing.TB, n int) {
	tb.Helper()
	var cmds []*exec.Cmd
	tb.Cleanup(func() {
		for _, c := range cmds {
			c.Process.Kill()
		}
		for _, c := range cmds {
			c.Wait()
		}
	})
	count := 0
	for p, err := range Default().Procs() {
		if err == nil && p.alive() {
			count++
		}
	}
	for ; count < n; count++ {
		c := exec.Command("sleep", "3600")
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := c.Start(); err != nil {
			tb.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, c := range cmds {
		for {
			st, err := mustProc(tb, Default(), c.Process.Pid).Stat()
			if err == nil && st.Comm.Equal("sleep") && st.State == 'S' {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("sleeper %d does not settle: %+v %v", c.Process.Pid, st, err)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// rawBytes reads f once (whole) into buf and returns a copy.
func rawBytes(tb testing.TB, f rawFile, buf []byte, all bool) []byte {
	tb.Helper()
	var n int
	var err error
	if all {
		n, err = f.readAll(buf)
	} else {
		n, err = f.readOnce(buf)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return slices.Clone(buf[:n])
}

// naiveKeys splits "Key:\tvalue" lines into a map, the obvious way.
func naiveKeys(b []byte) map[string]string {
	m := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSuffix(string(b), "\n"), "\n") {
		k, v, _ := strings.Cut(line, ":")
		m[k] = strings.TrimSpace(v)
	}
	return m
}

func naiveUint(tb testing.TB, s string) uint64 {
	tb.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func naiveKB(tb testing.TB, s string) uint64 {
	tb.Helper()
	return naiveUint(tb, strings.TrimSuffix(s, " kB")) * 1024
}

func checkStat(tb testing.TB, p Proc, f rawFile, buf []byte) {
	raw := rawBytes(tb, f, buf, false)
	st, err := p.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	i := bytes.LastIndexByte(raw, ')')
	fs := strings.Fields(string(raw[i+1:])) // fs[0] is field 3
	field := func(n int) uint64 {
		v, err := strconv.ParseInt(fs[n-3], 10, 64)
		if err != nil {
			tb.Fatal(err)
		}
		return uint64(v)
	}
	tick := func(d time.Duration) uint64 { return uint64(d / ClockTick) }
	for _, c := range [][3]uint64{
		{4, uint64(st.PPID), field(4)}, {5, uint64(st.PGRP), field(5)}, {6, uint64(st.Session), field(6)},
		{9, uint64(st.Flags), field(9)}, {10, st.MinFlt, field(10)}, {12, st.MajFlt, field(12)},
		{14, tick(st.UTime), field(14)}, {15, tick(st.STime), field(15)}, {18, uint64(st.Priority), field(18)},
		{20, uint64(st.NumThreads), field(20)}, {22, tick(st.StartTime), field(22)}, {23, st.VSize, field(23)},
		{24, st.RSS, field(24) * pageSize}, {39, uint64(st.Processor), field(39)}, {41, uint64(st.Policy), field(41)},
		{45, st.StartData, field(45)}, {51, st.EnvEnd, field(51)},
	} {
		if c[1] != c[2] {
			tb.Fatalf("stat field %d: lx %d, raw %d (%q)", c[0], c[1], c[2], raw)
		}
	}
	if !st.Comm.Equal("sleep") || st.State != 'S' || st.PID != p.PID() || st.NumThreads != 1 || st.PPID != os.Getpid() {
		tb.Fatalf("stat of the fixture: %+v", st)
	}
}

func checkStatm(tb testing.TB, p Proc, f rawFile, buf []byte) {
	raw := rawBytes(tb, f, buf, false)
	sm, err := p.Statm()
	if err != nil {
		tb.Fatal(err)
	}
	var want []uint64
	for _, s := range strings.Fields(string(raw)) {
		want = append(want, naiveUint(tb, s)*pageSize)
	}
	got := []uint64{sm.Size, sm.Resident, sm.Shared, sm.Text, sm.Lib, sm.Data, sm.Dirty}
	if !slices.Equal(got, want) || sm.Size == 0 {
		tb.Fatalf("statm: lx %v, raw %v", got, want)
	}
}

func checkStatus(tb testing.TB, p Proc, f rawFile, buf []byte) {
	raw := naiveKeys(rawBytes(tb, f, buf, false))
	var st Status
	if err := p.ReadStatus(&st); err != nil {
		tb.Fatal(err)
	}
	ids := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	hex := func(s string) uint64 {
		v, err := strconv.ParseUint(s, 16, 64)
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		key     string
		lx, raw any
	}{
		{"Name", st.Name.String(), raw["Name"]},
		{"State", string(rune(st.State)), raw["State"][:1]},
		{"Tgid", uint64(st.TGID), naiveUint(tb, raw["Tgid"])},
		{"PPid", uint64(st.PPID), naiveUint(tb, raw["PPid"])},
		{"Uid", strconv.Itoa(int(st.UID.Real)) + " " + strconv.Itoa(int(st.UID.Effective)) + " " +
			strconv.Itoa(int(st.UID.Saved)) + " " + strconv.Itoa(int(st.UID.FS)), ids(raw["Uid"])},
		{"FDSize", uint64(st.FDSize), naiveUint(tb, raw["FDSize"])},
		{"VmPeak", st.VmPeak, naiveKB(tb, raw["VmPeak"])},
		{"VmRSS", st.VmRSS, naiveKB(tb, raw["VmRSS"])},
		{"RssFile", st.RssFile, naiveKB(tb, raw["RssFile"])},
		{"VmData", st.VmData, naiveKB(tb, raw["VmData"])},
		{"VmSwap", st.VmSwap, naiveKB(tb, raw["VmSwap"])},
		{"HugetlbPages", st.HugetlbPages, naiveKB(tb, raw["HugetlbPages"])},
		{"Threads", uint64(st.Threads), naiveUint(tb, raw["Threads"])},
		{"SigBlk", uint64(st.SigBlk), hex(raw["SigBlk"])},
		{"CapEff", uint64(st.CapEff), hex(raw["CapEff"])},
		{"CapBnd", uint64(st.CapBnd), hex(raw["CapBnd"])},
		{"Cpus_allowed_list", st.CPUsAllowed.String(), raw["Cpus_allowed_list"]},
		{"voluntary_ctxt_switches", st.VoluntaryCtxtSwitches, naiveUint(tb, raw["voluntary_ctxt_switches"])},
		{"nonvoluntary_ctxt_switches", st.NonvoluntaryCtxtSwitches, naiveUint(tb, raw["nonvoluntary_ctxt_switches"])},
	} {
		if c.lx != c.raw {
			tb.Fatalf("status %s: lx %v, raw %v", c.key, c.lx, c.raw)
		}
	}
}

func checkLimits(tb testing.TB, p Proc, f rawFile, buf []byte) {
	raw := rawBytes(tb, f, buf, false)
	l, err := p.Limits()
	if err != nil {
		tb.Fatal(err)
	}
	value := func(s string) rlimit.Value {
		if s == "unlimited" {
			return rlimit.Unlimited
		}
		return rlimit.Value(naiveUint(tb, s))
	}
	rows := 0
	for line := range strings.SplitSeq(string(raw), "\n") {
		for r, name := range limitRows {
			if rest, ok := strings.CutPrefix(line, name+" "); ok {
				fs := strings.Fields(rest)
				if want := (rlimit.Limit{Soft: value(fs[0]), Hard: value(fs[1])}); l[r] != want {
					tb.Fatalf("limits %s: lx %v, raw %v", name, l[r], want)
				}
				rows++
			}
		}
	}
	if rows != len(limitRows) {
		tb.Fatalf("limits: %d rows in %q", rows, raw)
	}
}

func checkMeminfo(tb testing.TB, fsys FS, f rawFile, buf []byte) {
	raw := rawBytes(tb, f, buf, true)
	// The reader against the raw file, on lines that do not change.
	m, err := fsys.Meminfo()
	if err != nil {
		tb.Fatal(err)
	}
	keys := naiveKeys(raw)
	if m.MemTotal != naiveKB(tb, keys["MemTotal"]) || m.SwapTotal != naiveKB(tb, keys["SwapTotal"]) ||
		m.Hugepagesize != naiveKB(tb, keys["Hugepagesize"]) || m.MemTotal == 0 {
		tb.Fatalf("meminfo: lx %+v, raw %q", m, raw)
	}
	// The parser against the naive parse of the same bytes, on every line.
	m, err = parseMeminfo(raw)
	if err != nil {
		tb.Fatal(err)
	}
	v := reflect.ValueOf(m)
	for i, k := range meminfoKeys {
		s, ok := keys[k.name]
		if ok != m.Has(k.name) {
			tb.Fatalf("meminfo %s: present %v, lx %v", k.name, ok, m.Has(k.name))
		}
		if !ok {
			continue
		}
		want := naiveUint(tb, strings.TrimSuffix(s, " kB"))
		if !k.count {
			want *= 1024
		}
		if got := v.Field(i).Uint(); got != want {
			tb.Fatalf("meminfo %s: lx %d, raw %d", k.name, got, want)
		}
	}
}

func checkMountInfo(tb testing.TB, p Proc, f rawFile, buf []byte) {
	raw := rawBytes(tb, f, buf, true)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	ms, err := p.MountInfo()
	if err != nil {
		tb.Fatal(err)
	}
	var seq []Mount
	for v, err := range p.MountInfoSeq() {
		if err != nil {
			tb.Fatal(err)
		}
		seq = append(seq, v.Mount())
	}
	if len(ms) != len(lines) || len(seq) != len(lines) {
		tb.Fatalf("mountinfo: %d lines, lx %d, lx seq %d", len(lines), len(ms), len(seq))
	}
	for i, line := range lines {
		fs := strings.Split(line, " ")
		if strconv.Itoa(ms[i].ID) != fs[0] || ms[i].MountPoint != string(parse.Unescape(nil, []byte(fs[4]))) ||
			ms[i].Options != fs[5] || !reflect.DeepEqual(ms[i], seq[i]) {
			tb.Fatalf("mountinfo line %d %q: lx %+v, seq %+v", i+1, line, ms[i], seq[i])
		}
	}
}

func checkScan(tb testing.TB, fsys FS, pid int, dirbuf, buf, path []byte) {
	n, err := rawScan(dirbuf, buf, path)
	if err != nil {
		tb.Fatal(err)
	}
	lx, seen := 0, false
	for p, err := range fsys.Procs() {
		if err != nil {
			tb.Fatal(err)
		}
		var st Stat
		if p.ReadStat(&st) == nil {
			lx++
		}
		if p.PID() == pid {
			want, _ := p.Stat()
			seen = st == want && st.Comm.Equal("sleep")
		}
	}
	// Other processes may come and go between the two scans.
	if !seen || lx < n-10 || lx > n+10 || n < 300 {
		tb.Fatalf("scan: lx read %d processes (fixture seen: %v), raw %d", lx, seen, n)
	}
}

func checkSampler(tb testing.TB, s *Sampler, fixture Proc) {
	if err := s.Add(fixture.PID()); err != nil {
		tb.Fatal(err)
	}
	want, err := fixture.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	n, seen := 0, false
	for sm, err := range s.Sample() {
		if err != nil && !errors.Is(err, os.ErrProcessDone) {
			tb.Fatal(err)
		}
		n++
		if sm.PID == fixture.PID() {
			seen = sm.Stat == want
		}
	}
	// A process of the machine may have exited since benchSleepers
	// counted.
	if !seen || n < 295 {
		tb.Fatalf("sampler: %d samples, fixture's stat right: %v", n, seen)
	}
}
