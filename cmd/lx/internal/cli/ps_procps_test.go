package cli

// lx ps against procps's ps, on this machine at the same moment.

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lxgo/lx/procfs"
)

// procpsRow is one process (or thread) as procps ps shows it, or as lx
// ps reports it, in the same form: every compared column as ps prints
// it.
type procpsRow struct {
	pid    int               // the process of a thread row
	fields map[string]string // procpsColumns
	cpu    int64             // TIME, whole seconds
	pcpu   permille          // %CPU
	pcpuHi permille          // the most %CPU can be: ps prints whole percents above 99.9
	pmem   permille          // %MEM
	start  time.Time         // STARTED, whole seconds for ps
}

// procpsColumns are the columns compared exactly (when ps shows the same
// value before and after lx ran).
var procpsColumns = []string{"ppid", "stat", "uid", "user", "nlwp", "vsz", "rss", "tty", "comm"}

// psReportJSON is `lx ps --json` as a consumer decodes it: kernel strings
// are exact values (see json.go). decodeOne rejects fields this type
// lacks, so it is also the schema.
type psReportJSON struct {
	Processes []psProcessJSON `json:"processes"`
	Errors    []struct {
		PID   int   `json:"pid"`
		Error exact `json:"error"`
	} `json:"errors"`
}

type psProcessJSON struct {
	PID            int           `json:"pid"`
	TID            int           `json:"tid"`
	PPID           int           `json:"ppid"`
	PGID           int           `json:"pgid"`
	SID            int           `json:"sid"`
	TPGID          int           `json:"tpgid"`
	State          string        `json:"state"`
	StateName      string        `json:"state_name"`
	Stat           string        `json:"stat"`
	Nice           int           `json:"nice"`
	UID            uint32        `json:"uid"`
	User           *exact        `json:"user"`
	Threads        int           `json:"threads"`
	VSZ            uint64        `json:"vsz_bytes"`
	RSS            uint64        `json:"rss_bytes"`
	Locked         uint64        `json:"locked_bytes"`
	CPUTime        time.Duration `json:"cpu_time_ns"`
	CPUPercent     float64       `json:"cpu_percent"`
	MemPercent     float64       `json:"mem_percent"`
	Start          time.Time     `json:"start_time"`
	StartSinceBoot time.Duration `json:"start_since_boot_ns"`
	TTY            *string       `json:"tty"`
	TTYDev         *string       `json:"tty_dev"`
	Comm           exact         `json:"comm"`
	Cmdline        []exact       `json:"cmdline"`
	KernelThread   bool          `json:"kernel_thread"`
}

// procpsFormat is the -o list of procpsSnapshot: the columns lx also
// shows, with the widths that keep user and terminal names whole, then
// lstart (five words) and comm (which may hold spaces) last.
const procpsFormat = "pid,ppid,stat,uid,user:64,nlwp,vsz,rss,tty:64,time,%cpu,%mem"

// procpsSnapshot runs procps ps and returns its processes by PID, or with
// threads its threads (ps -L) by thread id.
func procpsSnapshot(t *testing.T, ps string, threads bool) map[int]procpsRow {
	t.Helper()
	format, sel := procpsFormat, "-e"
	if threads {
		format, sel = format+",lwp", "-eL"
	}
	nf := strings.Count(format, ",") + 1 + 5 // lstart is five words
	cmd := exec.Command(ps, sel, "-o", format+",lstart,comm", "--no-headers")
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ps: %v\n%s", err, stderr.Bytes())
	}
	rows := map[int]procpsRow{}
	for line := range strings.Lines(string(out)) {
		f, comm := cutFields(line, nf)
		if len(f) < nf {
			t.Fatalf("ps line with %d fields: %q", len(f), line)
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("ps pid %q: %v", f[0], err)
		}
		cpu, err := parsePSTime(f[9])
		if err != nil {
			t.Fatalf("ps TIME %q: %v", f[9], err)
		}
		pcpu, pcpuHi, err1 := parsePSPercent(f[10])
		pmem, _, err2 := parsePSPercent(f[11])
		if err1 != nil || err2 != nil {
			t.Fatalf("ps %%CPU %q, %%MEM %q: %v, %v", f[10], f[11], err1, err2)
		}
		start, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006", strings.Join(f[nf-5:nf], " "), time.Local)
		if err != nil {
			t.Fatalf("ps STARTED: %v", err)
		}
		id := pid
		if threads {
			if id, err = strconv.Atoi(f[12]); err != nil {
				t.Fatalf("ps lwp %q: %v", f[12], err)
			}
		}
		rows[id] = procpsRow{
			pid: pid,
			fields: map[string]string{
				"ppid": f[1], "stat": f[2], "uid": f[3], "user": f[4], "nlwp": f[5], "vsz": f[6], "rss": f[7], "tty": f[8],
				"comm": comm, // escaped by ps; its leading blanks are lost in the column gap
			},
			cpu: cpu, pcpu: pcpu, pcpuHi: pcpuHi, pmem: pmem, start: start,
		}
	}
	return rows
}

