package cli

// End-to-end tests of lx run: the test binary run as lx (see asLXEnv),
// and run again inside the sandbox as a probe (runProbeEnv) that tries
// what the sandbox should not allow and prints the errors.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cgroup"
	"github.com/lxgo/lx/landlock"
	"github.com/lxgo/lx/seccomp"
)

// runProbeEnv makes the test binary run the probes its value lists
// (runProbe), as a command inside lx run's sandbox.
const runProbeEnv = "LX_CLI_TEST_RUN_PROBE"

// runSeccompEnv makes the test binary, run as lx, compile --seccomp
// mkdir-eperm to a policy that fails mkdir and mkdirat with EPERM
// (testRunSeccompProgram): lx run's seccomp path with a policy whose
// effect a test can see.
const runSeccompEnv = "LX_CLI_TEST_RUN_SECCOMP"

// testRunSeccompProgram is runSeccompProgram in the tests.
func testRunSeccompProgram(spec string, _ capability.Set) (seccomp.Program, error) {
	if spec != "mkdir-eperm" {
		return nil, fmt.Errorf("the test knows only mkdir-eperm")
	}
	arch, err := seccomp.NativeArch()
	if err != nil {
		return nil, err
	}
	eperm, err := seccomp.RetErrno(syscall.EPERM)
	if err != nil {
		return nil, err
	}
	p := &seccomp.Policy{Arch: arch, Default: seccomp.RetAllow}
	for _, name := range []string{"mkdir", "mkdirat"} {
		nr, err := arch.Lookup(name)
		if err != nil {
			continue // mkdir does not exist on arm64 and riscv64
		}
		p.Rules = append(p.Rules, seccomp.Rule{Syscall: nr, Action: eperm})
	}
	return p.Compile()
}

// runProbeErrName is how a probe reports the result of a call: "ok", or the
// errno's name.
func runProbeErrName(err error) string {
	var errno syscall.Errno
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &errno):
		for name, e := range map[string]syscall.Errno{"EPERM": syscall.EPERM, "ESRCH": syscall.ESRCH, "EACCES": syscall.EACCES,
			"ENETUNREACH": syscall.ENETUNREACH, "ECONNREFUSED": syscall.ECONNREFUSED, "ENOSYS": syscall.ENOSYS} {
			if e == errno {
				return name
			}
		}
		return "errno " + strconv.Itoa(int(errno))
	}
	return err.Error()
}

// runProbe runs the probes of spec, space-separated words: mount, kill:PID,
// ptrace:PID, module, connect:ADDR, and prints "probe result" lines.
func runProbe(spec string) int {
	for _, p := range strings.Fields(spec) {
		name, arg, _ := strings.Cut(p, ":")
		var err error
		switch name {
		case "mount":
			err = syscall.Mount("none", "/tmp", "tmpfs", 0, "")
		case "kill":
			pid, _ := strconv.Atoi(arg)
			err = syscall.Kill(pid, 0)
		case "ptrace":
			pid, _ := strconv.Atoi(arg)
			err = syscall.PtraceAttach(pid)
		case "module":
			_, _, e := syscall.Syscall(syscall.SYS_INIT_MODULE, 0, 0, 0)
			if e != 0 {
				err = e
			}
		case "bind80":
			var ln net.Listener
			if ln, err = net.Listen("tcp4", "0.0.0.0:80"); err == nil {
				ln.Close()
			}
			err = runProbeUnwrap(err)
		case "connect":
			var c net.Conn
			if c, err = net.Dial("tcp", arg); err == nil {
				c.Close()
			}
			err = runProbeUnwrap(err)
		default:
			err = errors.New("unknown probe")
		}
		fmt.Printf("%s %s\n", name, runProbeErrName(err))
	}
	return 0
}

// runProbeUnwrap returns the errno inside a net error.
func runProbeUnwrap(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		err = op.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		err = se.Err
	}
	return err
}

