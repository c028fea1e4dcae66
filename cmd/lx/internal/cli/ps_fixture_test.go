package cli

// lx ps on a fake /proc: every column, flag and layout with known values.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lxgo/lx/procfs"
)

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

// fakeTask is one process or thread of a fake /proc: the fields of stat
// and status lx ps reads.
type fakeTask struct {
	pid, ppid, pgrp, sid, tpgid int
	comm                        string
	state                       byte
	tty                         uint32 // tty_nr as the kernel encodes it: major<<8 | minor (small minors)
	flags                       uint32
	utime, stime                uint64 // ticks
	nice, threads               int
	start                       uint64 // ticks since boot
	uids                        string // the Uid line: real, effective, saved, fs
	vmKB                        []int  // VmSize, VmLck, VmRSS in KiB; nil for none (kernel threads, zombies)
}

// stat returns the task's /proc/PID/stat line, the fields lx ps does not
// read zero.
func (p fakeTask) stat() string {
	f := []string{string(p.state), strconv.Itoa(p.ppid), strconv.Itoa(p.pgrp), strconv.Itoa(p.sid),
		strconv.FormatUint(uint64(p.tty), 10), strconv.Itoa(p.tpgid), strconv.FormatUint(uint64(p.flags), 10),
		"0", "0", "0", "0", strconv.FormatUint(p.utime, 10), strconv.FormatUint(p.stime, 10), "0", "0",
		strconv.Itoa(20 + p.nice), strconv.Itoa(p.nice), strconv.Itoa(p.threads), "0", strconv.FormatUint(p.start, 10),
		"0", "0", "18446744073709551615"}
	for range 27 { // fields 26 to 52
		f = append(f, "0")
	}
	return fmt.Sprintf("%d (%s) %s\n", p.pid, p.comm, strings.Join(f, " "))
}

// status returns the task's /proc/PID/status (of the thread group tgid).
func (p fakeTask) status(tgid int) string {
	s := fmt.Sprintf("Name:\t%s\nState:\t%c (x)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\nUid:\t%s\nGid:\t0\t0\t0\t0\n",
		strings.ReplaceAll(p.comm, "\n", `\n`), p.state, tgid, p.pid, p.ppid, p.uids)
	if p.vmKB != nil {
		s += fmt.Sprintf("VmSize:\t%8d kB\nVmLck:\t%8d kB\nVmRSS:\t%8d kB\n", p.vmKB[0], p.vmKB[1], p.vmKB[2])
	}
	return s + fmt.Sprintf("Threads:\t%d\n", p.threads)
}

// addFakeProc adds the files of process p, with its command line and its
// threads (p itself when there are none), to files.
func addFakeProc(files map[string]string, p fakeTask, cmdline string, threads ...fakeTask) {
	dir := strconv.Itoa(p.pid)
	files[dir+"/stat"] = p.stat()
	files[dir+"/status"] = p.status(p.pid)
	files[dir+"/cmdline"] = cmdline
	if threads == nil {
		threads = []fakeTask{p}
	}
	for _, th := range threads {
		tdir := dir + "/task/" + strconv.Itoa(th.pid)
		files[tdir+"/stat"] = th.stat()
		files[tdir+"/status"] = th.status(p.pid)
	}
}

// fixtureBoot is when the fake system booted: 2023-11-14 22:13:20 UTC.
var fixtureBoot = time.Unix(1700000000, 0)

const (
	pts3  = 136<<8 | 3 // /dev/pts/3
	dev25 = 200<<8 | 5 // a device no driver serves
)

