package cli

// End-to-end tests of lx exec: the test binary run as lx (see asLXEnv).

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/cgroup"
)

func TestExecExitStatus(t *testing.T) {
	for _, tc := range []struct {
		script string
		code   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"kill -TERM $$", 128 + int(syscall.SIGTERM)}, // 143, as a shell reports it
		{"kill -KILL $$", 128 + int(syscall.SIGKILL)},
	} {
		out, errOut, code := lxRun(t, "", "exec", "sh", "-c", tc.script)
		if code != tc.code || out != "" || errOut != "" {
			t.Errorf("lx exec sh -c %q: exit %d, stdout %q, stderr %q; want exit %d and no output", tc.script, code, out, errOut, tc.code)
		}
	}
}

// The command reads lx's standard input and writes to its standard
// output and error, each to its own.
func TestExecStreams(t *testing.T) {
	const in = "line one\nline two, not UTF-8: \xff\n"
	out, errOut, code := lxRun(t, in, "exec", "sh", "-c", "cat; echo to-stderr >&2")
	if code != 0 || out != in || errOut != "to-stderr\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, %q, %q", code, out, errOut, in, "to-stderr\n")
	}
}

// startOnPTY starts lx with args as the leader of a new session whose
// controlling terminal is a new pseudoterminal (its foreground process
// group is lx's), as a shell starts a foreground job, and returns the
// process and a reader of the terminal.
func startOnPTY(t *testing.T, args ...string) (*exec.Cmd, *os.File, *bufio.Reader) {
	t.Helper()
	master, peer := openPTY(t, 80, 24)
	cmd, _, _ := lxProcess(t, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = peer, peer, peer
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, master, bufio.NewReader(master)
}

// Ctrl-C on lx's terminal reaches the command, which the terminal
// signals with lx (its foreground process group); lx does not die of it,
// waits for the command, and exits with its status: the trap's exit
// code, or 130 when SIGINT killed it.
func TestExecCtrlC(t *testing.T) {
	for _, tc := range []struct {
		name, script, after string
		code                int
	}{
		{"trapped", `trap 'echo got-INT; exit 7' INT; echo ready; while :; do sleep 1; done`, "got-INT", 7},
		{"killed", `echo ready; exec sleep 1000`, "", 128 + int(syscall.SIGINT)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, master, r := startOnPTY(t, "exec", "sh", "-c", tc.script)
			readUntil(t, r, "ready")
			if _, err := master.Write([]byte{3}); err != nil { // ^C: VINTR
				t.Fatal(err)
			}
			if tc.after != "" {
				readUntil(t, r, tc.after)
			}
			if code := waitLX(t, cmd); code != tc.code {
				t.Errorf("lx exited with %d, want %d", code, tc.code)
			}
		})
	}
}

// A SIGTERM sent to lx alone is passed on to the command; a SIGINT sent
// to lx alone is not (a terminal sends it to the command itself).
func TestExecSignalsToLX(t *testing.T) {
	cmd, _, _ := lxProcess(t, "exec", "sh", "-c",
		`trap 'echo got-INT' INT; trap 'echo got-TERM; exit 9' TERM; echo ready; while :; do sleep 1; done`)
	cmd.Stdout = nil
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	readUntil(t, r, "ready")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if text := readUntil(t, r, "got-TERM"); strings.Contains(text, "got-INT") {
		t.Errorf("the command got lx's SIGINT:\n%s", text)
	}
	if code := waitLX(t, cmd); code != 9 {
		t.Errorf("lx exited with %d, want the command's 9", code)
	}
}

// userNSPrefix is how a test asks for new namespaces: as root directly,
// otherwise inside a new user namespace where lx's ids are root
// (--map-root), skipping when this system refuses unprivileged user
// namespaces.
func userNSPrefix(t *testing.T) []string {
	t.Helper()
	if os.Geteuid() == 0 {
		return []string{"exec"}
	}
	if _, errOut, code := lxRun(t, "", "exec", "--map-root", "true"); code != 0 {
		t.Skipf("no unprivileged user namespaces here: %s", errOut)
	}
	return []string{"exec", "--map-root"}
}