// parsePSPercent parses ps's %CPU or %MEM into tenths of a percent, and
// the largest value the text can stand for: "12.3" is exactly 123,
// "150" (%CPU above 99.9) anything from 1500 to 1509.
func parsePSPercent(s string) (lo, hi permille, err error) {
	whole, tenth, dot := strings.Cut(s, ".")
	w, err := strconv.ParseUint(whole, 10, 32)
	if err != nil {
		return 0, 0, err
	}
	if !dot {
		return permille(w * 10), permille(w*10 + 9), nil
	}
	d, err := strconv.ParseUint(tenth, 10, 8)
	if err != nil || len(tenth) != 1 {
		return 0, 0, fmt.Errorf("%%: want one decimal, got %q", s)
	}
	return permille(w*10 + d), permille(w*10 + d), nil
}

// lxSnapshot runs `lx ps --json` with the extra arguments in-process and
// returns its rows by PID (by thread id with -L) in ps's form, and as
// decoded.
func lxSnapshot(t *testing.T, extra ...string) (map[int]procpsRow, map[int]psProcessJSON) {
	t.Helper()
	args := append([]string{"ps", "--json"}, extra...)
	threads := slices.Contains(extra, "-L")
	stdout, stderr, code := runLX(t, args...)
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	var r psReportJSON
	if err := decodeOne(stdout, &r); err != nil {
		t.Fatalf("lx ps --json does not parse back: %v", err)
	}
	rows := map[int]procpsRow{}
	decoded := map[int]psProcessJSON{}
	for _, p := range r.Processes {
		id := p.PID
		if threads {
			id = p.TID
		}
		if _, dup := rows[id]; dup {
			t.Fatalf("id %d listed twice", id)
		}
		decoded[id] = p
		user := strconv.FormatUint(uint64(p.UID), 10)
		if p.User != nil {
			user = procpsEscape(string(*p.User))
		}
		tty := "?"
		switch {
		case p.TTY != nil:
			tty = *p.TTY
		case p.TTYDev != nil:
			tty = *p.TTYDev
		}
		rows[id] = procpsRow{
			pid: p.PID,
			fields: map[string]string{
				"ppid": strconv.Itoa(p.PPID), "stat": p.Stat, "uid": strconv.FormatUint(uint64(p.UID), 10),
				"user": user, "nlwp": strconv.Itoa(p.Threads),
				"vsz": strconv.FormatUint(p.VSZ/1024, 10), "rss": strconv.FormatUint(p.RSS/1024, 10), "tty": tty,
				"comm": strings.TrimLeft(procpsEscape(string(p.Comm)), " "),
			},
			cpu:   int64(p.CPUTime / time.Second),
			pcpu:  permille(math.Round(p.CPUPercent * 10)),
			pmem:  permille(math.Round(p.MemPercent * 10)),
			start: p.Start,
		}
	}
	return rows, decoded
}

// cutFields returns the first n whitespace-separated fields of line and
// the rest after them, with its leading blanks removed.
func cutFields(line string, n int) (fields []string, rest string) {
	rest = strings.TrimRight(line, "\n")
	for range n {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			i = len(rest)
		}
		fields = append(fields, rest[:i])
		rest = rest[i:]
	}
	return fields, strings.TrimLeft(rest, " \t")
}

// parsePSTime parses ps's TIME column, [DD-]HH:MM:SS, into seconds.
func parsePSTime(s string) (int64, error) {
	var days int64
	if d, rest, ok := strings.Cut(s, "-"); ok {
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return 0, err
		}
		days, s = n, rest
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("want HH:MM:SS, got %q", s)
	}
	var secs int64
	for _, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, err
		}
		secs = secs*60 + n
	}
	return days*86400 + secs, nil
}

// psMismatch is one disagreement between lx and procps.
type psMismatch struct {
	id    int // process or thread id
	field string
}