// psFixture writes a fake system below a new directory and returns the
// directory: /proc with uptime, meminfo, tty/drivers and these
// processes, and /etc/passwd:
//
//	1    init          root, started 1 s after boot
//	2    kthreadd      a kernel thread
//	37   sh            a zombie of alice's, child of 1
//	100  "we ird"      the session leader on pts/3, in its foreground
//	                   group; nice -5, a page locked, three threads; real
//	                   uid alice, effective root
//	101  busy          child of 100, nice 5, 150% CPU (two threads)
//	102  odd           uid 2000 (no name), on a terminal no driver names
//	103  deep          child of 101
//	104  sib           child of 100, a user whose name is hostile
//
// The uptime is 200000 s (20000000 ticks) and MemTotal 1024000 KiB.
func psFixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"uptime":  "200000.00 350000.00\n",
		"meminfo": "MemTotal:        1024000 kB\nMemFree:          512000 kB\n",
		"tty/drivers": "/dev/tty             /dev/tty        5       0 system:/dev/tty\n" +
			"/dev/console         /dev/console    5       1 system:console\n" +
			"/dev/ptmx            /dev/ptmx       5       2 system\n" +
			"/dev/vc/0            /dev/vc/0       4       0 system:vtmaster\n" +
			"serial               /dev/ttyS       4      64 serial\n" +
			"pty_slave            /dev/pts      136 0-1048575 pty:slave\n" +
			"pty_master           /dev/ptm      128 0-1048575 pty:master\n" +
			"unknown              /dev/tty        4 1-63 console\n",
		"self/.keep": "", // not a process
	}
	addFakeProc(files, fakeTask{pid: 1, comm: "init", state: 'S', pgrp: 1, sid: 1, tpgid: -1, flags: 0x400100,
		utime: 150, stime: 50, threads: 1, start: 100, uids: "0\t0\t0\t0", vmKB: []int{10240, 0, 4096}},
		"/sbin/init\x00splash\x00")
	addFakeProc(files, fakeTask{pid: 2, comm: "kthreadd", state: 'S', tpgid: -1, flags: 0x208040,
		stime: 3, threads: 1, start: 1, uids: "0\t0\t0\t0"}, "")
	addFakeProc(files, fakeTask{pid: 37, comm: "sh", state: 'Z', ppid: 1, pgrp: 37, sid: 1, tpgid: -1, flags: 0x40040c,
		utime: 1, stime: 1, threads: 1, start: 5099, uids: "1000\t1000\t1000\t1000"}, "")
	leader := fakeTask{pid: 100, comm: "we ird", state: 'R', ppid: 1, pgrp: 100, sid: 100, tty: pts3, tpgid: 100,
		flags: 0x400000, utime: 9000000, stime: 12300, nice: -5, threads: 3, start: 360000, uids: "1000\t0\t0\t0",
		vmKB: []int{102400, 4, 1536}}
	main, worker, sleeper := leader, leader, leader
	main.utime, main.stime = 8999000, 12000
	worker.pid, worker.comm, worker.state, worker.nice, worker.utime, worker.stime, worker.start = 105, "worker", 'S', 0, 1000, 0, 360050
	sleeper.pid, sleeper.comm, sleeper.state, sleeper.nice, sleeper.utime, sleeper.stime, sleeper.start = 106, "worker", 'D', 2, 0, 300, 19990000
	addFakeProc(files, leader, "./prog\x00a b\x00\xff\x00", main, worker, sleeper)
	addFakeProc(files, fakeTask{pid: 101, comm: "busy", state: 'R', ppid: 100, pgrp: 100, sid: 100, tty: pts3, tpgid: 100,
		utime: 1000, stime: 500, nice: 5, threads: 2, start: 19999000, uids: "0\t0\t0\t0", vmKB: []int{2048, 0, 1024}},
		"busy\x00")
	addFakeProc(files, fakeTask{pid: 102, comm: "odd", state: 'S', ppid: 1, pgrp: 102, sid: 1, tty: dev25, tpgid: 7,
		threads: 1, start: 1000, uids: "2000\t2000\t2000\t2000", vmKB: []int{4, 0, 0}}, "odd\x00")
	addFakeProc(files, fakeTask{pid: 103, comm: "deep", state: 'S', ppid: 101, pgrp: 100, sid: 100, tty: pts3, tpgid: 100,
		threads: 1, start: 19999500, uids: "0\t0\t0\t0", vmKB: []int{4, 0, 4}}, "deep\x00")
	addFakeProc(files, fakeTask{pid: 104, comm: "sib", state: 'S', ppid: 100, pgrp: 104, sid: 100, tty: pts3, tpgid: 100,
		threads: 1, start: 19999600, uids: "3000\t3000\t3000\t3000", vmKB: []int{4, 0, 4}}, "sib\x00")
	writeTree(t, filepath.Join(root, "proc"), files)
	writeTree(t, root, map[string]string{"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n" +
		"alice:x:1000:1000:Alice:/home/alice:/bin/sh\n" +
		"ev\x1b[1m\xffil:x:3000:3000::/:/bin/sh\n"})
	return root
}