func TestExecNewNamespaces(t *testing.T) {
	prefix := userNSPrefix(t)
	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := lxRun(t, "", append(prefix, args...)...)
		if code != 0 || errOut != "" {
			t.Fatalf("lx %q: exit %d, stderr %q", append(prefix, args...), code, errOut)
		}
		return out
	}
	// A new network namespace has only the loopback interface.
	var ifaces []string
	for _, line := range strings.Split(run("--ns", "net", "cat", "/proc/net/dev"), "\n")[2:] {
		if name, _, ok := strings.Cut(line, ":"); ok {
			ifaces = append(ifaces, strings.TrimSpace(name))
		}
	}
	if len(ifaces) != 1 || ifaces[0] != "lo" {
		t.Errorf("interfaces in a new network namespace: %q, want [lo]", ifaces)
	}
	// In a new PID namespace the command is its init.
	if got := run("--ns", "pid", "sh", "-c", "echo $$"); got != "1\n" {
		t.Errorf("pid in a new PID namespace: %q, want 1", got)
	}
	// Several at once, and the others stay lx's.
	got := run("--ns", "ipc,uts", "--ns", "mnt", "sh", "-c", "for n in ipc mnt uts net; do readlink /proc/self/ns/$n; done")
	links := strings.Fields(got)
	for i, n := range []string{"ipc", "mnt", "uts", "net"} {
		ours, err := os.Readlink("/proc/self/ns/" + n)
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(links) || (links[i] == ours) != (n == "net") {
			t.Errorf("%s namespace: command's %q, lx's %q", n, links, ours)
		}
	}
}

// --hostname gives a new UTS namespace its name. The name is set by the
// forking thread in lx's own user namespace: root only.
func TestExecHostname(t *testing.T) {
	if os.Geteuid() != 0 {
		out, errOut, code := lxRun(t, "", "exec", "--map-root", "--hostname", "x", "true")
		if code != ExitCannotRun || !strings.Contains(errOut, "set host name") {
			t.Errorf("unprivileged --hostname: exit %d, stdout %q, stderr %q; want 125 naming the step", code, out, errOut)
		}
		return
	}
	out, errOut, code := lxRun(t, "", "exec", "--hostname", "lx-exec-test", "cat", "/proc/sys/kernel/hostname")
	if code != 0 || out != "lx-exec-test\n" || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want the new name", code, out, errOut)
	}
}

// --map-root: lx's uid is root in the new user namespace, as root and
// as any other user.
func TestExecMapRoot(t *testing.T) {
	out, errOut, code := lxRun(t, "", "exec", "--map-root", "sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups")
	if code != 0 && os.Geteuid() != 0 {
		t.Skipf("no unprivileged user namespaces here: %s", errOut)
	}
	want := fmt.Sprintf("0 0 0 %d 1 0 %d 1 deny", os.Geteuid(), os.Getegid())
	if got := strings.Join(strings.Fields(out), " "); code != 0 || got != want || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
}