// runProbeBinary returns a copy of the test binary in a directory that every
// user may read: the sandbox of a root lx runs as nobody, who cannot look
// up the go command's build directory.
func runProbeBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	p := filepath.Join(dir, "lx")
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// runNeedUserNS skips the test when this system refuses lx run's user
// namespace.
func runNeedUserNS(t *testing.T) {
	t.Helper()
	if _, errOut, code := lxRun(t, "", "run", "--seccomp", "none", "--", "true"); code != 0 {
		if os.Geteuid() == 0 || os.Getenv("LX_VMTEST_GUEST") == "1" {
			t.Fatalf("lx run true: exit %d, stderr %q", code, errOut)
		}
		t.Skipf("lx run cannot create a user namespace here: %s", errOut)
	}
}

// runSandbox runs lx run with args and extra environment variables, and
// returns its output.
func runSandbox(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd, out, errOut := lxProcess(t, append([]string{"run"}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	code = waitLX(t, cmd)
	return out.String(), errOut.String(), code
}

// runWorldDir is a new directory that any user may write, below /tmp, which
// the sandbox of a root lx (nobody outside) can reach.
func runWorldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "lx-run-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Inside the sandbox only its own processes are in /proc, and there is
// only a loopback interface.
func TestRunProcessesAndNetwork(t *testing.T) {
	runNeedUserNS(t)
	out, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--", "sh", "-c", "ls /proc; echo ---; cat /proc/net/dev")
	procs, netdev, _ := strings.Cut(out, "---\n")
	var pids []string
	for name := range strings.FieldsSeq(procs) {
		if _, err := strconv.Atoi(name); err == nil {
			pids = append(pids, name)
		}
	}
	if code != 0 || len(pids) == 0 || len(pids) > 2 || !slices.Contains(pids, "1") {
		t.Errorf("exit %d, pids in /proc %q, stderr %q; want the shell (1) and ls at most", code, pids, errOut)
	}
	var links []string
	for _, line := range strings.Split(netdev, "\n")[2:] {
		if name, _, ok := strings.Cut(line, ":"); ok {
			links = append(links, strings.TrimSpace(name))
		}
	}
	if !slices.Equal(links, []string{"lo"}) {
		t.Errorf("network interfaces %q (/proc/net/dev %q); want lo only", links, netdev)
	}
}

// No capability, no way to regain one, no_new_privs, and, for a root lx,
// not root outside.
func TestRunCapabilities(t *testing.T) {
	runNeedUserNS(t)
	out, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--", "sh", "-c",
		"exec sh -c 'grep -E \"^(Uid|Cap[A-Za-z]+|NoNewPrivs):\" /proc/self/status; cat /proc/self/uid_map'")
	for _, want := range []string{"CapInh:\t0000000000000000\n", "CapPrm:\t0000000000000000\n", "CapEff:\t0000000000000000\n",
		"CapBnd:\t0000000000000000\n", "CapAmb:\t0000000000000000\n", "NoNewPrivs:\t1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
	outside := os.Geteuid()
	if outside == 0 {
		outside = runNobody
	}
	if code != 0 || !strings.Contains(out, "Uid:\t0\t0\t0\t0\n") || !strings.Contains(strings.Join(strings.Fields(out[strings.LastIndex(out, "\n0 ")+1:]), " "), "0 "+strconv.Itoa(outside)+" 1") {
		t.Errorf("exit %d, stdout %q, stderr %q; want uid 0 inside, %d outside", code, out, errOut, outside)
	}
}

// --caps keeps the named capabilities, over execve(2) too (ambient), as
// uid 0 and as another uid: the command binds port 80 of the sandbox's
// network namespace, which it cannot without.
func TestRunKeepCaps(t *testing.T) {
	runNeedUserNS(t)
	probe := runProbeBinary(t)
	// The probe binds port 80 of the sandbox's network namespace.
	script := `grep -E '^Cap(Eff|Bnd|Amb):' /proc/self/status; exec "$1"`
	want := "CapEff:\t0000000000000400\nCapBnd:\t0000000000000400\nCapAmb:\t0000000000000400\nbind80 ok\n"
	ids := [][]string{nil}
	if os.Geteuid() == 0 {
		ids = append(ids, []string{"--uid", "33", "--gid", "33"})
	}
	env := []string{runProbeEnv + "=bind80"}
	for _, id := range ids {
		args := append(append([]string{"--caps", "cap_net_bind_service"}, id...), "--", "sh", "-c", script, "sh", probe)
		if out, errOut, code := runSandbox(t, env, args...); out != want || code != 0 {
			t.Errorf("lx run %q: exit %d, stdout %q, stderr %q; want %q", args, code, out, errOut, want)
		}
	}
	if out, errOut, code := runSandbox(t, env, "--", probe); out != "bind80 EACCES\n" || code != 0 {
		t.Errorf("without --caps: exit %d, stdout %q, stderr %q; want the bind refused with EACCES", code, out, errOut)
	}
}

// With --uid and --gid the command runs as those ids inside, nobody
// outside, and without capabilities; the init was uid 0 inside.
func TestRunIDs(t *testing.T) {
	runNeedUserNS(t)
	if os.Geteuid() != 0 {
		_, errOut, code := runSandbox(t, nil, "--uid", "1000", "--", "true")
		if code != ExitCannotRun || !strings.Contains(errOut, "--uid 1000: needs lx to run as root") {
			t.Fatalf("unprivileged --uid 1000: exit %d, stderr %q", code, errOut)
		}
		return
	}
	out, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--uid", "1000", "--gid", "2000", "--", "sh", "-c",
		"grep -E '^(Uid|Gid|Groups|CapEff|CapPrm):' /proc/self/status; cat /proc/self/uid_map /proc/self/gid_map")
	fields := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Uid: 1000 1000 1000 1000", "Gid: 2000 2000 2000 2000", "Groups: CapPrm: 0000000000000000 CapEff: 0000000000000000",
		"0 4294967294 1 1000 65534 1 0 4294967294 1 2000 65534 1"} {
		if !strings.Contains(fields, want) {
			t.Errorf("exit %d, stdout %q, stderr %q: no %q", code, out, errOut, want)
		}
	}
	// A file the command makes belongs to nobody outside.
	dir := runWorldDir(t)
	if _, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--uid", "7", "--", "touch", dir+"/f"); code != 0 {
		t.Fatalf("touch: exit %d, stderr %q", code, errOut)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(dir+"/f", &st); err != nil || st.Uid != runNobody {
		t.Errorf("the file's owner is %d (%v), want %d", st.Uid, err, runNobody)
	}
}

