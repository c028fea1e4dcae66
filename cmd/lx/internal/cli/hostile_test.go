package cli

// Processes with hostile command names and lines, and what procps prints
// for them.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// procpsEscape is what procps 4.0.2's ps prints for a command name in
// the C locale (escape_str in library/escape.c, whose table maps bytes
// 0x01-0x1f and 0x7f to '.' and bytes 0x80-0xff to '?'; multi-byte
// characters are left whole only in a UTF-8 locale). Run with LC_ALL=C,
// ps's output can be predicted from the exact bytes lx reports.
func procpsEscape(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c < 0x20 || c == 0x7f:
			b[i] = '.'
		case c >= 0x80:
			b[i] = '?'
		}
	}
	return string(b)
}

// procpsArgs is what procps 4.0.2's ps prints as the args of a process
// with command line args in the C locale: read_unvectored (readproc.c)
// drops the trailing NULs of /proc/PID/cmdline and turns every other NUL
// and every newline into a space, then escape_str applies procpsEscape.
// (It also drops a last space when the file does not end in NUL, which
// only a process that rewrote its own arguments can arrange.)
func procpsArgs(args []string) string {
	raw := strings.TrimRight(strings.Join(args, "\x00")+"\x00", "\x00")
	return procpsEscape(strings.NewReplacer("\x00", " ", "\n", " ").Replace(raw))
}

// hostile is a process started by startHostile to break parsers and
// terminals.
type hostile struct {
	pid  int
	comm string   // its command name, as the kernel keeps it
	args []string // its command line
}

// hostileSpecs are the names and arguments of the hostile processes. A
// process's command name is the base name of the file it executed, cut to
// 15 bytes (TASK_COMM_LEN): so each name is a symbolic link to /bin/sh.
var hostileSpecs = []struct {
	name string
	args []string
}{
	{"a\nb) R 1 (\x01", []string{"x\ny", " ", "", "end"}},
	{"\xff\xfe in\xc3", []string{"\xff", `a\b`, `$(x) 'q' "d"`}},
	{"tab\tesc\x1b[1m", []string{"\x1b]0;title\x07", "\t"}},
	{"  lead", []string{" lead "}},
	{"trail  ", []string{"", "x", ""}},
	{"é日本 \u2028", []string{"é", "\u0085"}},
	{`back\sl` + " \x7f(x)", []string{`\x41`}},
	{"0123456789abcdé", []string{strings.Repeat("long ", 20)}}, // cut inside the é
}

// startHostile starts one process per hostileSpecs entry, each blocked
// reading its stdin until the test ends, and returns them once they run
// their program. Their command line is the name, "-c", "read x" and the
// spec's arguments.
func startHostile(t *testing.T) []hostile {
	t.Helper()
	dir := t.TempDir()
	var hs []hostile
	for _, spec := range hostileSpecs {
		path := filepath.Join(dir, spec.name)
		if err := os.Symlink("/bin/sh", path); err != nil {
			t.Fatal(err)
		}
		cmd := &exec.Cmd{Path: path, Args: append([]string{spec.name, "-c", "read x"}, spec.args...)}
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
		hs = append(hs, hostile{pid: cmd.Process.Pid, comm: spec.name[:min(len(spec.name), 15)], args: cmd.Args})
	}
	for _, h := range hs {
		waitState(t, h.pid, "S") // blocked in read: past the exec
	}
	return hs
}

// TestPSHostile checks that lx ps shows hostile processes exactly in
// --json and unambiguously in its table (TestProcHostile does the same
// for lx proc), and that procps, run with LC_ALL=C,
// prints them as procpsEscape and procpsArgs predict.
func TestPSHostile(t *testing.T) {
	hs := startHostile(t)
	_, decoded := lxSnapshot(t)
	for _, h := range hs {
		p, ok := decoded[h.pid]
		if !ok {
			t.Fatalf("lx ps --json lacks process %d", h.pid)
		}
		if string(p.Comm) != h.comm || !slices.Equal(exacts(p.Cmdline), h.args) {
			t.Errorf("lx ps --json: process %d has comm %q, cmdline %q; want %q, %q", h.pid, p.Comm, exacts(p.Cmdline), h.comm, h.args)
		}
	}

	// The table: one line per process, the name escaped and the command
	// line quoted.
	stdout, stderr, code := runLX(t, "ps")
	if code != ExitOK || stderr != "" {
		t.Fatalf("lx ps: exit %d, stderr %s", code, stderr)
	}
	row := regexp.MustCompile(`^[0-9]+ `)
	lines := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if i > 0 && !row.MatchString(line) {
			t.Errorf("line %d is not a process row: %q", i, line)
		}
		lines[strings.Fields(line)[0]] = line
	}
	for _, h := range hs {
		line := lines[strconv.Itoa(h.pid)]
		if !strings.Contains(line, "  "+escape(h.comm)+"  ") || !strings.HasSuffix(line, "  "+quoteArgs(h.args)) {
			t.Errorf("lx ps shows process %d as\n%s\nwant the name %s and the command %s", h.pid, line, escape(h.comm), quoteArgs(h.args))
		}
	}

	ps, err := exec.LookPath("ps")
	if err != nil {
		t.Skip("procps ps is not installed")
	}
	for _, h := range hs {
		for _, c := range []struct{ column, want string }{{"comm", procpsEscape(h.comm)}, {"args", procpsArgs(h.args)}} {
			cmd := exec.Command(ps, "-o", c.column+"=", "-p", strconv.Itoa(h.pid))
			cmd.Env = append(os.Environ(), "LC_ALL=C")
			out, err := cmd.Output()
			if got := strings.TrimSuffix(string(out), "\n"); err != nil || got != c.want {
				t.Errorf("ps -o %s of %q, %q: %q, %v; want %q", c.column, h.comm, h.args, got, err, c.want)
			}
		}
	}
}

func TestProcpsEscape(t *testing.T) {
	if got := procpsEscape("a\tb\nc\x1bd\x7fe\xffF\xc3\xa9G"); got != "a.b.c.d.e?F??G" {
		t.Errorf("procpsEscape = %q", got)
	}
	if got := procpsArgs([]string{"/bin/x", "a\nb", "", " ", ""}); got != "/bin/x a b   " {
		t.Errorf("procpsArgs = %q", got)
	}
}