// runPSFixture runs lx ps with args on the fake system below root, its
// start times in UTC, with output of the given width (0: no limit).
func runPSFixture(t *testing.T, root string, width int, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	fsys, err := procfs.NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	cmd := &psCommand{fs: fsys, loc: time.UTC, bootTime: func() (time.Time, error) { return fixtureBoot, nil }}
	var out, errOut bytes.Buffer
	code = run(context.Background(), cmd, args, &Env{Stdout: &out, Stderr: &errOut, Width: width})
	return out.String(), errOut.String(), code
}

// TestPSFixture runs lx ps on the fake system, with two more processes:
// one whose stat is broken (reported, exit 1) and one that vanished
// (skipped). It checks the table and the JSON, value by value.
func TestPSFixture(t *testing.T) {
	root := psFixture(t)
	writeTree(t, filepath.Join(root, "proc"), map[string]string{
		"200/stat":    "200 (x) S 1\n",
		"200/status":  fakeTask{pid: 200, comm: "x", state: 'S', ppid: 1, uids: "0\t0\t0\t0", threads: 1}.status(200),
		"200/cmdline": "",
		"300/.keep":   "", // vanished after the listing: the directory is empty
	})
	stdout, stderr, code := runPSFixture(t, root, 0)
	if code != ExitError {
		t.Errorf("exit code %d, want %d", code, ExitError)
	}
	want := []string{
		"PID  PPID  USER             %CPU  %MEM  VSZ      RSS      TTY    STAT    THR  TIME        STARTED                    COMM      COMMAND",
		"1    0     root             0.0   0.4   10 MiB   4 MiB    ?      Ss      1    00:00:02    2023-11-14 22:13:21 +0000  init      /sbin/init splash",
		"2    0     root             0.0   0.0   0 B      0 B      ?      S       1    00:00:00    2023-11-14 22:13:20 +0000  kthreadd  [kthreadd]",
		"37   1     alice            0.0   0.0   0 B      0 B      ?      Z       1    00:00:00    2023-11-14 22:14:10 +0000  sh        [sh] <defunct>",
		`100  1     root             45.8  0.1   100 MiB  1.5 MiB  pts/3  R<Lsl+  3    1-01:02:03  2023-11-14 23:13:20 +0000  we ird    ./prog 'a b' $'\xff'`,
		"101  100   root             150   0.1   2 MiB    1 MiB    pts/3  RNl+    2    00:00:15    2023-11-17 05:46:30 +0000  busy      busy",
		"102  1     2000             0.0   0.0   4 KiB    0 B      200:5  S       1    00:00:00    2023-11-14 22:13:30 +0000  odd       odd",
		"103  101   root             0.0   0.0   4 KiB    4 KiB    pts/3  S+      1    00:00:00    2023-11-17 05:46:35 +0000  deep      deep",
		`104  100   ev\x1b[1m\xffil  0.0   0.0   4 KiB    4 KiB    pts/3  S       1    00:00:00    2023-11-17 05:46:36 +0000  sib       sib`,
	}
	if stdout != strings.Join(want, "\n")+"\n" {
		t.Errorf("table:\n%s\nwant:\n%s", stdout, strings.Join(want, "\n"))
	}
	for _, s := range []string{"lx ps: process 200: ", "stat: pgrp: missing", "lx ps: 1 of 9 processes could not be read"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	// "process 300", not "300": the temporary directory's random name,
	// which the message of process 200 shows, may hold those digits.
	if strings.Contains(stderr, "process 300") {
		t.Errorf("the vanished process 300 was reported:\n%s", stderr)
	}

	stdout, _, code = runPSFixture(t, root, 0, "--json")
	if code != ExitError {
		t.Errorf("--json: exit code %d, want %d", code, ExitError)
	}
	var r psReportJSON
	if err := decodeOne(stdout, &r); err != nil {
		t.Fatalf("JSON does not parse back: %v\n%s", err, stdout)
	}
	if len(r.Errors) != 1 || r.Errors[0].PID != 200 || !strings.Contains(string(r.Errors[0].Error), "stat") {
		t.Errorf("errors %+v, want one for pid 200", r.Errors)
	}
	byPID := map[int]psProcessJSON{}
	for _, p := range r.Processes {
		byPID[p.PID] = p
	}
	if pids := slices.Sorted(func(yield func(int) bool) {
		for pid := range byPID {
			yield(pid)
		}
	}); !slices.Equal(pids, []int{1, 2, 37, 100, 101, 102, 103, 104}) {
		t.Fatalf("processes %v", pids)
	}
	p := byPID[100]
	str := func(s *string) string {
		if s == nil {
			return "<nil>"
		}
		return *s
	}
	user := func(s *exact) string {
		if s == nil {
			return "<nil>"
		}
		return string(*s)
	}
	// 9012300 ticks of CPU over 19640000 since the start: 45.88%,
	// truncated to tenths.
	if p.TID != 100 || p.PPID != 1 || p.PGID != 100 || p.SID != 100 || p.TPGID != 100 || p.State != "R" ||
		p.StateName != "running" || p.Stat != "R<Lsl+" || p.Nice != -5 || p.UID != 0 || user(p.User) != "root" ||
		p.Threads != 3 || p.VSZ != 100<<20 || p.RSS != 1536<<10 || p.Locked != 4<<10 ||
		p.CPUTime != (25*3600+2*60+3)*time.Second || p.CPUPercent != 45.8 || p.MemPercent != 0.1 ||
		!p.Start.Equal(fixtureBoot.Add(time.Hour)) || p.StartSinceBoot != time.Hour ||
		str(p.TTY) != "pts/3" || str(p.TTYDev) != "136:3" || p.Comm != "we ird" || p.KernelThread {
		t.Errorf("process 100: %+v", p)
	}
	if got := exacts(p.Cmdline); !slices.Equal(got, []string{"./prog", "a b", "\xff"}) {
		t.Errorf("cmdline %q, want exactly ./prog, a b, \\xff", got)
	}
	if p := byPID[101]; p.CPUPercent != 150 || p.Stat != "RNl+" || p.Nice != 5 {
		t.Errorf("process 101: %+v", p)
	}
	if p := byPID[102]; p.User != nil || p.UID != 2000 || p.TTY != nil || str(p.TTYDev) != "200:5" || p.TPGID != 7 {
		t.Errorf("process 102 (no user name, unnamed terminal): %+v", p)
	}
	if p := byPID[104]; user(p.User) != "ev\x1b[1m\xffil" {
		t.Errorf("process 104: user %q, want the exact bytes", user(p.User))
	}
	if p := byPID[1]; p.TTY != nil || p.TTYDev != nil || p.TPGID != -1 || p.MemPercent != 0.4 {
		t.Errorf("process 1 (no terminal): %+v", p)
	}
	k := byPID[2]
	if !k.KernelThread || k.Cmdline == nil || len(k.Cmdline) != 0 || k.VSZ != 0 || k.Stat != "S" {
		t.Errorf("kernel thread: %+v", k)
	}
	for _, want := range []string{
		`"start_time": "2023-11-14T23:13:20Z"`,    // exact to the tick
		`"start_time": "2023-11-14T22:14:10.99Z"`, // the zombie: 50.99 s after boot
		`"cpu_percent": 45.8,`, `"cpu_percent": 150.0,`, `"mem_percent": 0.4,`,
		`"user": null,`, `"tty": null,`, `"base64": "/w=="`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %s in:\n%s", want, stdout)
		}
	}
}