// The sandbox cannot mount, load a module, signal or ptrace a host
// process, or reach the host's network.
func TestRunDenied(t *testing.T) {
	runNeedUserNS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	spec := fmt.Sprintf("mount module kill:%d ptrace:%d connect:%s", os.Getpid(), os.Getpid(), ln.Addr())
	out, errOut, code := runSandbox(t, []string{runProbeEnv + "=" + spec}, "--seccomp", "none", "--", runProbeBinary(t))
	module := "EPERM"
	if _, err := os.Stat("/proc/modules"); errors.Is(err, fs.ErrNotExist) {
		module = "ENOSYS" // a kernel without loadable modules
	}
	want := "mount EPERM\nmodule " + module + "\nkill ESRCH\nptrace ESRCH\nconnect ENETUNREACH\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
	// Outside the sandbox the same probe can signal and connect: the
	// probe is no test that cannot fail.
	cmd, outside, _ := lxProcess(t, "exec", runProbeBinary(t))
	cmd.Env = append(cmd.Env, runProbeEnv+"=kill:"+strconv.Itoa(os.Getpid())+" connect:"+ln.Addr().String())
	if code := waitLX(t, cmd); code != 0 || outside.String() != "kill ok\nconnect ok\n" {
		t.Errorf("outside the sandbox: exit %d, stdout %q; want kill and connect ok", code, outside)
	}
}