// cpuTolerance is how many tenths of a percent lx's %CPU may differ from
// ps's beyond the range of ps's two readings, for a process that has run
// for elapsed: one for the truncation of both, and three ticks of the
// elapsed time's share (procps converts /proc/uptime to ticks through
// doubles twice, each of which can lose a tick, and lx reads the
// uptime at another moment). For a process that has run for seconds
// this is 1; for one started just before the test it can be more.
func cpuTolerance(pcpu permille, elapsed time.Duration) permille {
	ticks := max(int64(elapsed/procfs.ClockTick), 1)
	return 1 + permille(int64(pcpu)*3/ticks)
}

// comparePS compares lx's snapshot with the ps snapshots taken just before
// (ps1) and just after (ps2) it, at now (just before lx's). Only rows
// that existed throughout are compared: present in both ps runs with the
// same start time (an id reused in between would have a different one).
// Such a row must be in lx's list. A column is compared when ps showed
// the same value both times; a value that changed in between (a state, a
// thread count, a growing RSS) may legitimately differ. CPU time only
// grows, so lx's must lie between the two. %CPU and %MEM move both ways
// between the reads (CPU time and age grow, the resident set changes), so
// lx's must lie between ps's two values, %CPU within cpuTolerance. The
// state letter of the test process itself is not compared: it is running
// while it reads itself. With threads (rows of ps -L and lx ps -L), the
// CPU time and %CPU of a main thread are not compared: ps -L reads the
// main thread's row from /proc/PID (simple_readproc, "to avoid loss of
// some thread group leader data", in readeither of library/readproc.c),
// so it shows the whole process's CPU time there, where lx shows the
// main thread's own from /proc/PID/task/PID. It returns the mismatches
// with a description, and how many rows were compared.
func comparePS(ps1, lx, ps2 map[int]procpsRow, self int, now time.Time, threads bool) (map[psMismatch]string, int) {
	bad := map[psMismatch]string{}
	compared := 0
	for _, id := range slices.Sorted(maps.Keys(ps1)) {
		a := ps1[id]
		b, ok := ps2[id]
		if !ok || !a.start.Equal(b.start) {
			continue
		}
		l, ok := lx[id]
		if !ok {
			bad[psMismatch{id, "present"}] = fmt.Sprintf("%d (%s) is in both ps runs but not in lx ps", id, a.fields["comm"])
			continue
		}
		compared++
		for _, f := range procpsColumns {
			want, got := a.fields[f], l.fields[f]
			if f == "stat" && a.pid == self {
				want, got = want[1:], got[min(1, len(got)):]
			}
			if a.fields[f] == b.fields[f] && got != want {
				bad[psMismatch{id, f}] = fmt.Sprintf("%d %s: ps %q, lx %q", id, f, a.fields[f], l.fields[f])
			}
		}
		if threads && id == a.pid {
			// the main thread: ps shows the process's CPU time
		} else if l.cpu < a.cpu || l.cpu > b.cpu {
			bad[psMismatch{id, "time"}] = fmt.Sprintf("%d cpu time: ps %ds then %ds, lx %ds in between", id, a.cpu, b.cpu, l.cpu)
		}
		tol := cpuTolerance(max(a.pcpuHi, b.pcpuHi), now.Sub(l.start))
		if threads && id == a.pid {
			// likewise
		} else if l.pcpu+tol < min(a.pcpu, b.pcpu) || l.pcpu > max(a.pcpuHi, b.pcpuHi)+tol {
			bad[psMismatch{id, "%cpu"}] = fmt.Sprintf("%d %%cpu: ps %s then %s, lx %s (tolerance %s)", id,
				formatPercent(uint64(a.pcpu)), formatPercent(uint64(b.pcpu)), formatPercent(uint64(l.pcpu)), formatPercent(uint64(tol)))
		}
		if l.pmem < min(a.pmem, b.pmem) || l.pmem > max(a.pmem, b.pmem) {
			bad[psMismatch{id, "%mem"}] = fmt.Sprintf("%d %%mem: ps %s then %s, lx %s", id,
				formatPercent(uint64(a.pmem)), formatPercent(uint64(b.pmem)), formatPercent(uint64(l.pmem)))
		}
		// ps adds btime of /proc/stat, whole seconds and up to one second
		// early, and truncates; lx is exact to the tick. Allow that.
		if d := l.start.Sub(a.start); d < -time.Second || d > 2*time.Second {
			bad[psMismatch{id, "start"}] = fmt.Sprintf("%d start: ps %s, lx %s", id, a.start, l.start)
		}
	}
	return bad, compared
}

