package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/procfs"
)

// psRow is one process as procps ps shows it, or as lx ps reports it, in
// the same form: every compared column as ps prints it.
type psRow struct {
	fields map[string]string // ppid, state, uid, nlwp, rss (KiB), comm
	cpu    int64             // TIME, whole seconds
	start  time.Time         // STARTED, whole seconds
}

// psColumns are the columns compared exactly (when ps shows the same value
// before and after lx ran).
var psColumns = []string{"ppid", "state", "uid", "nlwp", "rss", "comm"}

// psReportJSON is `lx ps --json` as a consumer decodes it: kernel strings
// are exact values (see json.go).
type psReportJSON struct {
	Processes []psProcessJSON `json:"processes"`
	Errors    []struct {
		PID   int   `json:"pid"`
		Error exact `json:"error"`
	} `json:"errors"`
}

type psProcessJSON struct {
	PID          int           `json:"pid"`
	PPID         int           `json:"ppid"`
	State        string        `json:"state"`
	UID          uint32        `json:"uid"`
	Threads      int           `json:"threads"`
	RSS          uint64        `json:"rss_bytes"`
	CPUTime      time.Duration `json:"cpu_time_ns"`
	Start        time.Time     `json:"start_time"`
	Comm         exact         `json:"comm"`
	Cmdline      []exact       `json:"cmdline"`
	KernelThread bool          `json:"kernel_thread"`
}

// procpsSnapshot runs procps ps and returns its processes by PID.
func procpsSnapshot(t *testing.T, ps string) map[int]psRow {
	t.Helper()
	cmd := exec.Command(ps, "-eo", "pid,ppid,stat,uid,nlwp,rss,time,lstart,comm", "--no-headers")
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ps: %v\n%s", err, stderr.Bytes())
	}
	rows := map[int]psRow{}
	for line := range strings.Lines(string(out)) {
		f, comm := cutFields(line, 12)
		if len(f) < 12 {
			t.Fatalf("ps line with %d fields: %q", len(f), line)
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("ps pid %q: %v", f[0], err)
		}
		cpu, err := parsePSTime(f[6])
		if err != nil {
			t.Fatalf("ps TIME %q: %v", f[6], err)
		}
		start, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006", strings.Join(f[7:12], " "), time.Local)
		if err != nil {
			t.Fatalf("ps STARTED: %v", err)
		}
		rows[pid] = psRow{
			fields: map[string]string{
				"ppid": f[1], "state": f[2][:1], "uid": f[3], "nlwp": f[4], "rss": f[5],
				"comm": comm, // escaped by ps; its leading blanks are lost in the column gap
			},
			cpu: cpu, start: start,
		}
	}
	return rows
}