// With --landlock ro:/,rw:DIR the sandbox writes in DIR and nowhere
// else, even where its uid may write.
func TestRunLandlock(t *testing.T) {
	runNeedUserNS(t)
	if _, err := landlock.CurrentABI(); err != nil {
		t.Skipf("no Landlock here: %v", err)
	}
	in, outside := runWorldDir(t), runWorldDir(t)
	out, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--landlock", "ro:/,rw:"+in, "--", "sh", "-c",
		`echo x > "$1/f" && echo in-ok; echo x > "$2/f" 2>/dev/null && echo out-ok; exit 0`, "sh", in, outside)
	if code != 0 || out != "in-ok\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want writing in %s only", code, out, errOut, in)
	}
	if _, err := os.Stat(filepath.Join(outside, "f")); err == nil {
		t.Errorf("the sandbox wrote %s", filepath.Join(outside, "f"))
	}
	// Without the ruleset, the same write works: the denial was
	// Landlock's.
	out, errOut, code = runSandbox(t, nil, "--seccomp", "none", "--landlock", "none", "--", "sh", "-c",
		`echo x > "$1/g" && echo out-ok`, "sh", outside)
	if code != 0 || out != "out-ok\n" {
		t.Errorf("--landlock none: exit %d, stdout %q, stderr %q; want the write to work", code, out, errOut)
	}
}

// An fd lx inherited without close-on-exec does not reach the command.
func TestRunInheritedFD(t *testing.T) {
	runNeedUserNS(t)
	fd, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "/dev/null")
	defer f.Close()
	// "exit" keeps a shell from exec'ing ls in its place (ash does).
	cmd, out, errOut := lxProcess(t, "run", "--seccomp", "none", "--", "sh", "-c", "ls /proc/$$/fd; exit 0")
	cmd.ExtraFiles = []*os.File{f, f, f} // lx's fds 3, 4 and 5
	code := waitLX(t, cmd)
	if fds := strings.Fields(out.String()); code != 0 || !slices.Equal(fds, []string{"0", "1", "2"}) {
		t.Errorf("exit %d, the shell's fds %q, stderr %q; want 0 1 2", code, fds, errOut)
	}
}

func TestRunExitStatus(t *testing.T) {
	runNeedUserNS(t)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"sh", "-c", "exit 3"}, 3},
		{[]string{"/nonexistent/cmd"}, ExitNotFound},
		{[]string{"no-such-command-lx-run"}, ExitNotFound},
		{[]string{"/dev/null"}, ExitCannotExec},
		// Without a new PID namespace the shell is no init, and dies of
		// its own SIGTERM.
		{[]string{"--ns", "user,mnt,net", "sh", "-c", "kill -TERM $$"}, 128 + int(syscall.SIGTERM)},
	} {
		_, errOut, code := runSandbox(t, nil, append([]string{"--seccomp", "none"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("lx run %q: exit %d, stderr %q; want %d", tc.args, code, errOut, tc.code)
		}
	}
}

// Bad input is refused, naming it, before anything starts.
func TestRunBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--landlock", "ro:/nonexistent-lx-run"}, `--landlock ro:/nonexistent-lx-run: stat /nonexistent-lx-run: no such file or directory`},
		{[]string{"--landlock", "rx:/"}, `--landlock rx:/: want ro:PATH or rw:PATH`},
		{[]string{"--landlock", "ro:tmp"}, `--landlock ro:tmp: want an absolute path`},
		{[]string{"--ns", "user,bogus"}, `unknown namespace type "bogus"`},
		{[]string{"--rlimit", "bogus=1"}, `--rlimit bogus=1: rlimit: invalid resource "bogus"`},
		{[]string{"--rlimit", "nofile=x"}, `--rlimit nofile=x: `},
		{[]string{"--rlimit", "nofile=10:5"}, `--rlimit nofile=10:5: the soft limit is above the hard limit`},
		{[]string{"--rlimit", "nofile"}, `--rlimit nofile: want NAME=SOFT[:HARD]`},
		{[]string{"--seccomp", "/nonexistent.json"}, `--seccomp /nonexistent.json: open /nonexistent.json: no such file or directory`},
		{[]string{"--seccomp", "/dev/null"}, `--seccomp /dev/null: seccomp: OCI profile: `},
		{[]string{"--net", "host"}, `--net host: not supported`},
		{[]string{"--ns", "net", "--hostname", "h"}, `--hostname needs a new UTS namespace`},
		{[]string{"--memory-max", "lots"}, `--memory-max lots: `},
		{[]string{"--uid", "-1"}, `--uid -1: want an id from 0 to 4294967293`},
		{[]string{"--gid", "4294967294"}, `--gid 4294967294: want an id from 0 to 4294967293`},
		{[]string{"--uid", "x"}, `--uid x: want an id`},
		{[]string{"--caps", "cap_bogus"}, `--caps cap_bogus: capability: invalid set`},
		{[]string{"--caps", "63"}, `--caps 63: 63: the running kernel's last capability is`},
	} {
		args := append(append([]string{"run"}, tc.args...), "sh", "-c", "echo started")
		out, errOut, code := runLX(t, args...)
		if code != ExitCannotRun || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("lx %q: exit %d, stdout %q, stderr %q; want 125 and %q", args, code, out, errOut, tc.want)
		}
	}
	if _, errOut, code := runLX(t, "run"); code != ExitCannotRun || !strings.Contains(errOut, "no command to run") {
		t.Errorf("lx run: exit %d, stderr %q", code, errOut)
	}
}

