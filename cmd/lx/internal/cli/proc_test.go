package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
)

// procKeys are the keys of every `lx proc --json` object, in order.
var procKeys = []string{
	"pid", "anchored", "pidfs_id", "start_time", "kernel_thread", "tty", "user_names", "group_names",
	"stat", "status", "statm", "smaps_rollup", "io", "oom_score", "oom_score_adj", "wchan",
	"exe", "cwd", "root", "limits", "cgroups", "cgroup_limits", "namespaces", "threads", "fd_count", "fds",
	"cmdline", "environ", "unavailable",
}

// procJSON is `lx proc --json` as a consumer decodes it: kernel strings
// and reasons are exact values (see json.go); sections whose every field
// is a number decode into the library's own types.
type procJSON struct {
	PID          int                  `json:"pid"`
	Anchored     bool                 `json:"anchored"`
	PidfsID      *uint64              `json:"pidfs_id"`
	StartTime    *time.Time           `json:"start_time"`
	KernelThread bool                 `json:"kernel_thread"`
	TTY          *exact               `json:"tty"`
	UserNames    map[string]exact     `json:"user_names"`
	GroupNames   map[string]exact     `json:"group_names"`
	Stat         procStatJSON         `json:"stat"`
	Status       *procStatusJSON      `json:"status"`
	Statm        *procfs.Statm        `json:"statm"`
	SmapsRollup  *procfs.SmapsRollup  `json:"smaps_rollup"`
	IO           *procfs.IO           `json:"io"`
	OOMScore     *int                 `json:"oom_score"`
	OOMScoreAdj  *int                 `json:"oom_score_adj"`
	WChan        *exact               `json:"wchan"`
	Exe          *linkJSON            `json:"exe"`
	Cwd          *linkJSON            `json:"cwd"`
	Root         *linkJSON            `json:"root"`
	Limits       map[string]limitPair `json:"limits"`
	Cgroups      []cgroupJSON         `json:"cgroups"`
	CgroupLimits *procCgroupLimits    `json:"cgroup_limits"`
	Namespaces   map[string]uint64    `json:"namespaces"`
	Threads      []int                `json:"threads"`
	FDCount      *int                 `json:"fd_count"`
	FDs          []fdJSON             `json:"fds"`
	Cmdline      []exact              `json:"cmdline"`
	Environ      []envJSON            `json:"environ"`
	Unavailable  map[string]exact     `json:"unavailable"`
}

// procStatJSON is part of procfs.Stat, as lx marshals it.
type procStatJSON struct {
	PID, PPID, PGRP, Session int
	Comm                     exact
	State                    string
	TTY                      procfs.Dev
	Flags                    string
	UTime, STime             time.Duration
	Nice, NumThreads         int
	StartTime                time.Duration
	RSSLimit                 limitJSON
	SigCatch                 string
	ExitSignal               string
	Policy                   string
}

// procStatusJSON is part of procfs.Status, as lx marshals it.
type procStatusJSON struct {
	Name                                            exact
	State                                           string
	TGID, PPID                                      int
	UID                                             cred.UIDs
	GID                                             cred.GIDs
	Groups                                          []cred.GID
	CapInh, CapPrm, CapEff, CapBnd, CapAmb          string
	Seccomp                                         string
	SeccompFilters                                  int
	NoNewPrivs                                      bool
	CPUsAllowed, MemsAllowed                        string
	VoluntaryCtxtSwitches, NonvoluntaryCtxtSwitches uint64
	VmRSS, VmSize                                   uint64
	SpeculationStoreBypass                          string
}

type linkJSON struct {
	Target  exact
	Deleted bool
}

type limitPair struct{ Soft, Hard limitJSON }

type cgroupJSON struct {
	HierarchyID int
	Controllers []string
	Path        exact
	Deleted     bool
}

type fdJSON struct {
	Num     int
	Target  exact
	Kind    string
	Name    exact
	Inode   uint64
	Deleted bool
}

type envJSON struct {
	Name, Value exact
	HasValue    bool
}

// environStrings returns env as "NAME=value" strings.
func environStrings(env []envJSON) []string {
	if env == nil {
		return nil
	}
	s := make([]string, len(env))
	for i, e := range env {
		s[i] = string(e.Name)
		if e.HasValue {
			s[i] += "=" + string(e.Value)
		}
	}
	return s
}

// limitJSON is a limit: a number, or "unlimited" (decoded as the
// kernel's RLIM_INFINITY).
type limitJSON uint64