// lxSnapshot runs `lx ps --json` in-process and returns its processes by
// PID in ps's form, and as decoded.
func lxSnapshot(t *testing.T) (map[int]psRow, map[int]psProcessJSON) {
	t.Helper()
	stdout, stderr, code := runLX(t, "ps", "--json")
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx ps --json: exit %d, stderr:\n%s", code, stderr)
	}
	var r psReportJSON
	if err := decodeOne(stdout, &r); err != nil {
		t.Fatalf("lx ps --json does not parse back: %v", err)
	}
	rows := map[int]psRow{}
	decoded := map[int]psProcessJSON{}
	for _, p := range r.Processes {
		if _, dup := rows[p.PID]; dup {
			t.Fatalf("pid %d listed twice", p.PID)
		}
		decoded[p.PID] = p
		rows[p.PID] = psRow{
			fields: map[string]string{
				"ppid": strconv.Itoa(p.PPID), "state": p.State, "uid": strconv.FormatUint(uint64(p.UID), 10),
				"nlwp": strconv.Itoa(p.Threads), "rss": strconv.FormatUint(p.RSS/1024, 10),
				"comm": strings.TrimLeft(procpsEscape(string(p.Comm)), " "),
			},
			cpu:   int64(p.CPUTime / time.Second),
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
	pid   int
	field string
}

// comparePS compares lx's snapshot with the ps snapshots taken just before
// (ps1) and just after (ps2) it. Only processes that existed throughout
// are compared: present in both ps runs with the same start time (a PID
// reused in between would have a different one). Such a process must be
// in lx's list. A column is compared when ps showed the same value both
// times; a value that changed in between (a state, a thread count, a
// growing RSS) may legitimately differ. CPU time only grows, so lx's must
// lie between the two. The state of the test process itself is not
// compared: it is running while it reads itself. It returns the
// mismatches with a description, and how many processes were compared.
func comparePS(ps1, lx, ps2 map[int]psRow, self int) (map[psMismatch]string, int) {
	bad := map[psMismatch]string{}
	compared := 0
	for _, pid := range slices.Sorted(maps.Keys(ps1)) {
		a := ps1[pid]
		b, ok := ps2[pid]
		if !ok || !a.start.Equal(b.start) {
			continue
		}
		l, ok := lx[pid]
		if !ok {
			bad[psMismatch{pid, "present"}] = fmt.Sprintf("pid %d (%s) is in both ps runs but not in lx ps", pid, a.fields["comm"])
			continue
		}
		compared++
		for _, f := range psColumns {
			if f == "state" && pid == self {
				continue
			}
			if a.fields[f] == b.fields[f] && l.fields[f] != a.fields[f] {
				bad[psMismatch{pid, f}] = fmt.Sprintf("pid %d %s: ps %q, lx %q", pid, f, a.fields[f], l.fields[f])
			}
		}
		if l.cpu < a.cpu || l.cpu > b.cpu {
			bad[psMismatch{pid, "time"}] = fmt.Sprintf("pid %d cpu time: ps %ds then %ds, lx %ds in between", pid, a.cpu, b.cpu, l.cpu)
		}
		// ps computes the boot time its own way, to the second; allow that.
		if d := l.start.Sub(a.start); d < -time.Second || d > 2*time.Second {
			bad[psMismatch{pid, "start"}] = fmt.Sprintf("pid %d start: ps %s, lx %s", pid, a.start, l.start)
		}
	}
	return bad, compared
}

// TestPSMatchesProcps runs procps ps, lx ps and ps again, and checks that
// lx agrees with ps on every process that existed throughout. A mismatch
// is checked again in later rounds and fails the test only if it persists:
// a process can change state, thread count or RSS between the runs and
// back.
func TestPSMatchesProcps(t *testing.T) {
	ps, err := exec.LookPath("ps")
	if err != nil {
		t.Skip("procps ps is not installed")
	}
	self := os.Getpid()
	// As root, add a process whose real and effective uids differ and that
	// is not dumpable, so that its /proc/PID directory belongs to root: ps's
	// "uid" column is the effective uid, not the directory's owner.
	odd := 0
	if os.Geteuid() == 0 {
		odd = startUIDHelper(t)
	}
	// Processes whose names and arguments hold control characters, bytes
	// that are not UTF-8, spaces and parentheses: lx and ps must agree on
	// them too (they did not when lx turned each bad byte into U+FFFD).
	hostiles := startHostile(t)
	var pending map[psMismatch]string
	const rounds = 6
	for round := range rounds {
		ps1 := procpsSnapshot(t, ps)
		lx, _ := lxSnapshot(t)
		ps2 := procpsSnapshot(t, ps)
		bad, compared := comparePS(ps1, lx, ps2, self)
		if compared < 5 || compared < len(ps1)/2 {
			t.Fatalf("round %d: compared only %d of %d processes", round, compared, len(ps1))
		}
		if _, ok := lx[self]; !ok {
			t.Fatalf("lx ps does not list the test process %d", self)
		}
		for _, h := range hostiles {
			if _, ok := lx[h.pid]; !ok {
				t.Fatalf("lx ps does not list the hostile process %d", h.pid)
			}
		}
		if odd != 0 && (ps1[odd].fields["uid"] != "2000" || lx[odd].fields["uid"] != "2000") {
			t.Fatalf("process %d with euid 2000: ps says uid %q, lx %q", odd, ps1[odd].fields["uid"], lx[odd].fields["uid"])
		}
		if round == 0 {
			pending = bad
			t.Logf("compared %d processes; %d mismatches to re-check", compared, len(bad))
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
		return a.pid - b.pid
	}) {
		t.Errorf("in all %d rounds: %s", rounds, pending[k])
	}
}

// uidHelperEnv makes the test binary run as the helper of startUIDHelper.
const uidHelperEnv = "LX_CLI_TEST_UID_HELPER"

// TestUIDHelper is not a test: run by startUIDHelper, it takes real uid
// 1000 and effective uid 2000, drops dumpable, says "ready" and waits for
// its stdin to close.
func TestUIDHelper(t *testing.T) {
	if os.Getenv(uidHelperEnv) == "" {
		t.Skip("helper process for TestPSMatchesProcps")
	}
	if err := syscall.Setresuid(1000, 2000, 2000); err != nil {
		t.Fatal(err)
	}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0, 0, 0, 0); e != 0 {
		t.Fatal(e)
	}
	os.Stdout.WriteString("ready\n")
	io.Copy(io.Discard, os.Stdin)
}