// By default the command runs under Docker's default profile, which
// refuses unshare(2) to a process without CAP_SYS_ADMIN; the init
// installs the program lx run passes it, which the command then runs
// under.
func TestRunSeccomp(t *testing.T) {
	runNeedUserNS(t)
	dir := runWorldDir(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1):", err)
	}
	out, errOut, code := runSandbox(t, nil, "--", "sh", "-c", `grep "^Seccomp:" /proc/self/status; "$1" -U true 2>/dev/null && echo unshare-ok; exit 0`, "sh", unshare)
	if code != 0 || out != "Seccomp:\t2\n" {
		t.Errorf("default: exit %d, stdout %q, stderr %q; want a filter that refuses unshare", code, out, errOut)
	}
	script := `mkdir "$1/a" 2>/dev/null && echo mkdir-ok; grep "^Seccomp:" /proc/self/status; exit 0`
	out, errOut, code = runSandbox(t, []string{runSeccompEnv + "=1"}, "--seccomp", "mkdir-eperm", "--", "sh", "-c", script, "sh", dir)
	if code != 0 || out != "Seccomp:\t2\n" {
		t.Errorf("mkdir-eperm: exit %d, stdout %q, stderr %q; want mkdir refused under a filter", code, out, errOut)
	}
	out, errOut, code = runSandbox(t, []string{runSeccompEnv + "=1"}, "--seccomp", "none", "--", "sh", "-c", script, "sh", dir)
	if code != 0 || out != "mkdir-ok\nSeccomp:\t0\n" {
		t.Errorf("none: exit %d, stdout %q, stderr %q; want mkdir to work", code, out, errOut)
	}
}

// --rlimit reaches the command.
func TestRunRlimit(t *testing.T) {
	runNeedUserNS(t)
	out, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--rlimit", "nofile=64:128", "--rlimit", "core=0", "--", "sh", "-c", "ulimit -Sn; ulimit -Hn; ulimit -c")
	if code != 0 || out != "64\n128\n0\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 64, 128 and 0", code, out, errOut)
	}
}