func (l *limitJSON) UnmarshalJSON(b []byte) error {
	if string(b) == `"unlimited"` {
		*l = math.MaxUint64
		return nil
	}
	return json.Unmarshal(b, (*uint64)(l))
}

// runProcJSON runs `lx proc PID --json` with more args, checks that it
// succeeded, that it has exactly procKeys, that every null item has a
// reason, that every reason names a null (or, in a map, missing) item,
// and returns the report decoded.
func runProcJSON(t *testing.T, pid int, args ...string) procJSON {
	t.Helper()
	stdout, stderr, code := runLX(t, append([]string{"proc", strconv.Itoa(pid), "--json"}, args...)...)
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx proc %d --json: exit %d, stderr:\n%s", pid, code, stderr)
	}
	var m map[string]any
	if err := decodeOne(stdout, &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	if keys := slices.Sorted(maps.Keys(m)); !slices.Equal(keys, slices.Sorted(slices.Values(procKeys))) {
		t.Errorf("keys %q, want %q", keys, procKeys)
	}
	unavailable, ok := m["unavailable"].(map[string]any)
	if !ok {
		t.Fatalf("unavailable is %T", m["unavailable"])
	}
	for _, key := range procKeys {
		if _, why := unavailable[key]; m[key] == nil && !why {
			t.Errorf("%q is null without a reason", key)
		}
	}
	for key := range unavailable {
		section, item, dotted := strings.Cut(key, ".")
		switch v, ok := m[section]; {
		case !ok:
			t.Errorf("unavailable names %q, which is not a key", key)
		case !dotted && v != nil:
			t.Errorf("unavailable names %q, which is not null", key)
		case dotted:
			if obj, ok := v.(map[string]any); !ok {
				t.Errorf("unavailable names %q, but %q is %T", key, section, v)
			} else if _, there := obj[item]; there {
				t.Errorf("unavailable names %q, which is there", key)
			}
		}
	}
	var r procJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("output does not parse back into the report: %v", err)
	}
	// The sections of numbers are exactly the library's fields.
	var sections struct {
		Statm       json.RawMessage `json:"statm"`
		SmapsRollup json.RawMessage `json:"smaps_rollup"`
		IO          json.RawMessage `json:"io"`
	}
	if err := json.Unmarshal([]byte(stdout), &sections); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		raw json.RawMessage
		v   any
	}{{sections.Statm, new(procfs.Statm)}, {sections.SmapsRollup, new(procfs.SmapsRollup)}, {sections.IO, new(procfs.IO)}} {
		if err := decodeOne(string(s.raw), s.v); err != nil {
			t.Errorf("%s does not decode into %T: %v", s.raw, s.v, err)
		}
	}
	return r
}

// waitState waits until pid's state is one of states.
func waitState(t *testing.T, pid int, states string) {
	t.Helper()
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatalf("proc %d: %v", pid, err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		st, err := p.Stat()
		if err != nil {
			t.Fatalf("stat of %d: %v", pid, err)
		}
		if strings.ContainsRune(states, rune(st.State)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d stays in state %c", pid, st.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitBlocked waits until the process of p is off the CPU in the kernel
// function it sleeps in, and returns that function's name. Its state
// reads S from the moment it prepares to sleep, while it still runs
// (prepare_to_wait, then schedule); wchan names the function only once
// it is off the run queue. It returns "" if wchan never names one (a
// kernel without CONFIG_KALLSYMS).
func waitBlocked(t *testing.T, p procfs.Proc) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		w, err := p.WChan()
		if err != nil {
			t.Fatal(err)
		}
		if w != "" {
			return w
		}
	}
	t.Logf("wchan of %v names no function", p)
	return ""
}

// startReader starts cmd, which reads its stdin, and waits until it
// sleeps in that read. The stdin pipe closes when the test ends, and the
// process is then reaped.
func startReader(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	stdin, err := cmd.StdinPipe()
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
	waitState(t, cmd.Process.Pid, "S")
	return cmd.Process.Pid
}

// rowRE matches a row of lx proc's table: the label, then value.
func rowRE(label, value string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(label) + ` +` + regexp.QuoteMeta(value) + `$`)
}

