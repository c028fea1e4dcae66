package cli

// lx proc on processes whose names, arguments, executable and
// directories hold control characters, bytes that are not UTF-8 and
// " (deleted)", on a process with a controlling terminal, and on one
// bound to one CPU.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/procfs"
)

// TestProcHostile checks that lx proc shows hostile command names and
// lines exactly in --json and unambiguously in its table.
func TestProcHostile(t *testing.T) {
	for _, h := range startHostile(t) {
		r := runProcJSON(t, h.pid)
		if string(r.Stat.Comm) != h.comm || r.Status == nil || string(r.Status.Name) != h.comm ||
			!slices.Equal(exacts(r.Cmdline), h.args) {
			t.Errorf("lx proc --json: process %d has comm %q (status %+v), cmdline %q; want %q, %q",
				h.pid, r.Stat.Comm, r.Status, exacts(r.Cmdline), h.comm, h.args)
		}
		stdout, _, code := runLX(t, "proc", strconv.Itoa(h.pid))
		if code != ExitOK || !rowRE("comm", escape(h.comm)).MatchString(stdout) ||
			!rowRE("command", quoteArgs(h.args)).MatchString(stdout) {
			t.Errorf("lx proc %d: exit %d, want comm %s and command %s:\n%s", h.pid, code, escape(h.comm), quoteArgs(h.args), stdout)
		}
	}
}

// TestProcHostileLinks runs copies of the shell from directories with
// hostile names, deletes some of them, and checks exe and cwd: the exact
// bytes in --json, " (deleted)" only for what was deleted, and in the
// table an unambiguous form.
func TestProcHostileLinks(t *testing.T) {
	sh, err := filepath.EvalSymlinks("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	// mk makes directory name below base and returns its path.
	mk := func(name string) string {
		t.Helper()
		dir := filepath.Join(base, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, tc := range []struct {
		name           string
		exeDir, cwdDir string // names below base
		exe            string // the copy's name
		delete         bool   // remove the copy and the directory after the start
	}{
		{"control bytes", "bin\n\x1b[1m", "cwd\t\x01", "sh\x7f", false},
		{"not UTF-8", "bin\xff\xfe", "cwd \xc3(x)", "s\xe9h", false},
		{"deleted", "bin del\n", "cwd del\xff", "sh\x01", true},
		{"named deleted", "bin (deleted)", "cwd (deleted)", "sh (deleted)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exe := filepath.Join(mk(tc.exeDir), tc.exe)
			if err := copyFile(exe, sh); err != nil {
				t.Fatal(err)
			}
			cwd := mk(tc.cwdDir)
			cmd := &exec.Cmd{Path: exe, Args: []string{"sh", "-c", "read x"}, Dir: cwd}
			pid := startReader(t, cmd)
			if tc.delete {
				if err := os.Remove(exe); err != nil {
					t.Fatal(err)
				}
				if err := os.Remove(cwd); err != nil {
					t.Fatal(err)
				}
			}
			r := runProcJSON(t, pid)
			for _, l := range []struct {
				key  string
				got  *linkJSON
				path string
			}{{"exe", r.Exe, exe}, {"cwd", r.Cwd, cwd}} {
				want := linkJSON{Target: exact(l.path), Deleted: tc.delete}
				row := escape(l.path)
				switch {
				case tc.delete:
					want.Target += " (deleted)"
					row += " (deleted)"
				case strings.HasSuffix(l.path, " (deleted)"):
					row = strings.TrimSuffix(row, " (deleted)") + `\x20(deleted)`
				}
				if l.got == nil || *l.got != want {
					t.Errorf("%s %+v, want %+v", l.key, l.got, want)
				}
				stdout, _, code := runLX(t, "proc", strconv.Itoa(pid))
				if re := rowRE(l.key, row); code != ExitOK || !re.MatchString(stdout) {
					t.Errorf("lx proc %d: exit %d, no row %s:\n%s", pid, code, re, stdout)
				}
			}
		})
	}
}

func TestFormatLink(t *testing.T) {
	for _, tc := range []struct {
		link procfs.Link
		want string
	}{
		{procfs.Link{Target: "/usr/bin/sh"}, "/usr/bin/sh"},
		{procfs.Link{Target: "/tmp/x (deleted)", Deleted: true}, "/tmp/x (deleted)"},
		{procfs.Link{Target: "/tmp/x (deleted)"}, `/tmp/x\x20(deleted)`},
		{procfs.Link{Target: "/tmp/x (deleted) (deleted)", Deleted: true}, "/tmp/x (deleted) (deleted)"},
		{procfs.Link{Target: "/tmp/a\nb\xff (deleted)", Deleted: true}, `/tmp/a\nb\xff (deleted)`},
		{procfs.Link{Target: "/tmp/trail  (deleted)", Deleted: true}, `/tmp/trail\x20 (deleted)`},
		{procfs.Link{Target: "/"}, "/"},
	} {
		if got := formatLink(tc.link); got != tc.want {
			t.Errorf("formatLink(%+v) = %q, want %q", tc.link, got, tc.want)
		}
	}
}

// TestProcTTY checks the controlling terminal of a process in a session
// of its own on a pseudoterminal: ps's name for it, "pts/N".
func TestProcTTY(t *testing.T) {
	_, peer := openPTY(t, 80, 24)
	cmd := exec.Command("/bin/sh", "-c", "read x")
	cmd.Stdin = peer
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	pid := cmd.Process.Pid
	waitState(t, pid, "S")
	want := strings.TrimPrefix(peer.Name(), "/dev/")
	r := runProcJSON(t, pid)
	if r.TTY == nil || string(*r.TTY) != want || r.Stat.TTY.Major != 136 || r.Stat.Session != pid {
		t.Errorf("tty %v (stat %+v, session %d), want %s", r.TTY, r.Stat.TTY, r.Stat.Session, want)
	}
	stdout, _, code := runLX(t, "proc", strconv.Itoa(pid))
	if code != ExitOK || !rowRE("tty", want).MatchString(stdout) {
		t.Errorf("exit %d, no tty row %s:\n%s", code, want, stdout)
	}
}

// TestProcAffinity checks the CPUs of a process bound to one of ours
// with taskset(1), and the memory nodes.
func TestProcAffinity(t *testing.T) {
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Skip("taskset (util-linux) is not installed")
	}
	self, err := procfs.Default().Self().Status()
	if err != nil {
		t.Fatal(err)
	}
	cpu := slices.Max(slices.Collect(self.CPUsAllowed.All()))
	pid := startReader(t, exec.Command(taskset, "-c", strconv.Itoa(cpu), "/bin/sh", "-c", "read x"))
	r := runProcJSON(t, pid)
	want := strconv.Itoa(cpu)
	if r.Status == nil || r.Status.CPUsAllowed != want || r.Status.MemsAllowed != self.MemsAllowed.String() {
		t.Fatalf("status %+v, want CPU %d and nodes %v", r.Status, cpu, self.MemsAllowed)
	}
	stdout, _, _ := runLX(t, "proc", strconv.Itoa(pid))
	for _, re := range []*regexp.Regexp{rowRE("cpus allowed", want), rowRE("mems allowed", self.MemsAllowed.String())} {
		if !re.MatchString(stdout) {
			t.Errorf("no row %s:\n%s", re, stdout)
		}
	}
}