// startUIDHelper starts TestUIDHelper in a child and returns its PID once
// it is ready. The child ends when the test does.
func startUIDHelper(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestUIDHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), uidHelperEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("uid helper: %q, %v", line, err)
	}
	pid := cmd.Process.Pid
	for _, name := range []string{"", "/status"} {
		if st, err := os.Stat(fmt.Sprintf("/proc/%d%s", pid, name)); err == nil {
			t.Logf("uid helper: /proc/%d%s is owned by uid %d", pid, name, st.Sys().(*syscall.Stat_t).Uid)
		}
	}
	return pid
}

// TestComparePSCanFail checks that the comparison of TestPSMatchesProcps
// reports disagreements, and tolerates only values that changed.
func TestComparePSCanFail(t *testing.T) {
	start := time.Unix(1700000000, 0)
	row := func(uid, state string, cpu int64) psRow {
		return psRow{fields: map[string]string{"ppid": "1", "state": state, "uid": uid, "nlwp": "1", "rss": "100", "comm": "x"},
			cpu: cpu, start: start}
	}
	ps1 := map[int]psRow{10: row("0", "S", 5), 11: row("0", "S", 5), 12: row("0", "S", 5), 13: row("0", "R", 5), 14: row("0", "S", 5)}
	ps2 := map[int]psRow{10: row("0", "S", 6), 11: row("0", "S", 5), 12: row("0", "S", 5), 13: row("0", "S", 5), 14: row("0", "S", 5)}
	lx := map[int]psRow{
		10: row("0", "S", 6),    // agrees
		11: row("1000", "S", 5), // wrong uid
		12: row("0", "S", 4),    // CPU time went backwards
		13: row("0", "D", 5),    // state changed between the ps runs: tolerated
		// 14 missing
	}
	bad, compared := comparePS(ps1, lx, ps2, 0)
	if compared != 4 {
		t.Errorf("compared %d, want 4", compared)
	}
	want := []psMismatch{{11, "uid"}, {12, "time"}, {14, "present"}}
	got := slices.SortedFunc(maps.Keys(bad), func(a, b psMismatch) int { return a.pid - b.pid })
	if !slices.Equal(got, want) {
		t.Errorf("mismatches %v, want %v", got, want)
	}
	// A started-later process with a reused PID is not compared.
	ps2[10] = psRow{fields: ps2[10].fields, cpu: 6, start: start.Add(time.Minute)}
	if _, n := comparePS(ps1, lx, ps2, 0); n != 3 {
		t.Errorf("compared %d with a reused PID, want 3", n)
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

// writeTree writes files (path -> content) below dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeStat returns a /proc/PID/stat line with the fields lx ps reads set
// and the rest zero.
func fakeStat(pid int, comm string, state byte, ppid int, flags uint32, utime, stime uint64, threads int, start uint64) string {
	f := []string{string(state), strconv.Itoa(ppid), "0", "0", "0", "-1", strconv.FormatUint(uint64(flags), 10),
		"0", "0", "0", "0", strconv.FormatUint(utime, 10), strconv.FormatUint(stime, 10), "0", "0", "20", "0",
		strconv.Itoa(threads), "0", strconv.FormatUint(start, 10), "0", "0", "18446744073709551615"}
	for range 27 { // fields 26 to 52
		f = append(f, "0")
	}
	return fmt.Sprintf("%d (%s) %s\n", pid, comm, strings.Join(f, " "))
}

func fakeStatus(name string, state byte, pid, ppid int, uids string, threads int, rssKB int) string {
	s := fmt.Sprintf("Name:\t%s\nState:\t%c (x)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nUid:\t%s\nGid:\t0\t0\t0\t0\n",
		name, state, pid, pid, ppid, uids)
	if rssKB >= 0 {
		s += fmt.Sprintf("VmRSS:\t%8d kB\n", rssKB)
	}
	return s + fmt.Sprintf("Threads:\t%d\n", threads)
}

// TestPSFixture runs lx ps on a fake /proc: a process with a multi-word
// command line holding a byte that is not UTF-8, a kernel thread, a
// zombie, one whose stat is broken (reported, exit 1) and one that
// vanished (skipped).
func TestPSFixture(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "proc") // procfs.NewFS reads root/proc
	writeTree(t, dir, map[string]string{
		"stat": "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 5 0\nctxt 9\nbtime 1700000000\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n",
		// init: 2 s of CPU, started 1 s after boot
		"1/stat":    fakeStat(1, "init", 'S', 0, 0x400100, 150, 50, 1, 100),
		"1/status":  fakeStatus("init", 'S', 1, 0, "0\t0\t0\t0", 1, 4096),
		"1/cmdline": "/sbin/init\x00splash\x00",
		// a kernel thread: no command line, no memory
		"2/stat":    fakeStat(2, "kthreadd", 'S', 0, 0x208040, 0, 3, 1, 1),
		"2/status":  fakeStatus("kthreadd", 'S', 2, 0, "0\t0\t0\t0", 1, -1),
		"2/cmdline": "",
		// a zombie, started 50.99 s after boot: shown to the second
		"37/stat":    fakeStat(37, "sh", 'Z', 1, 0x40040c, 1, 1, 1, 5099), // 50.99 s after boot
		"37/status":  fakeStatus("sh", 'Z', 37, 1, "1000\t1000\t1000\t1000", 1, -1),
		"37/cmdline": "",
		// a setuid program (real uid 1000, effective 0) with a comm holding
		// a space, an argument with spaces and one that is not UTF-8; one
		// day, 1 h 2 min 3 s of CPU
		"100/stat":    fakeStat(100, "we ird", 'R', 1, 0x400000, 9000000, 12300, 3, 360000),
		"100/status":  fakeStatus("we ird", 'R', 100, 1, "1000\t0\t0\t0", 3, 1536),
		"100/cmdline": "./prog\x00a b\x00\xff\x00",
		// broken stat: reported
		"200/stat":    "200 (x) S 1\n",
		"200/status":  fakeStatus("x", 'S', 200, 1, "0\t0\t0\t0", 1, 0),
		"200/cmdline": "",
		// vanished after the listing: the directory is empty
		"300/.keep": "",
		// not a process
		"self/.keep": "",
	})
	fsys, err := procfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	cmd := &psCommand{fs: fsys, loc: time.UTC}

	var out, errOut bytes.Buffer
	code := run(context.Background(), cmd, nil, &Env{Stdout: &out, Stderr: &errOut})
	if code != ExitError {
		t.Errorf("exit code %d, want %d", code, ExitError)
	}
	got := out.String()
	wantLines := []string{
		"PID  PPID  S  UID   THR  RSS      TIME        STARTED                    COMM      COMMAND",
		"1    0     S  0     1    4 MiB    00:00:02    2023-11-14 22:13:21 +0000  init      /sbin/init splash",
		"2    0     S  0     1    0 B      00:00:00    2023-11-14 22:13:20 +0000  kthreadd  [kthreadd]",
		"37   1     Z  1000  1    0 B      00:00:00    2023-11-14 22:14:10 +0000  sh        [sh] <defunct>",
		`100  1     R  0     3    1.5 MiB  1-01:02:03  2023-11-14 23:13:20 +0000  we ird    ./prog 'a b' $'\xff'`,
	}
	if got != strings.Join(wantLines, "\n")+"\n" {
		t.Errorf("table:\n%s\nwant:\n%s", got, strings.Join(wantLines, "\n"))
	}
	wantErr := []string{"lx ps: process 200: ", "stat: pgrp: missing", "lx ps: 1 of 5 processes could not be read"}
	for _, s := range wantErr {
		if !strings.Contains(errOut.String(), s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut.String())
		}
	}
	if strings.Contains(errOut.String(), "300") {
		t.Errorf("the vanished process 300 was reported:\n%s", errOut.String())
	}

	out.Reset()
	errOut.Reset()
	code = run(context.Background(), cmd, []string{"--json"}, &Env{Stdout: &out, Stderr: &errOut})
	if code != ExitError {
		t.Errorf("--json: exit code %d, want %d", code, ExitError)
	}
	var r psReportJSON
	if err := decodeOne(out.String(), &r); err != nil {
		t.Fatalf("JSON does not parse back: %v\n%s", err, out.String())
	}
	if len(r.Errors) != 1 || r.Errors[0].PID != 200 || !strings.Contains(string(r.Errors[0].Error), "stat") {
		t.Errorf("errors %+v, want one for pid 200", r.Errors)
	}
	if len(r.Processes) != 4 {
		t.Fatalf("%d processes, want 4", len(r.Processes))
	}
	p := r.Processes[3]
	boot := time.Unix(1700000000, 0)
	if p.PID != 100 || p.PPID != 1 || p.State != "R" || p.UID != 0 || p.Threads != 3 || p.RSS != 1536*1024 ||
		p.CPUTime != (25*3600+2*60+3)*time.Second || !p.Start.Equal(boot.Add(time.Hour)) || p.Comm != "we ird" || p.KernelThread {
		t.Errorf("process 100: %+v", p)
	}
	if got := exacts(p.Cmdline); !slices.Equal(got, []string{"./prog", "a b", "\xff"}) {
		t.Errorf("cmdline %q, want exactly ./prog, a b, \\xff", got)
	}
	if !strings.Contains(out.String(), `"base64": "/w=="`) {
		t.Errorf("the byte that is not UTF-8 is not in base64:\n%s", out.String())
	}
	k := r.Processes[1]
	if !k.KernelThread || k.Cmdline == nil || len(k.Cmdline) != 0 {
		t.Errorf("kernel thread: %+v", k)
	}
	for _, want := range []string{`"start_time": "2023-11-14T23:13:20Z"`, `"start_time": "2023-11-14T22:14:10Z"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no RFC 3339 start time to the second %s in:\n%s", want, out.String())
		}
	}
}

func TestPSUsage(t *testing.T) {
	stdout, stderr, code := runLX(t, "ps", "extra")
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, `ps takes no arguments, got "extra"`) {
		t.Errorf("lx ps extra: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// BenchmarkGatherPS measures one scan of this machine's /proc, the work of
// `lx ps` without the output.
func BenchmarkGatherPS(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		r, err := gatherPS(context.Background(), procfs.Default(), time.UTC)
		if err != nil {
			b.Fatal(err)
		}
		n = len(r.Processes)
	}
	b.ReportMetric(float64(n), "procs")
}