// TestPSFixtureTree checks the forest of --tree: the art of ps f, the
// children of init at the left margin, and a process whose parent is
// left out at the margin too.
func TestPSFixtureTree(t *testing.T) {
	root := psFixture(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--tree", "-o", "pid,ppid,stat,command"}, []string{
			"PID  PPID  STAT    COMMAND",
			"1    0     Ss      /sbin/init splash",
			"37   1     Z       [sh] <defunct>",
			`100  1     R<Lsl+  ./prog 'a b' $'\xff'`,
			`101  100   RNl+     \_ busy`,
			`103  101   S+       |   \_ deep`,
			`104  100   S        \_ sib`,
			"102  1     S       odd",
			"2    0     S       [kthreadd]",
		}},
		// Siblings and roots in --sort order; the art in COMM without
		// COMMAND.
		{[]string{"--tree", "--sort", "-pid", "-o", "pid,comm"}, []string{
			"PID  COMM",
			"2    kthreadd",
			"1    init",
			"102  odd",
			"100  we ird",
			`104   \_ sib`,
			`101   \_ busy`,
			`103       \_ deep`,
			"37   sh",
		}},
		// 101's parent is not selected: it is a root.
		{[]string{"--tree", "-p", "101,103,104", "-o", "pid,command"}, []string{
			"PID  COMMAND",
			"101  busy",
			`103   \_ deep`,
			"104  sib",
		}},
		// Threads follow their process, with its branches.
		{[]string{"--tree", "-L", "-p", "100,101", "-o", "pid,lwp,comm"}, []string{
			"PID  LWP  COMM",
			"100  100  we ird",
			"100  105  worker",
			"100  106  worker",
			`101  101   \_ busy`,
		}},
	} {
		stdout, stderr, code := runPSFixture(t, root, 0, tc.args...)
		if code != ExitOK || stdout != strings.Join(tc.want, "\n")+"\n" {
			t.Errorf("lx ps %s: exit %d, stderr %q, table:\n%s\nwant:\n%s", strings.Join(tc.args, " "), code, stderr,
				stdout, strings.Join(tc.want, "\n"))
		}
	}
	// The JSON is in the tree's order.
	stdout, _, _ := runPSFixture(t, root, 0, "--tree", "--json")
	var r psReportJSON
	if err := decodeOne(stdout, &r); err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, p := range r.Processes {
		pids = append(pids, p.PID)
	}
	if want := []int{1, 37, 100, 101, 103, 104, 102, 2}; !slices.Equal(pids, want) {
		t.Errorf("--tree --json order %v, want %v", pids, want)
	}
}