// The sandbox has a cgroup of its own, removed afterwards, when lx may
// create one; otherwise lx says so and runs it without.
func TestRunCgroup(t *testing.T) {
	runNeedUserNS(t)
	if os.Geteuid() != 0 {
		_, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--", "true")
		if code != 0 || !strings.Contains(errOut, "lx run: note: no cgroup of its own for the sandbox") {
			t.Errorf("unprivileged: exit %d, stderr %q; want a note and the command run", code, errOut)
		}
		_, errOut, code = runSandbox(t, nil, "--seccomp", "none", "--pids-max", "10", "--", "true")
		if code != ExitCannotRun {
			t.Errorf("unprivileged --pids-max: exit %d, stderr %q; want 125", code, errOut)
		}
		return
	}
	cmd, out, errOut := lxProcess(t, "run", "--seccomp", "none", "--", "cat", "/proc/self/cgroup")
	code := waitLX(t, cmd)
	want := runCgroupPath(ownCgroup(t), cmd.Process.Pid)
	if code != 0 || !strings.Contains("\n"+out.String(), "\n0::"+want+"\n") || !runOnlyNotes(errOut.String()) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0::%s", code, out, errOut, want)
	}
	checkRemoved(t, want)
}

// runOnlyNotes reports whether lx run's stderr has nothing but notes (such
// as the Landlock rights an older kernel lacks).
func runOnlyNotes(stderr string) bool {
	for line := range strings.Lines(stderr) {
		if !strings.HasPrefix(line, "lx run: note: ") {
			return false
		}
	}
	return true
}

// A limit the host cannot give fails with the reason; one it can is set.
func TestRunCgroupLimits(t *testing.T) {
	runNeedUserNS(t)
	self, err := cgroup.OpenProcess(os.Getpid())
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	have, err := self.Controllers()
	self.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !have.Has(cgroup.Pids) {
		out, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--pids-max", "10", "--", "echo", "started")
		if code != ExitCannotRun || out != "" || !strings.Contains(errOut, "cannot enable pids") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 125 and why pids cannot be enabled", code, out, errOut)
		}
		return
	}
	needControllers(t, cgroup.Pids)
	// Not below the threads of the init, a Go program, which count
	// until it execs the command.
	out, errOut, code := runSandbox(t, nil, "--seccomp", "none", "--pids-max", "10", "--", "sh", "-c",
		`i=1; while [ $i -le 10 ]; do sleep 1000 & echo "started $i"; i=$((i+1)); done; echo "all started"`)
	if code == 0 || !strings.Contains(out, "started 9\n") || strings.Contains(out, "started 10") ||
		!strings.Contains(errOut, "lx run: pids.max refused") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 9 sleepers started, the 10th refused", code, out, errOut)
	}
}