// TestProcChild runs lx proc on a child with a known command line (with
// spaces and bytes that are not UTF-8), environment, directory and
// descriptors.
func TestProcChild(t *testing.T) {
	args := []string{"/bin/sh", "-c", "read x", "lx test arg", "\xff\xfebad"}
	env := []string{"LX_PROC_TEST=hello world", "PATH=/usr/bin:/bin", "LX_BAD=\xff", "NOVALUE"}
	dir := t.TempDir()
	f3, err := os.Create(filepath.Join(dir, "fd3 file"))
	if err != nil {
		t.Fatal(err)
	}
	defer f3.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.ExtraFiles = []*os.File{f3, null}
	before := time.Now()
	pid := startReader(t, cmd)
	after := time.Now()
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	// Raising oom_score_adj needs no privilege.
	if err := p.SetOOMScoreAdj(456); err != nil {
		t.Fatal(err)
	}
	wchan := waitBlocked(t, p)

	r := runProcJSON(t, pid, "--env")
	if u := missing(r.Unavailable); len(u) > 0 {
		t.Errorf("unavailable for our own child: %v", u)
	}
	if r.PID != pid || r.Stat.PID != pid || r.Stat.PPID != os.Getpid() || r.Stat.Comm != "sh" ||
		r.Stat.State != "S" || !r.Anchored || r.KernelThread || r.Stat.Flags == "" || r.Stat.Policy != "SCHED_OTHER" {
		t.Errorf("stat %+v", r.Stat)
	}
	// The start time is the boot time from the clocks plus the start
	// tick: between the moments before and after cmd.Start, give or take
	// the tick. (Boot time from /proc/stat's whole-second btime is up to
	// a second early.)
	if s := r.StartTime; s == nil || s.Before(before.Add(-2*procfs.ClockTick)) || s.After(after.Add(procfs.ClockTick)) {
		t.Errorf("start time %v, want between %v and %v", s, before, after)
	}
	pfd, err := pidfd.FromProcess(cmd.Process)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pfd.ID()
	pfd.Close()
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		if r.PidfsID != nil {
			t.Errorf("pidfs id %d on a kernel without pidfs", *r.PidfsID)
		}
	case err != nil:
		t.Fatal(err)
	case r.PidfsID == nil || *r.PidfsID != uint64(want):
		t.Errorf("pidfs id %v, want %d", r.PidfsID, want)
	}

	// The command line and environment, exactly.
	if got := exacts(r.Cmdline); !slices.Equal(got, args) {
		t.Errorf("cmdline %q, want %q", got, args)
	}
	if got := environStrings(r.Environ); !slices.Equal(got, env) {
		t.Errorf("environ %q, want %q", got, env)
	}
	if last := r.Environ[len(r.Environ)-1]; last.HasValue || last.Name != "NOVALUE" {
		t.Errorf("an entry without '=': %+v", last)
	}

	// exe is the file /bin/sh leads to; cwd the directory; root /.
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		name string
		got  *linkJSON
		want string
	}{{"exe", r.Exe, sh}, {"cwd", r.Cwd, dir}, {"root", r.Root, "/"}} {
		if l.got == nil || string(l.got.Target) != l.want || l.got.Deleted {
			t.Errorf("%s %+v, want %s", l.name, l.got, l.want)
		}
	}
	if r.TTY == nil || *r.TTY != "" {
		t.Errorf("tty %v, want none", r.TTY)
	}

	// Descriptors: stdin is a pipe, stdout and stderr /dev/null, then the
	// two extra files. Descriptors above those were inherited from
	// whatever started the test without close-on-exec; they are open in
	// the test process too.
	if r.FDCount == nil || *r.FDCount != len(r.FDs) || len(r.FDs) < 5 {
		t.Fatalf("fds: count %v, open %+v; want at least 5", r.FDCount, r.FDs)
	}
	wantFDs := []fdJSON{
		{0, r.FDs[0].Target, "pipe", "", r.FDs[0].Inode, false},
		{1, os.DevNull, "path", os.DevNull, 0, false},
		{2, os.DevNull, "path", os.DevNull, 0, false},
		{3, exact(f3.Name()), "path", exact(f3.Name()), 0, false},
		{4, os.DevNull, "path", os.DevNull, 0, false},
	}
	if !slices.Equal(r.FDs[:5], wantFDs) || r.FDs[0].Target != exact(fmt.Sprintf("pipe:[%d]", r.FDs[0].Inode)) {
		t.Errorf("fds %+v\nwant %+v", r.FDs, wantFDs)
	}
	for _, fd := range r.FDs[5:] {
		if target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd.Num)); err != nil || target != string(fd.Target) {
			t.Errorf("child fd %d -> %s, not inherited from the test process (%s, %v)", fd.Num, fd.Target, target, err)
		}
	}

	if !slices.Equal(r.Threads, []int{pid}) || r.Stat.NumThreads != 1 {
		t.Errorf("threads %v, want just %d", r.Threads, pid)
	}
	s := r.Status
	uid, gid := cred.UID(os.Getuid()), cred.GID(os.Getgid())
	if s == nil || s.UID != (cred.UIDs{Real: uid, Effective: uid, Saved: uid, FS: uid}) ||
		s.GID != (cred.GIDs{Real: gid, Effective: gid, Saved: gid, FS: gid}) || s.Name != "sh" || s.State != "S" ||
		s.TGID != pid || s.PPID != os.Getpid() {
		t.Fatalf("status %+v", s)
	}
	if u, err := user.LookupId(strconv.Itoa(os.Getuid())); err == nil && r.UserNames[strconv.Itoa(os.Getuid())] != exact(u.Username) {
		t.Errorf("user names %v, want %s for %d", r.UserNames, u.Username, uid)
	}
	if g, err := user.LookupGroupId(strconv.Itoa(os.Getgid())); err == nil && r.GroupNames[strconv.Itoa(os.Getgid())] != exact(g.Name) {
		t.Errorf("group names %v, want %s for %d", r.GroupNames, g.Name, gid)
	}
	if s.Seccomp != "disabled" && s.Seccomp != "filter" {
		t.Errorf("seccomp %q", s.Seccomp)
	}
	// Blocked in read: it has switched voluntarily at least once.
	if s.VoluntaryCtxtSwitches == 0 || s.CPUsAllowed == "" || s.MemsAllowed == "" {
		t.Errorf("status %+v", s)
	}
	self, err := procfs.Default().Self().Status()
	if err != nil {
		t.Fatal(err)
	}
	if s.CPUsAllowed != self.CPUsAllowed.String() || s.MemsAllowed != self.MemsAllowed.String() {
		t.Errorf("cpus %q, mems %q; want ours, %v and %v", s.CPUsAllowed, s.MemsAllowed, self.CPUsAllowed, self.MemsAllowed)
	}
	if r.SmapsRollup == nil || r.SmapsRollup.Rss == 0 || r.SmapsRollup.Pss == 0 || r.SmapsRollup.Pss > r.SmapsRollup.Rss ||
		s.VmRSS == 0 || r.Statm == nil || r.Statm.Resident == 0 {
		t.Errorf("memory: smaps_rollup %+v, statm %+v, VmRSS %d", r.SmapsRollup, r.Statm, s.VmRSS)
	}
	// The child sleeps: its counters and wchan stay as they are.
	wantIO, err := p.IO()
	if err != nil {
		t.Fatal(err)
	}
	if r.IO == nil || *r.IO != wantIO {
		t.Errorf("io %+v, want %+v", r.IO, wantIO)
	}
	if r.WChan == nil {
		t.Errorf("wchan null, want %q", wchan)
	} else if string(*r.WChan) != wchan {
		t.Errorf("wchan %q, want %q", string(*r.WChan), wchan)
	}
	if r.OOMScoreAdj == nil || *r.OOMScoreAdj != 456 || r.OOMScore == nil || *r.OOMScore < 456 {
		t.Errorf("oom score %v, adj %v; want adj 456 and a score above", r.OOMScore, r.OOMScoreAdj)
	}

	// The child shares our namespaces and cgroups.
	for name, ino := range r.Namespaces {
		link, err := os.Readlink("/proc/self/ns/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%s:[%d]", strings.TrimSuffix(name, "_for_children"), ino); link != want {
			t.Errorf("namespace %s: lx %d, /proc/self/ns %s", name, ino, link)
		}
	}
	if _, ok := r.Namespaces["net"]; !ok {
		t.Errorf("namespaces %v lack net", r.Namespaces)
	}
	selfCg, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, cg := range r.Cgroups {
		lines = append(lines, fmt.Sprintf("%d:%s:%s", cg.HierarchyID, strings.Join(cg.Controllers, ","), string(cg.Path)))
	}
	if got := strings.Join(lines, "\n") + "\n"; got != string(selfCg) {
		t.Errorf("cgroups:\n%s\nwant /proc/self/cgroup:\n%s", got, selfCg)
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &rl); err != nil {
		t.Fatal(err)
	}
	if len(r.Limits) != 16 || uint64(r.Limits["RLIMIT_STACK"].Hard) != rl.Max {
		t.Errorf("limits %+v, want RLIMIT_STACK hard %d", r.Limits, rl.Max)
	}

	// The human form.
	stdout, stderr, code := runLX(t, "proc", strconv.Itoa(pid), "--env")
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx proc %d: exit %d, stderr %q", pid, code, stderr)
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^3 +path +` + regexp.QuoteMeta(f3.Name()) + "$"),
		rowRE("command", `/bin/sh -c 'read x' 'lx test arg' $'\xff\xfebad'`),
		rowRE("threads", "1: "+strconv.Itoa(pid)),
		rowRE("open fds", strconv.Itoa(*r.FDCount)),
		rowRE("exe", sh),
		rowRE("cwd", dir),
		rowRE("root", "/"),
		rowRE("tty", "none"),
		rowRE("started", formatTime(*r.StartTime)),
		rowRE("wchan", cmp.Or(wchan, "none")),
		rowRE("oom score", fmt.Sprintf("%d, adj 456", *r.OOMScore)),
		rowRE("cpus allowed", s.CPUsAllowed),
		rowRE("mems allowed", s.MemsAllowed),
		rowRE("ctx switches", fmt.Sprintf("%d voluntary, %d involuntary", s.VoluntaryCtxtSwitches, s.NonvoluntaryCtxtSwitches)),
		rowRE("io", fmt.Sprintf("rchar %s, wchar %s, syscr %d, syscw %d", formatBytes(wantIO.RChar), formatBytes(wantIO.WChar), wantIO.SyscR, wantIO.SyscW)),
		regexp.MustCompile(`(?m)^memory +rss [0-9.]+ [KM]iB \(anon .*\), peak .*\n +virtual .*, swap .*, locked .*\n +pss .*\n +private .* clean, .* dirty; shared .*$`),
		regexp.MustCompile(`(?m)^LX_PROC_TEST=hello world\nPATH=/usr/bin:/bin\nLX_BAD=\\xff\nNOVALUE$`),
		regexp.MustCompile(`(?m)^RLIMIT_NOFILE `),
		regexp.MustCompile(`(?m)^NAMESPACE `),
	} {
		if !re.MatchString(stdout) {
			t.Errorf("output does not match %s:\n%s", re, stdout)
		}
	}
	if u, err := user.LookupId(strconv.Itoa(os.Getuid())); err == nil {
		if row := rowRE("uid", fmt.Sprintf("%d(%s) (real, effective, saved, fs)", uid, u.Username)); !row.MatchString(stdout) {
			t.Errorf("output does not match %s:\n%s", row, stdout)
		}
	}
}

// TestProcSelf runs lx proc on the test process.
func TestProcSelf(t *testing.T) {
	pid := os.Getpid()
	r := runProcJSON(t, pid, "--env")
	if u := missing(r.Unavailable); len(u) > 0 {
		t.Errorf("unavailable for ourselves: %v", u)
	}
	if r.PID != pid || r.Stat.PPID != os.Getppid() || !r.Anchored {
		t.Errorf("stat %+v", r.Stat)
	}
	if got := exacts(r.Cmdline); !slices.Equal(got, os.Args) {
		t.Errorf("cmdline %q, want %q", got, os.Args)
	}
	raw, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		t.Fatal(err)
	}
	wantEnv := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
	if len(raw) == 0 {
		wantEnv = []string{}
	}
	if gotEnv := environStrings(r.Environ); !slices.Equal(gotEnv, wantEnv) {
		t.Errorf("environ %q\nwant %q", gotEnv, wantEnv)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if r.Exe == nil || string(r.Exe.Target) != exe {
		t.Errorf("exe %+v, want %s", r.Exe, exe)
	}
	s := r.Status
	if s == nil || s.UID.Real != cred.UID(os.Getuid()) || s.UID.Effective != cred.UID(os.Geteuid()) ||
		s.GID.Real != cred.GID(os.Getgid()) || s.GID.Effective != cred.GID(os.Getegid()) {
		t.Fatalf("status %+v", s)
	}
	groups, err := os.Getgroups()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, g := range s.Groups {
		got = append(got, int(g))
	}
	slices.Sort(got)
	slices.Sort(groups)
	if !slices.Equal(got, groups) {
		t.Errorf("groups %v, want %v", got, groups)
	}
	if !slices.Contains(r.Threads, pid) {
		t.Errorf("threads %v", r.Threads)
	}
	if r.FDCount == nil || *r.FDCount < 3 || len(r.FDs) < 3 {
		t.Errorf("fds %v %+v", r.FDCount, r.FDs)
	}
	if r.SmapsRollup == nil || r.SmapsRollup.Rss == 0 {
		t.Errorf("smaps_rollup %+v", r.SmapsRollup)
	}
}

// TestProcZombie runs lx proc on an exited, unreaped child.
func TestProcZombie(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	pfd, err := pidfd.FromProcess(cmd.Process)
	if err != nil {
		t.Fatal(err)
	}
	err = pfd.WaitExited(context.Background())
	pfd.Close()
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, cmd.Process.Pid, "Z")
	r := runProcJSON(t, cmd.Process.Pid, "--env")
	if r.Stat.State != "Z" || r.Status == nil || r.Status.State != "Z" {
		t.Errorf("stat %+v, status %+v", r.Stat, r.Status)
	}
	for _, key := range []string{"smaps_rollup", "environ", "exe", "cwd", "root"} {
		if !strings.HasPrefix(string(r.Unavailable[key]), "zombie") {
			t.Errorf("%s: unavailable %q, want a zombie reason", key, r.Unavailable[key])
		}
	}
	if r.Cmdline == nil || len(r.Cmdline) != 0 {
		t.Errorf("cmdline %q, want []", r.Cmdline)
	}
	// A zombie keeps its pid and user namespaces; every other one this
	// kernel has is marked unavailable, not left out silently. (Recent
	// kernels let only CAP_SYS_PTRACE list a zombie's namespaces at all.)
	self, err := procfs.Default().Self().Namespaces()
	if err != nil {
		t.Fatal(err)
	}
	if r.Namespaces == nil {
		t.Logf("namespaces of a zombie: %s", r.Unavailable["namespaces"])
		self = nil
	}
	for typ := range self {
		name := typ.String()
		_, listed := r.Namespaces[name]
		switch reason := r.Unavailable["namespaces."+name]; {
		case name == "pid" || name == "user":
			if !listed {
				t.Errorf("namespace %s of a zombie: missing (%s), want its inode", name, reason)
			}
		case listed || !strings.HasPrefix(string(reason), "zombie"):
			t.Errorf("namespace %s of a zombie: listed %v, reason %q; want a zombie reason", name, listed, reason)
		}
	}
	stdout, _, code := runLX(t, "proc", strconv.Itoa(cmd.Process.Pid))
	if code != ExitOK || !strings.Contains(stdout, "Z (zombie)") ||
		!rowRE("memory", "unavailable: zombie: address space already released").MatchString(stdout) ||
		!rowRE("cwd", "unavailable: zombie: released at exit").MatchString(stdout) ||
		r.Namespaces != nil && !regexp.MustCompile(`(?m)^net +unavailable: zombie`).MatchString(stdout) {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

// TestProcKernelThread runs lx proc on a kernel thread.
func TestProcKernelThread(t *testing.T) {
	pid := 0
	for p, err := range procfs.Default().Procs() {
		if err != nil {
			continue
		}
		if st, err := p.Stat(); err == nil && st.Flags.Has(procfs.PFKthread) {
			pid = p.PID()
			break
		}
	}
	if pid == 0 {
		t.Skip("no kernel threads visible (a PID namespace?)")
	}
	r := runProcJSON(t, pid, "--env")
	if !r.KernelThread || !strings.Contains(r.Stat.Flags, "PF_KTHREAD") || r.Cmdline == nil || len(r.Cmdline) != 0 {
		t.Errorf("kernel_thread %v, flags %q, cmdline %q", r.KernelThread, r.Stat.Flags, r.Cmdline)
	}
	for _, key := range []string{"smaps_rollup", "environ", "exe"} {
		if !strings.HasPrefix(string(r.Unavailable[key]), "kernel thread") {
			t.Errorf("%s: unavailable %q, want a kernel thread reason", key, r.Unavailable[key])
		}
	}
}

// someThread returns the id of a thread of the test process that is not
// its main thread.
func someThread(t *testing.T) int {
	t.Helper()
	for th, err := range procfs.Default().Self().Threads() {
		if err != nil {
			t.Fatal(err)
		}
		if th.TID() != os.Getpid() {
			return th.TID()
		}
	}
	t.Skip("the test process has one thread")
	return 0
}

func TestProcErrors(t *testing.T) {
	tid := someThread(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"proc", "99999999"}, ExitError, "lx proc: process 99999999: no such process\n"},
		{[]string{"proc", "99999999", "--json"}, ExitError, "lx proc: process 99999999: no such process\n"},
		{[]string{"proc", strconv.Itoa(tid)}, ExitError,
			fmt.Sprintf("lx proc: process %d: no such process (%d is a thread of process %d)\n", tid, tid, os.Getpid())},
		{[]string{"proc", "abc"}, ExitUsage, "lx proc: invalid process id \"abc\": not a decimal number\nusage: lx proc [flags] <pid>\n"},
		{[]string{"proc", "0"}, ExitUsage, "lx proc: invalid process id 0: want 1..2147483647\n"},
		{[]string{"proc", "1x"}, ExitUsage, `invalid process id "1x": not a decimal number`},
		{[]string{"proc", ""}, ExitUsage, `invalid process id "": not a decimal number`},
		{[]string{"proc", "-"}, ExitUsage, `invalid process id "-": not a decimal number`},
		{[]string{"proc", "+5"}, ExitUsage, `invalid process id "+5": not a decimal number`},
		{[]string{"proc", " 5"}, ExitUsage, `invalid process id " 5": not a decimal number`},
		{[]string{"proc", "2147483648"}, ExitUsage, "lx proc: invalid process id 2147483648: want 1..2147483647\n"},
		{[]string{"proc", "4294967297"}, ExitUsage, "lx proc: invalid process id 4294967297: want 1..2147483647\n"}, // 1<<32 + 1 is not init
		{[]string{"proc", "99999999999999999999"}, ExitUsage, "lx proc: invalid process id 99999999999999999999: want 1..2147483647\n"},
		{[]string{"proc", "-99999999999999999999"}, ExitUsage, "lx proc: invalid process id -99999999999999999999: want 1..2147483647\n"},
		{[]string{"proc", "-1"}, ExitUsage, "lx proc: invalid process id -1: want 1..2147483647\n"},
		{[]string{"proc", "--", "-5"}, ExitUsage, "lx proc: invalid process id -5: want 1..2147483647\n"},
		{[]string{"proc"}, ExitUsage, "want one process id, got 0 arguments"},
		{[]string{"proc", "1", "2"}, ExitUsage, "want one process id, got 2 arguments"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := runLX(t, tc.args...)
			if code != tc.code || stdout != "" || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q (want %q)", code, tc.code, stdout, stderr, tc.stderr)
			}
		})
	}
}

// targetPIDEnv names the process TestProcOtherUser reads in its child.
const targetPIDEnv = "LX_CLI_TEST_TARGET_PID"

// TestProcOtherUser checks that lx proc on a process of another user, as
// an ordinary user, shows what anyone may read and says once why each
// section that needs ptrace access is unavailable. As root it starts the
// target (a process of root's) and runs the check as nobody in a child
// (testutil.RunInChild with a Credential); as another user it reads PID
// 1 when that is not its own.
func TestProcOtherUser(t *testing.T) {
	if os.Geteuid() != 0 && !testutil.InChild() {
		procOtherUser(t)
		return
	}
	var env []string
	if !testutil.InChild() {
		pid := startReader(t, exec.Command("/bin/sh", "-c", "read x"))
		env = []string{targetPIDEnv + "=" + strconv.Itoa(pid)}
	}
	testutil.RunInChild(t, &testutil.ChildOptions{
		Credential: &syscall.Credential{Uid: uint32(cred.OverflowUID), Gid: uint32(cred.OverflowGID)},
		Env:        env,
		Timeout:    2 * time.Minute,
	}, procOtherUser)
}

// procOtherUser is TestProcOtherUser as a user other than root (in the
// child as nobody): it reads the process $LX_CLI_TEST_TARGET_PID, or
// PID 1.
func procOtherUser(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Fatal("still root")
	}
	pid := 1
	if s := os.Getenv(targetPIDEnv); s != "" {
		var err error
		if pid, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	p, err := procfs.Default().Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.UID.Effective == cred.UID(os.Geteuid()) || st.UID.Real == cred.UID(os.Getuid()) {
		t.Skipf("process %d runs as our user %d", pid, os.Geteuid())
	}
	r := runProcJSON(t, pid, "--env")
	for _, key := range []string{"environ", "io", "exe", "cwd", "root", "smaps_rollup", "fds", "namespaces"} {
		if reason := r.Unavailable[key]; !strings.HasSuffix(string(reason), "permission denied") {
			t.Errorf("%s: reason %q; want permission denied", key, reason)
		}
	}
	if r.PID != pid || r.Status == nil || r.Status.UID.Effective != st.UID.Effective ||
		r.Limits == nil || r.Threads == nil || r.Cgroups == nil || r.Statm == nil || r.Status.VmRSS == 0 ||
		r.OOMScore == nil || r.WChan == nil || r.TTY == nil {
		t.Errorf("the readable sections are missing: %+v", r)
	}
	stdout, _, code := runLX(t, "proc", strconv.Itoa(pid), "--env")
	if code != ExitOK {
		t.Errorf("lx proc %d: exit %d:\n%s", pid, code, stdout)
	}
	for _, re := range []*regexp.Regexp{
		rowRE("environment", "unavailable: "+string(r.Unavailable["environ"])),
		rowRE("io", "unavailable: "+string(r.Unavailable["io"])),
		rowRE("exe", "unavailable: "+string(r.Unavailable["exe"])),
		// The figures anyone may read, and once why the rest is missing.
		regexp.MustCompile(`(?m)^memory +rss .*\n +virtual .*\n +smaps_rollup unavailable: .*permission denied$`),
	} {
		if !re.MatchString(stdout) {
			t.Errorf("output does not match %s:\n%s", re, stdout)
		}
	}
	for _, reason := range r.Unavailable {
		if n := strings.Count(stdout, string(reason)); n != 1 && reason != "not shown without --env" {
			t.Errorf("reason %q shown %d times:\n%s", reason, n, stdout)
		}
	}
	t.Logf("unavailable as uid %d: %v", os.Geteuid(), r.Unavailable)
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// missing returns the unavailable values of lx proc's JSON but those
// that depend on the machine and that lx reports as unavailable, as it
// should: what the running kernel is too old for (the pidfs inode number
// before 6.9), and the cgroup limits of a controller whose cgroup of the
// test process is a root cgroup (no limit files there).
func missing(unavailable map[string]exact) map[string]exact {
	m := map[string]exact{}
	for k, reason := range unavailable {
		rootCgroup := strings.HasPrefix(k, "cgroup_limits.") && strings.Contains(string(reason), "is in a root cgroup")
		if !rootCgroup && !strings.Contains(string(reason), "not supported by this kernel") {
			m[k] = reason
		}
	}
	return m
}

// TestProcCgroupLimits: lx proc's cgroup limits of the test process are
// those its cgroups hold, read from v2 where the controller's files are
// in its v2 cgroup and else from its v1 cgroup (a hybrid host such as
// this one binds memory and cpu to v1).
func TestProcCgroupLimits(t *testing.T) {
	r := runProcJSON(t, os.Getpid())
	lim := r.CgroupLimits
	if lim == nil {
		t.Fatalf("no cgroup_limits: %v", r.Unavailable["cgroup_limits"])
	}
	v2, v2err := cgroup.OpenProcess(os.Getpid())
	if v2err == nil {
		defer v2.Close()
	}
	v1, err := cgroup.V1Of(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// want reads the memory limit the way lx proc must have found it.
	var want cgroup.Max
	var from string
	if v2err == nil {
		want, err = v2.MemoryMax()
		from = "v2"
	}
	if v2err != nil || errors.Is(err, fs.ErrNotExist) {
		want, err = v1.MemoryMax()
		from = "v1"
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if lim.Memory != nil || !strings.Contains(string(r.Unavailable["cgroup_limits.memory"]), "no memory limits") {
			t.Errorf("memory in no hierarchy here, lx proc says %+v, %q", lim.Memory, r.Unavailable["cgroup_limits.memory"])
		}
	case err != nil:
		t.Fatal(err)
	case lim.Memory == nil || lim.Memory.From != from || lim.Memory.Max != want || lim.Memory.CurrentBytes == 0:
		t.Errorf("memory %+v (%q), want from %s, max %v, some use", lim.Memory, r.Unavailable["cgroup_limits.memory"], from, want)
	}
	if lim.CPU == nil && !strings.Contains(string(r.Unavailable["cgroup_limits.cpu"]), "no cpu limits") {
		t.Errorf("cpu: %q", r.Unavailable["cgroup_limits.cpu"])
	}
	if lim.CPU != nil && lim.CPU.Usage <= 0 {
		t.Errorf("cpu %+v: no usage", lim.CPU)
	}
}