// TestPSMatchesProcps runs procps ps, lx ps and ps again, and checks that
// lx agrees with ps on every process that existed throughout, and then
// with ps -L and lx ps -L on every thread. A mismatch is checked again in
// later rounds and fails the test only if it persists: a process can
// change state, thread count or RSS between the runs and back.
func TestPSMatchesProcps(t *testing.T) {
	ps, err := exec.LookPath("ps")
	if err != nil {
		t.Skip("procps ps is not installed")
	}
	self := os.Getpid()
	// A process with every STAT modifier ps knows but N, a terminal and
	// (as root) an effective uid that differs from the real one.
	odd := startOddHelper(t)
	// Processes whose names and arguments hold control characters, bytes
	// that are not UTF-8, spaces and parentheses: lx and ps must agree on
	// them too (they did not when lx turned each bad byte into U+FFFD).
	hostiles := startHostile(t)
	for _, threads := range []bool{false, true} {
		t.Run(fmt.Sprintf("threads=%v", threads), func(t *testing.T) {
			var pending map[psMismatch]string
			const rounds = 6
			for round := range rounds {
				ps1 := procpsSnapshot(t, ps, threads)
				now := time.Now()
				var extra []string
				if threads {
					extra = []string{"-L"}
				}
				lx, decoded := lxSnapshot(t, extra...)
				ps2 := procpsSnapshot(t, ps, threads)
				bad, compared := comparePS(ps1, lx, ps2, self, now, threads)
				if compared < 5 || compared < len(ps1)/2 {
					t.Fatalf("round %d: compared only %d of %d", round, compared, len(ps1))
				}
				for _, pid := range append([]int{self, odd.pid}, hostilePIDs(hostiles)...) {
					if _, ok := lx[pid]; !ok {
						t.Fatalf("lx ps does not list process %d", pid)
					}
				}
				if p := decoded[odd.pid]; !odd.statOK(p.Stat) || p.TTY == nil || *p.TTY != odd.tty ||
					ps1[odd.pid].fields["tty"] != odd.tty || !odd.statOK(ps1[odd.pid].fields["stat"]) {
					t.Fatalf("helper %d: lx says stat %q, tty %v; ps %q, %q; want %s on %s",
						odd.pid, p.Stat, p.TTY, ps1[odd.pid].fields["stat"], ps1[odd.pid].fields["tty"], odd.stat, odd.tty)
				}
				if odd.euid != "" && (ps1[odd.pid].fields["uid"] != odd.euid || lx[odd.pid].fields["uid"] != odd.euid) {
					t.Fatalf("process %d with euid %s: ps says uid %q, lx %q", odd.pid, odd.euid, ps1[odd.pid].fields["uid"], lx[odd.pid].fields["uid"])
				}
				if round == 0 {
					pending = bad
					t.Logf("compared %d; %d mismatches to re-check", compared, len(bad))
					for _, msg := range bad {
						t.Logf("round 0: %s", msg)
					}
				} else {
					// Keep only mismatches that happened again.
					for k := range pending {
						if msg, again := bad[k]; again {
							pending[k] = msg
						} else {
							delete(pending, k)
						}
					}
				}
				if len(pending) == 0 {
					return
				}
			}
			for _, k := range slices.SortedFunc(maps.Keys(pending), func(a, b psMismatch) int {
				return a.id - b.id
			}) {
				t.Errorf("in all %d rounds: %s", rounds, pending[k])
			}
		})
	}
}

func hostilePIDs(hs []hostile) []int {
	pids := make([]int, len(hs))
	for i, h := range hs {
		pids[i] = h.pid
	}
	return pids
}