// As a user other than root, through the probe binary, which that user
// can run: the same sandbox, its cgroup left out with a note.
func TestRunUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the other tests run unprivileged already")
	}
	lx := runProbeBinary(t)
	cmd, out, errOut := lxProcess(t, "run", "--seccomp", "none", "--", "sh", "-c", "grep -E '^(CapEff|NoNewPrivs):' /proc/self/status; set -- /proc/[0-9]*; echo $#")
	cmd.Path = lx
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: runNobody, Gid: runNobody, Groups: []uint32{}}}
	code := waitLX(t, cmd)
	if strings.Contains(errOut.String(), "user namespace") && code == ExitCannotRun {
		t.Skipf("no unprivileged user namespaces here: %s", errOut)
	}
	if code != 0 || out.String() != "CapEff:\t0000000000000000\nNoNewPrivs:\t1\n1\n" ||
		!strings.Contains(errOut.String(), "no cgroup of its own for the sandbox") {
		t.Errorf("as nobody: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// The same attempts under bubblewrap (Debian's bwrap) with its nearest
// options: --unshare-all --die-with-parent --cap-drop ALL, / read-only
// with --ro-bind, a fresh /proc and /dev, one writable directory. Where
// the two differ, by design:
//
//   - network: bwrap brings the new namespace's loopback up, so a
//     connection to the host's listener address is refused by the
//     sandbox's own lo (ECONNREFUSED); lx run leaves lo down
//     (ENETUNREACH). Neither reaches the host.
//   - inherited fds: bwrap passes on an fd it inherited without
//     close-on-exec (here lx's fd 3); lx run gives the command 0-2 only.
//   - files: bwrap denies writes with a read-only bind mount (EROFS),
//     lx run with Landlock (EACCES); both write in the allowed directory.
//   - PID 1: bwrap runs its own init in the new PID namespace, one more
//     process in /proc, and the command is not PID 1; with lx run it is.
//   - capabilities: with --cap-drop ALL bwrap's command has none either;
//     without it, bwrap run by root keeps root's (and can mount), while
//     lx run drops them always.
//
// The other attempts (host processes, mount, module, kill, ptrace)
// end the same.
func TestRunBwrap(t *testing.T) {
	bwrap := lookPathOrSkip(t, "bwrap")
	runNeedUserNS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir, other := runWorldDir(t), runWorldDir(t)
	p := runProbeBinary(t)
	fd, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	leaked := os.NewFile(uintptr(fd), "/dev/null")
	defer leaked.Close()
	spec := fmt.Sprintf("mount module kill:%d ptrace:%d connect:%s", os.Getpid(), os.Getpid(), ln.Addr())
	// The shell's fds are listed by a subshell that redirects its own
	// output: in a pipeline the shell holds a pipe end (fd 3) while it
	// starts the second command, and a redirection of a command in the
	// shell saves its fd 1 (as fd 10), either of which ls could see.
	script := `"$1"; n() { set -- /proc/[0-9]*; echo $#; }; n; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status; ` +
		`echo x > "$2/$4" && echo in-ok; echo x > "$3/$4" 2>/dev/null || echo out-denied; (ls /proc/$$/fd > "$2/fds.$4"); tr '\n' ' ' < "$2/fds.$4"; echo`
	shArgs := func(name string) []string { return []string{"sh", "-c", script, "sh", p, dir, other, name} }

	cmd, lxOut, lxErr := lxProcess(t, append([]string{"run", "--seccomp", "none", "--landlock", "ro:/,rw:" + dir, "--"}, shArgs("lx")...)...)
	cmd.Env = append(cmd.Env, runProbeEnv+"="+spec)
	cmd.ExtraFiles = []*os.File{leaked}
	if code := waitLX(t, cmd); code != 0 {
		t.Fatalf("lx run: exit %d, stderr %q", code, lxErr)
	}
	bw := exec.Command(bwrap, append([]string{"--unshare-all", "--die-with-parent", "--cap-drop", "ALL",
		"--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--bind", dir, dir, "--"}, shArgs("bwrap")...)...)
	bw.Env = append(os.Environ(), runProbeEnv+"="+spec)
	bw.ExtraFiles = []*os.File{leaked}
	var bwErr strings.Builder
	bw.Stderr = &bwErr
	bwOut, err := bw.Output()
	if err != nil {
		t.Skipf("bwrap cannot run here: %v: %s", err, bwErr.String())
	}
	module := "EPERM"
	if _, err := os.Stat("/proc/modules"); errors.Is(err, fs.ErrNotExist) {
		module = "ENOSYS"
	}
	common := "mount EPERM\nmodule " + module + "\nkill ESRCH\nptrace ESRCH\n"
	wantLX := common + "connect ENETUNREACH\n1\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\nin-ok\nout-denied\n0 1 2 \n"
	if lxOut.String() != wantLX {
		t.Errorf("lx run:\n%s\nwant:\n%s", lxOut, wantLX)
	}
	// bwrap's own PID 1 is a second process; the fds are whatever the
	// test inherited without close-on-exec, fd 3 among them.
	wantBwrap := common + "connect ECONNREFUSED\n2\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\nin-ok\nout-denied\n"
	got, fds, _ := strings.Cut(string(bwOut), "out-denied\n")
	if got+"out-denied\n" != wantBwrap || !slices.Contains(strings.Fields(fds), "3") {
		t.Errorf("bwrap:\n%s\nstderr %q\nwant (the differences in this test's comment):\n%sand fd 3", bwOut, bwErr.String(), wantBwrap)
	}
}