// TestPSForestCycle checks that processes on a cycle of parents (which
// only a fake /proc can have) and one that is its own parent are each
// shown once.
func TestPSForestCycle(t *testing.T) {
	rows := []psProcess{{PID: 5, PPID: 6}, {PID: 6, PPID: 7}, {PID: 7, PPID: 5}, {PID: 8, PPID: 8}, {PID: 9, PPID: 8}}
	out, prefixes := psForest(rows)
	var got []string
	for i, p := range out {
		got = append(got, prefixes[i]+strconv.Itoa(p.PID))
	}
	want := []string{"8", ` \_ 9`, "5", ` \_ 7`, `     \_ 6`}
	if !slices.Equal(got, want) {
		t.Errorf("forest %q, want %q", got, want)
	}
}

// TestPSFixtureThreads checks -L: a row per thread with its own state,
// nice, CPU time and start, and the process's memory, user, terminal and
// command line.
func TestPSFixtureThreads(t *testing.T) {
	root := psFixture(t)
	stdout, stderr, code := runPSFixture(t, root, 0, "-L", "-p", "100", "-o", "pid,lwp,stat,ni,%cpu,time,started,thr,rss,tty,comm,command")
	want := []string{
		"PID  LWP  STAT    NI  %CPU  TIME        STARTED                    THR  RSS      TTY    COMM    COMMAND",
		`100  100  R<Lsl+  -5  45.8  1-01:01:50  2023-11-14 23:13:20 +0000  3    1.5 MiB  pts/3  we ird  ./prog 'a b' $'\xff'`,
		`100  105  SLsl+   0   0.0   00:00:10    2023-11-14 23:13:20 +0000  3    1.5 MiB  pts/3  worker  ./prog 'a b' $'\xff'`,
		`100  106  DNLsl+  2   3.0   00:00:03    2023-11-17 05:45:00 +0000  3    1.5 MiB  pts/3  worker  ./prog 'a b' $'\xff'`,
	}
	if code != ExitOK || stdout != strings.Join(want, "\n")+"\n" {
		t.Errorf("exit %d, stderr %q, table:\n%s\nwant:\n%s", code, stderr, stdout, strings.Join(want, "\n"))
	}
	// The default columns gain LWP after PID.
	stdout, _, _ = runPSFixture(t, root, 0, "-L", "-p", "2")
	if !strings.HasPrefix(stdout, "PID  LWP  PPID  USER") {
		t.Errorf("-L header:\n%s", stdout)
	}

	stdout, _, code = runPSFixture(t, root, 0, "-L", "--json")
	var r psReportJSON
	if err := decodeOne(stdout, &r); code != ExitOK || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	var ids [][2]int
	for _, p := range r.Processes {
		ids = append(ids, [2]int{p.PID, p.TID})
	}
	wantIDs := [][2]int{{1, 1}, {2, 2}, {37, 37}, {100, 100}, {100, 105}, {100, 106}, {101, 101}, {102, 102}, {103, 103}, {104, 104}}
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("pid, tid pairs %v, want %v", ids, wantIDs)
	}
	th := r.Processes[5]
	if th.Comm != "worker" || th.State != "D" || th.Stat != "DNLsl+" || th.Nice != 2 || th.CPUTime != 3*time.Second ||
		th.StartSinceBoot != 199900*time.Second || th.CPUPercent != 3 || th.RSS != 1536<<10 || th.Threads != 3 ||
		th.PPID != 1 || !slices.Equal(exacts(th.Cmdline), []string{"./prog", "a b", "\xff"}) {
		t.Errorf("thread 106: %+v", th)
	}
}

