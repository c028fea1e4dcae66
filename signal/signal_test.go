package signal

import (
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestString(t *testing.T) {
	for s, want := range map[Signal]string{
		Hup: "SIGHUP", Term: "SIGTERM", Kill: "SIGKILL", StkFlt: "SIGSTKFLT", IO: "SIGIO",
		Sys: "SIGSYS", 32: "SIG32", 33: "SIG33", RTMin: "SIGRTMIN", 35: "SIGRTMIN+1",
		49: "SIGRTMIN+15", 50: "SIGRTMAX-14", 63: "SIGRTMAX-1", RTMax: "SIGRTMAX",
		0: "SIG0", 65: "SIG65", -1: "SIG-1", 1 << 30: "SIG1073741824",
	} {
		if got := s.String(); got != want {
			t.Errorf("Signal(%d).String() = %q, want %q", int(s), got, want)
		}
		if b, _ := s.MarshalText(); string(b) != want {
			t.Errorf("Signal(%d).MarshalText() = %q, want %q", int(s), b, want)
		}
	}
}

// TestConstants checks the constants against the syscall package's
// numbers for this architecture.
func TestConstants(t *testing.T) {
	for s, sys := range map[Signal]syscall.Signal{
		Hup: syscall.SIGHUP, Int: syscall.SIGINT, Quit: syscall.SIGQUIT, Ill: syscall.SIGILL,
		Trap: syscall.SIGTRAP, Abrt: syscall.SIGABRT, Bus: syscall.SIGBUS, FPE: syscall.SIGFPE,
		Kill: syscall.SIGKILL, Usr1: syscall.SIGUSR1, Segv: syscall.SIGSEGV, Usr2: syscall.SIGUSR2,
		Pipe: syscall.SIGPIPE, Alrm: syscall.SIGALRM, Term: syscall.SIGTERM, StkFlt: syscall.SIGSTKFLT,
		Chld: syscall.SIGCHLD, Cont: syscall.SIGCONT, Stop: syscall.SIGSTOP, Tstp: syscall.SIGTSTP,
		Ttin: syscall.SIGTTIN, Ttou: syscall.SIGTTOU, Urg: syscall.SIGURG, Xcpu: syscall.SIGXCPU,
		Xfsz: syscall.SIGXFSZ, Vtalrm: syscall.SIGVTALRM, Prof: syscall.SIGPROF, Winch: syscall.SIGWINCH,
		IO: syscall.SIGIO, Pwr: syscall.SIGPWR, Sys: syscall.SIGSYS,
	} {
		if s.Sys() != sys {
			t.Errorf("%v.Sys() = %d, want %d", s, s.Sys(), sys)
		}
		if s.IsRealtime() {
			t.Errorf("%v.IsRealtime() = true", s)
		}
	}
	for s := Signal(32); s <= 64; s++ {
		if !s.IsRealtime() {
			t.Errorf("%v.IsRealtime() = false", s)
		}
	}
	if Signal(65).IsRealtime() || Signal(0).IsRealtime() {
		t.Error("IsRealtime true outside 32..64")
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Signal
		err  error
	}{
		{"TERM", Term, nil},
		{"SIGTERM", Term, nil},
		{"sigterm", Term, nil},
		{"Term", Term, nil},
		{"15", Term, nil},
		{"SIG15", Term, nil},
		{"015", Term, nil},
		{"0", 0, nil},
		{"SIG0", 0, nil},
		{"64", RTMax, nil},
		{"32", 32, nil},
		{"SIG33", 33, nil},
		{"IOT", Abrt, nil},
		{"SIGCLD", Chld, nil},
		{"poll", IO, nil},
		{"SIGSYS", Sys, nil},
		{"STKFLT", StkFlt, nil},
		{"RTMIN", RTMin, nil},
		{"SIGRTMIN", RTMin, nil},
		{"RTMIN+3", 37, nil},
		{"sigrtmin+0", RTMin, nil},
		{"RTMIN+30", RTMax, nil},
		{"RTMAX", RTMax, nil},
		{"SIGRTMAX-1", 63, nil},
		{"RTMAX-30", RTMin, nil},
		{"65", 0, strconv.ErrRange},
		{"99999999999999999999", 0, strconv.ErrRange},
		{"RTMIN+31", 0, strconv.ErrRange},
		{"RTMAX-31", 0, strconv.ErrRange},
		{"RTMIN-1", 0, strconv.ErrSyntax},
		{"RTMAX+1", 0, strconv.ErrSyntax},
		{"RTMIN+", 0, strconv.ErrSyntax},
		{"RTMIN+x", 0, strconv.ErrSyntax},
		{"RTMIN+-1", 0, strconv.ErrSyntax},
		{"SIG", 0, strconv.ErrSyntax},
		{"SIGSIGTERM", 0, strconv.ErrSyntax},
		{"-15", 0, strconv.ErrSyntax},
		{"+15", 0, strconv.ErrSyntax},
		{"15 ", 0, strconv.ErrSyntax},
		{" TERM", 0, strconv.ErrSyntax},
		{"TERMINATE", 0, strconv.ErrSyntax},
		{"SIG-1", 0, strconv.ErrSyntax},
		{"\u212aILL", 0, strconv.ErrSyntax}, // Kelvin sign: no Unicode folding
		{"", 0, strconv.ErrSyntax},
	} {
		got, err := Parse(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
		var u Signal
		if err := u.UnmarshalText([]byte(c.in)); u != c.want || (c.err == nil) != (err == nil) {
			t.Errorf("UnmarshalText(%q) = %v, %v", c.in, u, err)
		}
	}
	_, err := Parse("SIGFOO")
	if want := `signal: invalid signal "SIGFOO": invalid syntax`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestMatchesBash compares the names with bash's kill -l, which names
// real-time signals relative to glibc's SIGRTMIN.
func TestMatchesBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	var script strings.Builder
	for s := Hup; s <= RTMax; s++ {
		if s != 32 && s != 33 {
			script.WriteString("kill -l " + strconv.Itoa(int(s)) + "\n")
		}
	}
	out, err := exec.Command(bash, "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	lines := strings.Fields(string(out))
	i := 0
	for s := Hup; s <= RTMax; s++ {
		if s == 32 || s == 33 {
			continue
		}
		if i >= len(lines) {
			t.Fatalf("bash printed %d names", len(lines))
		}
		if want := "SIG" + lines[i]; s.String() != want {
			t.Errorf("signal %d: String %q, bash %q", int(s), s.String(), want)
		}
		if back, err := Parse(lines[i]); err != nil || back != s {
			t.Errorf("Parse(%q) = %v, %v; want %d", lines[i], back, err, int(s))
		}
		i++
	}
}