// TestComparePSCanFail checks that the comparison of TestPSMatchesProcps
// reports disagreements, and tolerates only values that changed.
func TestComparePSCanFail(t *testing.T) {
	start := time.Unix(1700000000, 0)
	now := start.Add(time.Hour)
	row := func(pid int, uid, stat string, cpu int64, pcpu, pmem permille) procpsRow {
		return procpsRow{pid: pid, fields: map[string]string{"ppid": "1", "stat": stat, "uid": uid, "user": "root", "nlwp": "1",
			"vsz": "200", "rss": "100", "tty": "?", "comm": "x"},
			cpu: cpu, pcpu: pcpu, pcpuHi: pcpu, pmem: pmem, start: start}
	}
	ps1 := map[int]procpsRow{
		10: row(10, "0", "S", 5, 10, 5), 11: row(11, "0", "S", 5, 10, 5), 12: row(12, "0", "S", 5, 10, 5),
		13: row(13, "0", "R", 5, 10, 5), 14: row(14, "0", "S", 5, 10, 5), 15: row(15, "0", "Ss", 5, 10, 5),
		16: row(16, "0", "S", 5, 10, 5), 17: row(17, "0", "S", 5, 10, 5), 18: row(18, "0", "S", 5, 10, 5),
	}
	ps2 := maps.Clone(ps1)
	ps2[10] = row(10, "0", "S", 6, 12, 5)
	ps2[13] = row(13, "0", "S", 5, 10, 5)
	lx := map[int]procpsRow{
		10: row(10, "0", "S", 6, 11, 5),    // agrees: time and %cpu between the ps runs
		11: row(11, "1000", "S", 5, 10, 5), // wrong uid
		12: row(12, "0", "S", 4, 10, 5),    // CPU time went backwards
		13: row(13, "0", "D", 5, 10, 5),    // state changed between the ps runs: tolerated
		// 14 missing
		15: row(15, "0", "S", 5, 10, 5), // a modifier lost
		16: row(16, "0", "S", 5, 12, 5), // %cpu 0.2 off: beyond the tolerance of an hour-old process
		17: row(17, "0", "S", 5, 10, 6), // %mem off
		18: row(18, "0", "S", 5, 11, 5), // %cpu 0.1 off: within the tolerance
	}
	bad, compared := comparePS(ps1, lx, ps2, 0, now, false)
	if compared != 8 {
		t.Errorf("compared %d, want 8", compared)
	}
	want := []psMismatch{{11, "uid"}, {12, "time"}, {14, "present"}, {15, "stat"}, {16, "%cpu"}, {17, "%mem"}}
	got := slices.SortedFunc(maps.Keys(bad), func(a, b psMismatch) int { return a.id - b.id })
	if !slices.Equal(got, want) {
		t.Errorf("mismatches %v, want %v", got, want)
	}
	// A started-later process with a reused PID is not compared.
	r := ps2[10]
	r.start = start.Add(time.Minute)
	ps2[10] = r
	if _, n := comparePS(ps1, lx, ps2, 0, now, false); n != 7 {
		t.Errorf("compared %d with a reused PID, want 7", n)
	}
	// The state letter of the test process itself is not compared, its
	// modifiers are.
	if bad, _ := comparePS(map[int]procpsRow{15: ps1[15]}, map[int]procpsRow{15: row(15, "0", "Rs", 5, 10, 5)},
		map[int]procpsRow{15: ps1[15]}, 15, now, false); len(bad) != 0 {
		t.Errorf("self with another state: %v", bad)
	}
	if bad, _ := comparePS(map[int]procpsRow{15: ps1[15]}, map[int]procpsRow{15: row(15, "0", "R", 5, 10, 5)},
		map[int]procpsRow{15: ps1[15]}, 15, now, false); len(bad) != 1 {
		t.Errorf("self without its s: %v", bad)
	}
}

func TestCPUTolerance(t *testing.T) {
	for _, tc := range []struct {
		pcpu    permille
		elapsed time.Duration
		want    permille
	}{
		{0, time.Hour, 1},
		{999, time.Hour, 1},                 // 3 ticks of 360000: under a tenth
		{999, 3 * time.Second, 10},          // 3 ticks of 300: 1%
		{500, 0, 1501},                      // started this tick
		{1500, 100 * time.Millisecond, 451}, // 3 ticks of 10
	} {
		if got := cpuTolerance(tc.pcpu, tc.elapsed); got != tc.want {
			t.Errorf("cpuTolerance(%d, %v) = %d, want %d", tc.pcpu, tc.elapsed, got, tc.want)
		}
	}
}

func TestParsePSPercent(t *testing.T) {
	for in, want := range map[string][2]permille{"0.0": {0, 0}, "12.3": {123, 123}, "99.9": {999, 999}, "150": {1500, 1509}} {
		lo, hi, err := parsePSPercent(in)
		if err != nil || lo != want[0] || hi != want[1] {
			t.Errorf("parsePSPercent(%q) = %d, %d, %v; want %v", in, lo, hi, err, want)
		}
	}
	for _, in := range []string{"", "x", "1.23", "1.", "-1.0"} {
		if _, _, err := parsePSPercent(in); err == nil {
			t.Errorf("parsePSPercent(%q) succeeded", in)
		}
	}
}

func TestParsePSTime(t *testing.T) {
	for in, want := range map[string]int64{"00:00:00": 0, "01:02:03": 3723, "2-00:00:01": 172801} {
		if got, err := parsePSTime(in); err != nil || got != want {
			t.Errorf("parsePSTime(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1:2", "a:b:c", "x-00:00:00"} {
		if _, err := parsePSTime(in); err == nil {
			t.Errorf("parsePSTime(%q) succeeded", in)
		}
	}
}