// TestPSFixtureFlags checks the selection and order flags by the PIDs
// they list.
func TestPSFixtureFlags(t *testing.T) {
	root := psFixture(t)
	for _, tc := range []struct {
		args []string
		pids []int
	}{
		{nil, []int{1, 2, 37, 100, 101, 102, 103, 104}},
		{[]string{"-p", "100,1"}, []int{1, 100}},
		{[]string{"-p", "100", "-p", "2", "-p", "99999"}, []int{2, 100}},
		{[]string{"-u", "root"}, []int{1, 2, 100, 101, 103}}, // effective user
		{[]string{"-u", "alice,2000"}, []int{37, 102}},
		{[]string{"-u", "alice", "-u", "0", "-p", "1,37,102"}, []int{1, 37}}, // -u and -p both apply
		{[]string{"--comm", "sh"}, []int{37}},
		{[]string{"--comm", "we ird", "--comm", "busy"}, []int{100, 101}},
		{[]string{"--comm", "we"}, nil}, // exact names only
		{[]string{"--sort", "-%cpu"}, []int{101, 100, 1, 2, 37, 102, 103, 104}},
		{[]string{"--sort", "user,-pid"}, []int{102, 37, 104, 103, 101, 100, 2, 1}},
		{[]string{"--sort", "TTY,+Started"}, []int{2, 1, 37, 100, 101, 103, 104, 102}},
		{[]string{"--sort", "-rss", "--sort", "-vsz"}, []int{1, 100, 101, 103, 104, 102, 2, 37}},
		{[]string{"--sort=-ni"}, []int{101, 1, 2, 37, 102, 103, 104, 100}},
		{[]string{"--sort", "comm"}, []int{101, 103, 1, 2, 102, 37, 104, 100}},
		{[]string{"--sort", "-command,pid"}, []int{104, 102, 103, 101, 1, 100, 2, 37}},
		{[]string{"--sort", "stat,time"}, []int{100, 101, 102, 104, 2, 103, 1, 37}},
	} {
		args := append([]string{"-o", "pid"}, tc.args...)
		stdout, stderr, code := runPSFixture(t, root, 0, args...)
		var pids []int
		for i, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
			if i > 0 {
				pid, _ := strconv.Atoi(line)
				pids = append(pids, pid)
			}
		}
		wantCode := ExitOK
		if tc.pids == nil {
			wantCode = ExitError // nothing matched
		}
		if code != wantCode || !slices.Equal(pids, tc.pids) {
			t.Errorf("lx ps %s: exit %d, stderr %q, pids %v; want %v", strings.Join(args, " "), code, stderr, pids, tc.pids)
		}
	}
	_, stderr, code := runPSFixture(t, root, 0, "--comm", "nothing")
	if code != ExitError || !strings.Contains(stderr, "lx ps: no process matches the selection") {
		t.Errorf("no match: exit %d, stderr %q", code, stderr)
	}
	stdout, _, _ := runPSFixture(t, root, 0, "-o", "USER,uid,%Mem,s", "-p", "102")
	if stdout != "USER  UID   %MEM  S\n2000  2000  0.0   S\n" {
		t.Errorf("-o USER,uid,%%Mem,s:\n%s", stdout)
	}
	stdout, _, _ = runPSFixture(t, root, 0, "-o", "pid,pgid,sid", "-o", "lwp", "-p", "104")
	if stdout != "PID  PGID  SID  LWP\n104  104   100  104\n" {
		t.Errorf("two -o flags:\n%s", stdout)
	}
}

