package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/pidfd"
	"github.com/lxgo/lx/procfs"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/seccomp"
)

// procKeys are the dotted keys every `lx proc --json` object has. A key
// below a null object is checked as that object.
var procKeys = []string{
	"identity.pid", "identity.pidfs_id", "identity.anchored", "identity.ppid", "identity.comm",
	"identity.state", "identity.start_time", "identity.user_time_ns", "identity.system_time_ns",
	"credentials.uid.real", "credentials.uid.effective", "credentials.uid.saved", "credentials.uid.fs",
	"credentials.gid.real", "credentials.groups",
	"cgroups", "namespaces", "limits", "capabilities.effective", "capabilities.bounding",
	"seccomp.mode", "threads.count", "threads.tids", "fds.count", "fds.open",
	"memory.rss_bytes", "memory.pss_bytes", "memory.swap_bytes",
	"cmdline", "environ", "unavailable",
}

// procReportJSON is `lx proc --json` as a consumer decodes it: kernel
// strings and reasons are exact values (see json.go).
type procReportJSON struct {
	Identity     procIdentityJSON   `json:"identity"`
	Credentials  *procCredentials   `json:"credentials"`
	Cgroups      []procCgroupJSON   `json:"cgroups"`
	Namespaces   map[string]*uint64 `json:"namespaces"`
	Limits       []procLimitJSON    `json:"limits"`
	Capabilities *procCapabilities  `json:"capabilities"`
	Seccomp      *procSeccomp       `json:"seccomp"`
	Threads      *procThreads       `json:"threads"`
	FDs          struct {
		Count *int         `json:"count"`
		Open  []procFDJSON `json:"open"`
	} `json:"fds"`
	Memory      *procMemory      `json:"memory"`
	Cmdline     []exact          `json:"cmdline"`
	Environ     []exact          `json:"environ"`
	Unavailable map[string]exact `json:"unavailable"`
}

type procIdentityJSON struct {
	PID          int           `json:"pid"`
	PidfsID      *uint64       `json:"pidfs_id"`
	Anchored     bool          `json:"anchored"`
	PPID         int           `json:"ppid"`
	PGID         int           `json:"pgid"`
	SID          int           `json:"sid"`
	Comm         exact         `json:"comm"`
	State        string        `json:"state"`
	StateName    string        `json:"state_name"`
	KernelThread bool          `json:"kernel_thread"`
	Start        *time.Time    `json:"start_time"`
	UserTime     time.Duration `json:"user_time_ns"`
	SystemTime   time.Duration `json:"system_time_ns"`
	Nice         int           `json:"nice"`
	Policy       string        `json:"sched_policy"`
	LastCPU      int           `json:"last_cpu"`
}

type procCgroupJSON struct {
	HierarchyID int      `json:"hierarchy_id"`
	Controllers []string `json:"controllers"`
	Path        exact    `json:"path"`
	Deleted     bool     `json:"deleted"`
}

