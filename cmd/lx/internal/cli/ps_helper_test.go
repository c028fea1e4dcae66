package cli

// The helper process of TestPSMatchesProcps: a process with every STAT
// modifier and a terminal.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// oddHelperEnv makes the test binary run as the helper of
// startOddHelper; its value is the terminal to take.
const oddHelperEnv = "LX_CLI_TEST_ODD_HELPER"

// TestOddHelper is not a test: run by startOddHelper, it starts a session
// of its own, takes the terminal it is given as its controlling terminal
// (which puts it in the terminal's foreground group), locks a page in
// memory, and as root raises its main thread's priority (nice -5) and
// takes real uid 1000, effective uid 2000 and drops dumpable (so that
// its /proc/PID belongs to root). It says "ready" and what it did, and
// waits for its stdin to close.
func TestOddHelper(t *testing.T) {
	tty := os.Getenv(oddHelperEnv)
	if tty == "" {
		t.Skip("helper process for TestPSMatchesProcps")
	}
	if _, err := syscall.Setsid(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(tty, os.O_RDWR, 0) // without O_NOCTTY: becomes the controlling terminal
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	locked := syscall.Mlock(page) == nil
	root := os.Geteuid() == 0
	if root {
		// Priority is per thread: PRIO_PROCESS with the process id sets
		// the main thread's, which /proc/PID/stat shows.
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, os.Getpid(), -5); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Setresuid(1000, 2000, 2000); err != nil {
			t.Fatal(err)
		}
		if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0, 0, 0, 0); e != 0 {
			t.Fatal(e)
		}
	}
	fmt.Printf("ready locked=%v root=%v\n", locked, root)
	io.Copy(io.Discard, os.Stdin)
	runtime.KeepAlive(page) // locked until the helper ends
}

// oddHelper is the process startOddHelper started.
type oddHelper struct {
	pid  int
	tty  string // its terminal as ps names it, "pts/3"
	stat string // its STAT modifiers, without the state letter
	euid string // its effective uid when it is not the test's, else ""
}

// statOK reports whether stat is the helper's: any state letter, then
// exactly its modifiers.
func (h oddHelper) statOK(stat string) bool { return len(stat) > 0 && stat[1:] == h.stat }

// startOddHelper starts TestOddHelper in a child on a new pseudoterminal
// and returns it once it is ready. The child ends when the test does.
func startOddHelper(t *testing.T) oddHelper {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	_, peer := openPTY(t, 80, 24)
	cmd := exec.Command(exe, "-test.run=^TestOddHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), oddHelperEnv+"="+peer.Name())
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
	line, _ := bufio.NewReader(stdout).ReadString('\n') // a short line fails Sscanf below
	var locked, root bool
	if _, err := fmt.Sscanf(line, "ready locked=%t root=%t\n", &locked, &root); err != nil {
		t.Fatalf("helper: %q, %v", line, err)
	}
	h := oddHelper{pid: cmd.Process.Pid, tty: strings.TrimPrefix(peer.Name(), "/dev/")}
	if root {
		h.stat, h.euid = "<", "2000"
	}
	if locked {
		h.stat += "L"
	}
	h.stat += "sl+" // session leader, a Go program's threads, the terminal's foreground
	for _, name := range []string{"", "/status"} {
		if st, err := os.Stat(fmt.Sprintf("/proc/%d%s", h.pid, name)); err == nil {
			t.Logf("helper: /proc/%d%s is owned by uid %d", h.pid, name, st.Sys().(*syscall.Stat_t).Uid)
		}
	}
	return h
}