// TestPSBadFlags checks that wrong values are usage errors that name the
// value and, for columns and keys, list the valid ones.
func TestPSBadFlags(t *testing.T) {
	root := psFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", "0"}, `invalid value "0" for flag -p: invalid pid 0: want 1..2147483647`},
		{[]string{"-p", "-1"}, "invalid pid -1: want 1..2147483647"},
		{[]string{"-p", "1,x"}, `invalid pid "x": not a decimal number`},
		{[]string{"-p", "4294967297"}, "invalid pid 4294967297: want 1..2147483647"},
		{[]string{"-p", "99999999999999999999"}, "invalid pid 99999999999999999999: want 1..2147483647"},
		{[]string{"-p", ""}, `invalid pid "": not a decimal number`},
		{[]string{"-p", "1,"}, `invalid pid "": not a decimal number`},
		{[]string{"-p"}, "flag needs an argument: -p"},
		{[]string{"--sort", "bogus"}, `unknown sort key "bogus" (keys: pid, lwp, ppid, pgid, sid, user, uid, %cpu, %mem, vsz, rss, tty, s, stat, ni, thr, time, started, comm, command, each with - before it for descending order)`},
		{[]string{"--sort", "pid,-"}, `unknown sort key "-"`},
		{[]string{"-o", "bogus"}, `unknown column "bogus" (columns: pid, lwp, ppid, pgid, sid, user, uid, %cpu, %mem, vsz, rss, tty, s, stat, ni, thr, time, started, comm, command)`},
		{[]string{"-o", "pid,"}, `unknown column ""`},
		{[]string{"-u", "nobody-such"}, `-u: unknown user "nobody-such" (not in /etc/passwd)`},
		{[]string{"-u", "4294967296"}, "-u: user id 4294967296 is out of range: want 0..4294967295"},
		{[]string{"-u", "root,"}, `invalid value "root," for flag -u: empty item in "root,"`},
		{[]string{"extra"}, `ps takes no arguments, got "extra"`},
	} {
		stdout, stderr, code := runPSFixture(t, root, 0, tc.args...)
		if code != ExitUsage || stdout != "" || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "usage: lx ps") {
			t.Errorf("lx ps %q: exit %d, stdout %q, stderr %q; want usage error %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// TestPSFixtureWidth checks that lines are cut to the output's width,
// with the tree too, and not with -w.
func TestPSFixtureWidth(t *testing.T) {
	root := psFixture(t)
	for _, tc := range []struct {
		args []string
		cut  bool
	}{{nil, true}, {[]string{"--tree"}, true}, {[]string{"-w"}, false}, {[]string{"-w", "--tree"}, false}} {
		stdout, _, code := runPSFixture(t, root, 40, tc.args...)
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		longest := 0
		for _, l := range lines {
			longest = max(longest, len([]rune(l)))
		}
		if code != ExitOK || len(lines) != 9 || tc.cut != (longest == 40) || !tc.cut && longest <= 40 {
			t.Errorf("lx ps %s at 40 columns: exit %d, %d lines, the longest %d:\n%s", strings.Join(tc.args, " "), code, len(lines), longest, stdout)
		}
	}
	// The art survives the cut where it fits.
	stdout, _, _ := runPSFixture(t, root, 12, "--tree", "-o", "pid,command")
	if !strings.Contains(stdout, "\n103   |   \\_\n") {
		t.Errorf("--tree cut to 12 columns:\n%s", stdout)
	}
}