type procLimitJSON struct {
	Resource string    `json:"resource"`
	Soft     limitJSON `json:"soft"`
	Hard     limitJSON `json:"hard"`
	Unit     string    `json:"unit"`
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

type procFDJSON struct {
	FD     int    `json:"fd"`
	Kind   string `json:"kind"`
	Target exact  `json:"target"`
}

// runProcJSON runs `lx proc PID --json` with more args, checks that it
// succeeded, that every section is there (or null with a reason), that
// every reason names a null item, and that the output parses back, and
// returns the report.
func runProcJSON(t *testing.T, pid int, args ...string) procReportJSON {
	t.Helper()
	stdout, stderr, code := runLX(t, append([]string{"proc", strconv.Itoa(pid), "--json"}, args...)...)
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx proc %d --json: exit %d, stderr:\n%s", pid, code, stderr)
	}
	var m map[string]any
	if err := decodeOne(stdout, &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	unavailable, ok := m["unavailable"].(map[string]any)
	if !ok {
		t.Fatalf("unavailable is %T", m["unavailable"])
	}
	// lookup returns the value at a dotted key, and whether the key (or a
	// null object on its way) is there; null is returned as nil.
	lookup := func(key string) (any, string, bool) {
		var v any = m
		prefix := ""
		for _, part := range strings.Split(key, ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s: %q is %T, not an object", key, prefix, v)
			}
			prefix = strings.TrimPrefix(prefix+"."+part, ".")
			if v, ok = obj[part]; !ok || v == nil {
				return nil, prefix, ok
			}
		}
		return v, prefix, true
	}
	for _, key := range procKeys {
		if v, at, ok := lookup(key); !ok {
			t.Errorf("JSON lacks %q", at)
		} else if _, why := unavailable[at]; v == nil && !why {
			t.Errorf("%q is null without a reason", at)
		}
	}
	for key := range unavailable {
		if v, _, ok := lookup(key); !ok || v != nil {
			t.Errorf("unavailable names %q, which is not a null item", key)
		}
	}
	var r procReportJSON
	if err := decodeOne(stdout, &r); err != nil {
		t.Fatalf("output does not parse back into the report: %v", err)
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

// TestProcChild runs lx proc on a child with a known command line (with
// spaces and bytes that are not UTF-8), environment and descriptors.
func TestProcChild(t *testing.T) {
	args := []string{"/bin/sh", "-c", "read x", "lx test arg", "\xff\xfebad"}
	env := []string{"LX_PROC_TEST=hello world", "PATH=/usr/bin:/bin", "LX_BAD=\xff"}
	f3, err := os.Create(filepath.Join(t.TempDir(), "fd3 file"))
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
	cmd.ExtraFiles = []*os.File{f3, null}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	pid := cmd.Process.Pid
	waitState(t, pid, "S") // blocked in read

	r := runProcJSON(t, pid, "--env")
	if len(r.Unavailable) > 0 {
		t.Errorf("unavailable for our own child: %v", r.Unavailable)
	}
	id := r.Identity
	if id.PID != pid || id.PPID != os.Getpid() || id.Comm != "sh" || id.State != "S" || !id.Anchored || id.KernelThread {
		t.Errorf("identity %+v", id)
	}
	if id.Start == nil || id.Start.After(time.Now()) || time.Since(*id.Start) > time.Hour {
		t.Errorf("start time %v", id.Start)
	}
	pfd, err := pidfd.FromProcess(cmd.Process)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pfd.ID()
	pfd.Close()
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		if id.PidfsID != nil {
			t.Errorf("pidfs id %d on a kernel without pidfs", *id.PidfsID)
		}
	case err != nil:
		t.Fatal(err)
	case id.PidfsID == nil || *id.PidfsID != uint64(want):
		t.Errorf("pidfs id %v, want %d", id.PidfsID, want)
	}

	// The command line and environment, exactly.
	if got := exacts(r.Cmdline); !slices.Equal(got, args) {
		t.Errorf("cmdline %q, want %q", got, args)
	}
	if got := exacts(r.Environ); !slices.Equal(got, env) {
		t.Errorf("environ %q, want %q", got, env)
	}

	// Descriptors: stdin is a pipe, stdout and stderr /dev/null, then the
	// two extra files. Descriptors above those were inherited from
	// whatever started the test without close-on-exec; they are open in
	// the test process too.
	if r.FDs.Count == nil || *r.FDs.Count != len(r.FDs.Open) || len(r.FDs.Open) < 5 {
		t.Fatalf("fds: count %v, open %+v; want at least 5", r.FDs.Count, r.FDs.Open)
	}
	wantFDs := []procFDJSON{
		{0, "pipe", r.FDs.Open[0].Target},
		{1, "path", os.DevNull},
		{2, "path", os.DevNull},
		{3, "path", exact(f3.Name())},
		{4, "path", os.DevNull},
	}
	if !slices.Equal(r.FDs.Open[:5], wantFDs) || !strings.HasPrefix(string(r.FDs.Open[0].Target), "pipe:[") {
		t.Errorf("fds %+v\nwant %+v", r.FDs.Open, wantFDs)
	}
	for _, fd := range r.FDs.Open[5:] {
		if target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd.FD)); err != nil || target != string(fd.Target) {
			t.Errorf("child fd %d -> %s, not inherited from the test process (%s, %v)", fd.FD, fd.Target, target, err)
		}
	}

	if r.Threads == nil || r.Threads.Count != 1 || !slices.Equal(r.Threads.TIDs, []int{pid}) {
		t.Errorf("threads %+v, want just %d", r.Threads, pid)
	}
	c := r.Credentials
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	if c == nil || c.UID != (procIDs{uid, uid, uid, uid}) || c.GID != (procIDs{gid, gid, gid, gid}) {
		t.Errorf("credentials %+v", c)
	}
	if r.Memory == nil || r.Memory.RSS == 0 || r.Memory.PSS == 0 || r.Memory.PSS > r.Memory.RSS {
		t.Errorf("memory %+v", r.Memory)
	}
	if r.Seccomp == nil || r.Seccomp.Mode != seccomp.ModeDisabled && r.Seccomp.Mode != seccomp.ModeFilter {
		t.Errorf("seccomp %+v", r.Seccomp)
	}

	// The child shares our namespaces and cgroups.
	for name, ino := range r.Namespaces {
		link, err := os.Readlink("/proc/self/ns/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if ino == nil {
			t.Errorf("namespace %s is null", name)
		} else if want := fmt.Sprintf("%s:[%d]", strings.TrimSuffix(name, "_for_children"), *ino); link != want {
			t.Errorf("namespace %s: lx %d, /proc/self/ns %s", name, *ino, link)
		}
	}
	if _, ok := r.Namespaces["net"]; !ok {
		t.Errorf("namespaces %v lack net", r.Namespaces)
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, cg := range r.Cgroups {
		lines = append(lines, fmt.Sprintf("%d:%s:%s", cg.HierarchyID, strings.Join(cg.Controllers, ","), string(cg.Path)))
	}
	if got := strings.Join(lines, "\n") + "\n"; got != string(self) {
		t.Errorf("cgroups:\n%s\nwant /proc/self/cgroup:\n%s", got, self)
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &rl); err != nil {
		t.Fatal(err)
	}
	if len(r.Limits) != 16 || r.Limits[rlimit.Stack].Resource != "RLIMIT_STACK" ||
		uint64(r.Limits[rlimit.Stack].Hard) != rl.Max {
		t.Errorf("limits %+v, want RLIMIT_STACK hard %d", r.Limits, rl.Max)
	}

	// The human form shows every byte of the command line.
	stdout, stderr, code := runLX(t, "proc", strconv.Itoa(pid), "--env")
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx proc %d: exit %d, stderr %q", pid, code, stderr)
	}
	fd3 := regexp.MustCompile(`(?m)^3 +path +` + regexp.QuoteMeta(f3.Name()) + "$")
	if !fd3.MatchString(stdout) {
		t.Errorf("output lacks fd 3 -> %s:\n%s", f3.Name(), stdout)
	}
	for _, s := range []string{
		`command           /bin/sh -c 'read x' 'lx test arg' $'\xff\xfebad'`,
		"threads           1: " + strconv.Itoa(pid),
		"open fds          " + strconv.Itoa(*r.FDs.Count),
		"LX_PROC_TEST=hello world",
		`LX_BAD=\xff`,
		"RLIMIT_NOFILE",
		"NAMESPACE",
	} {
		if !strings.Contains(stdout, s) {
			t.Errorf("output lacks %q:\n%s", s, stdout)
		}
	}
}