// --join PID starts the command in the namespaces of a sleeper that has
// its own: all those lx can join (the user namespace stays lx's, which
// lx says), or those of --join-ns.
func TestExecJoin(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("joining another process's namespaces needs CAP_SYS_ADMIN")
	}
	sleeper := exec.Command(lookPathOrSkip(t, "sleep"), "1000")
	sleeper.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET | syscall.CLONE_NEWUTS |
			syscall.CLONE_NEWIPC | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
	}
	if err := sleeper.Start(); err != nil {
		t.Skipf("cannot start a sleeper in new namespaces: %v", err)
	}
	t.Cleanup(func() {
		sleeper.Process.Kill()
		sleeper.Wait()
	})
	pid := fmt.Sprint(sleeper.Process.Pid)
	link := func(p, n string) string {
		t.Helper()
		l, err := os.Readlink("/proc/" + p + "/ns/" + n)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	const script = "for n in ipc mnt net pid uts user; do readlink /proc/self/ns/$n; done"
	kinds := []string{"ipc", "mnt", "net", "pid", "uts", "user"}
	for _, tc := range []struct {
		args   []string
		joined string // the kinds joined, space-separated
	}{
		{[]string{"exec", "--join", pid}, "ipc mnt net pid uts"},
		{[]string{"exec", "--join", pid, "--join-ns", "net,uts"}, "net uts"},
		{[]string{"exec", "--join", pid, "--ns", "net"}, "ipc mnt pid uts"}, // new wins over joined
	} {
		out, errOut, code := lxRun(t, "", append(tc.args, "sh", "-c", script)...)
		if code != 0 {
			t.Fatalf("lx %q: exit %d, stderr %q", tc.args, code, errOut)
		}
		links := strings.Fields(out)
		if len(links) != len(kinds) {
			t.Fatalf("lx %q: output %q", tc.args, out)
		}
		for i, n := range kinds {
			switch {
			case strings.Contains(" "+tc.joined+" ", " "+n+" "):
				if links[i] != link(pid, n) {
					t.Errorf("lx %q: command's %s namespace %s, the sleeper's %s", tc.args, n, links[i], link(pid, n))
				}
			case n == "net" && strings.Contains(strings.Join(tc.args, " "), "--ns net"):
				if links[i] == link(pid, n) || links[i] == link("self", n) {
					t.Errorf("lx %q: command's net namespace %s is not new", tc.args, links[i])
				}
			default:
				if links[i] != link("self", n) {
					t.Errorf("lx %q: command's %s namespace %s, lx's %s", tc.args, n, links[i], link("self", n))
				}
			}
		}
		noted := strings.Contains(errOut, "process "+pid+" is in another user namespace, which lx cannot join")
		if explicit := strings.Contains(strings.Join(tc.args, " "), "--join-ns"); noted == explicit {
			t.Errorf("lx %q: stderr %q (a note on the user namespace only without --join-ns)", tc.args, errOut)
		}
	}
}

// --cgroup starts the command in an existing cgroup v2, named by its
// path or its directory.
func TestExecCgroup(t *testing.T) {
	cg := testCgroup(t)
	for _, arg := range []string{cg.Path(), cg.Dir()} {
		out, errOut, code := lxRun(t, "", "exec", "--cgroup", arg, "cat", "/proc/self/cgroup")
		if code != 0 || !strings.Contains("\n"+out, "\n0::"+cg.Path()+"\n") {
			t.Errorf("--cgroup %s: exit %d, stdout %q, stderr %q; want 0::%s", arg, code, out, errOut, cg.Path())
		}
	}
	_, errOut, code := lxRun(t, "", "exec", "--cgroup", cg.Path()+"-nonexistent", "true")
	if code != ExitCannotRun || !strings.Contains(errOut, "no such file or directory") {
		t.Errorf("--cgroup of a missing cgroup: exit %d, stderr %q", code, errOut)
	}
}

// testCgroup creates a child cgroup of the v2 root for the test and
// removes it afterwards; it skips where that is not allowed.
func testCgroup(t *testing.T) *cgroup.Cgroup {
	t.Helper()
	root, err := cgroup.Open("/")
	if err != nil {
		t.Skipf("no cgroup v2 hierarchy: %v", err)
	}
	defer root.Close()
	cg, err := root.NewChild(fmt.Sprintf("lx-cli-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-")))
	if err != nil {
		t.Skipf("cannot create a cgroup: %v", err)
	}
	t.Cleanup(func() {
		if err := cg.Remove(context.Background(), &cgroup.RemoveOptions{Kill: true}); err != nil {
			t.Error(err)
		}
		cg.Close()
	})
	return cg
}