// TestProcSelf runs lx proc on the test process.
func TestProcSelf(t *testing.T) {
	pid := os.Getpid()
	r := runProcJSON(t, pid, "--env")
	if len(r.Unavailable) > 0 {
		t.Errorf("unavailable for ourselves: %v", r.Unavailable)
	}
	if r.Identity.PID != pid || r.Identity.PPID != os.Getppid() || !r.Identity.Anchored {
		t.Errorf("identity %+v", r.Identity)
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
	if gotEnv := exacts(r.Environ); !slices.Equal(gotEnv, wantEnv) {
		t.Errorf("environ %q\nwant %q", gotEnv, wantEnv)
	}
	c := r.Credentials
	if c == nil || c.UID.Real != uint32(os.Getuid()) || c.UID.Effective != uint32(os.Geteuid()) ||
		c.GID.Real != uint32(os.Getgid()) || c.GID.Effective != uint32(os.Getegid()) {
		t.Fatalf("credentials %+v", c)
	}
	groups, err := os.Getgroups()
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, g := range c.Groups {
		got = append(got, int(g))
	}
	slices.Sort(got)
	slices.Sort(groups)
	if !slices.Equal(got, groups) {
		t.Errorf("groups %v, want %v", got, groups)
	}
	if r.Threads == nil || r.Threads.Count != len(r.Threads.TIDs) || !slices.Contains(r.Threads.TIDs, pid) {
		t.Errorf("threads %+v", r.Threads)
	}
	if r.FDs.Count == nil || *r.FDs.Count < 3 || len(r.FDs.Open) < 3 {
		t.Errorf("fds %+v", r.FDs)
	}
	if r.Memory == nil || r.Memory.RSS == 0 {
		t.Errorf("memory %+v", r.Memory)
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
	if r.Identity.State != "Z" || r.Identity.StateName != "zombie" {
		t.Errorf("identity %+v", r.Identity)
	}
	for _, key := range []string{"memory", "environ"} {
		if !strings.HasPrefix(string(r.Unavailable[key]), "zombie") {
			t.Errorf("%s: unavailable %q, want a zombie reason", key, r.Unavailable[key])
		}
	}
	if r.Cmdline == nil || len(r.Cmdline) != 0 {
		t.Errorf("cmdline %q, want []", r.Cmdline)
	}
	// A zombie keeps its pid and user namespaces; every other one this
	// kernel has is marked unavailable, not left out. (Recent kernels let
	// only CAP_SYS_PTRACE list a zombie's namespaces at all.)
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
		ino, listed := r.Namespaces[name]
		switch reason := r.Unavailable["namespaces."+name]; {
		case !listed:
			t.Errorf("namespace %s left out", name)
		case name == "pid" || name == "user":
			if ino == nil {
				t.Errorf("namespace %s of a zombie: null (%s), want its inode", name, reason)
			}
		case ino != nil || !strings.HasPrefix(string(reason), "zombie"):
			t.Errorf("namespace %s of a zombie: %v, reason %q; want null with a zombie reason", name, ino, reason)
		}
	}
	stdout, _, code := runLX(t, "proc", strconv.Itoa(cmd.Process.Pid))
	if code != ExitOK || !strings.Contains(stdout, "Z (zombie)") ||
		r.Namespaces != nil && !regexp.MustCompile(`(?m)^net +unavailable: zombie`).MatchString(stdout) {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

// TestProcKernelThread runs lx proc on a kernel thread.
func TestProcKernelThread(t *testing.T) {
	stdout, _, code := runLX(t, "ps", "--json")
	var ps psReportJSON
	if err := decodeOne(stdout, &ps); code != ExitOK || err != nil {
		t.Fatalf("lx ps: exit %d, %v", code, err)
	}
	i := slices.IndexFunc(ps.Processes, func(p psProcessJSON) bool { return p.KernelThread })
	if i < 0 {
		t.Skip("no kernel threads visible (a PID namespace?)")
	}
	r := runProcJSON(t, ps.Processes[i].PID, "--env")
	if !r.Identity.KernelThread || r.Cmdline == nil || len(r.Cmdline) != 0 {
		t.Errorf("identity %+v, cmdline %q", r.Identity, r.Cmdline)
	}
	for _, key := range []string{"memory", "environ"} {
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

// asOtherUserEnv marks the copy of the test binary that
// TestProcOtherUser runs as nobody.
const asOtherUserEnv = "LX_CLI_TEST_AS_NOBODY"

// TestProcOtherUser checks that lx proc on a process of another user (PID
// 1, root's) shows what it can and reports the environment unavailable
// instead of failing. As root it runs itself again as nobody, from a copy
// of the test binary that nobody can execute.
func TestProcOtherUser(t *testing.T) {
	if os.Geteuid() == 0 {
		if os.Getenv(asOtherUserEnv) != "" {
			t.Fatal("still root in the child")
		}
		runAsNobody(t, "TestProcOtherUser")
		return
	}
	init, err := procfs.Default().Proc(1)
	if err != nil {
		t.Fatal(err)
	}
	st, err := init.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.UID.Effective == cred.UID(os.Geteuid()) || st.UID.Real == cred.UID(os.Getuid()) {
		t.Skipf("PID 1 runs as our user %d", os.Geteuid())
	}
	r := runProcJSON(t, 1, "--env")
	if reason := r.Unavailable["environ"]; r.Environ != nil || !strings.Contains(string(reason), "permission denied") {
		t.Errorf("environ %q, reason %q; want unavailable: permission denied", r.Environ, reason)
	}
	if r.Identity.PID != 1 || r.Credentials == nil || r.Credentials.UID.Effective != uint32(st.UID.Effective) ||
		r.Limits == nil || r.Threads == nil || r.Cgroups == nil {
		t.Errorf("the readable sections are missing: %+v", r)
	}
	stdout, _, code := runLX(t, "proc", "1", "--env")
	if code != ExitOK || !strings.Contains(stdout, "environment       unavailable: ") {
		t.Errorf("lx proc 1: exit %d:\n%s", code, stdout)
	}
	t.Logf("unavailable as uid %d: %v", os.Geteuid(), r.Unavailable)
}

// runAsNobody runs the test named test in a copy of the test binary as
// user and group 65534, and passes, skips or fails t as it did.
func runAsNobody(t *testing.T, test string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "lx-cli-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyExe := filepath.Join(dir, "cli.test")
	if err := copyFile(copyExe, exe); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, copyExe, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), asOtherUserEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534},
		Pdeathsig:  syscall.SIGKILL,
	}
	out, err := cmd.CombinedOutput()
	switch {
	case bytes.Contains(out, []byte("--- SKIP: "+test)):
		t.Skipf("as nobody:\n%s", out)
	case err != nil || !bytes.Contains(out, []byte("--- PASS: "+test)):
		t.Fatalf("as nobody: %v\n%s", err, out)
	default:
		t.Logf("as nobody:\n%s", out)
	}
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
