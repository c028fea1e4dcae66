package signal

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
)

func TestSetOps(t *testing.T) {
	s := SetOf(Int, Term, RTMax)
	if !s.Has(Term) || s.Has(Kill) || s.Has(0) || s.Has(65) || s.Has(-1) || s.Len() != 3 {
		t.Errorf("SetOf = %v: Has or Len wrong", s)
	}
	if s != 1<<1|1<<14|1<<63 {
		t.Errorf("SetOf(INT, TERM, RTMAX) = %#x: signal n must be bit n-1", uint64(s))
	}
	s.Add(Hup)
	s.Remove(Int)
	s.Remove(0)
	s.Remove(65)
	if got := slices.Collect(s.All()); !slices.Equal(got, []Signal{Hup, Term, RTMax}) {
		t.Errorf("All = %v", got)
	}
	for range s.All() {
		break
	}
	a, b := SetOf(Hup, Int), SetOf(Int, Quit)
	if a.Union(b) != SetOf(Hup, Int, Quit) || a.Intersect(b) != SetOf(Int) || a.Difference(b) != SetOf(Hup) {
		t.Errorf("algebra of %v and %v wrong", a, b)
	}
}

func TestSetAddPanics(t *testing.T) {
	for _, sig := range []Signal{0, 65, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%d) did not panic", int(sig))
				}
			}()
			var s Set
			s.Add(sig)
		}()
	}
}

func TestSetText(t *testing.T) {
	for _, c := range []struct {
		s    Set
		want string
	}{
		{0, ""},
		{SetOf(Int), "SIGINT"},
		{SetOf(Int, Term, 32, 35, 63), "SIGINT,SIGTERM,SIG32,SIGRTMIN+1,SIGRTMAX-1"},
		{1<<64 - 1, "SIGHUP,SIGINT,SIGQUIT,SIGILL,SIGTRAP,SIGABRT,SIGBUS,SIGFPE,SIGKILL,SIGUSR1,SIGSEGV,SIGUSR2,SIGPIPE,SIGALRM,SIGTERM,SIGSTKFLT,SIGCHLD,SIGCONT,SIGSTOP,SIGTSTP,SIGTTIN,SIGTTOU,SIGURG,SIGXCPU,SIGXFSZ,SIGVTALRM,SIGPROF,SIGWINCH,SIGIO,SIGPWR,SIGSYS,SIG32,SIG33,SIGRTMIN,SIGRTMIN+1,SIGRTMIN+2,SIGRTMIN+3,SIGRTMIN+4,SIGRTMIN+5,SIGRTMIN+6,SIGRTMIN+7,SIGRTMIN+8,SIGRTMIN+9,SIGRTMIN+10,SIGRTMIN+11,SIGRTMIN+12,SIGRTMIN+13,SIGRTMIN+14,SIGRTMIN+15,SIGRTMAX-14,SIGRTMAX-13,SIGRTMAX-12,SIGRTMAX-11,SIGRTMAX-10,SIGRTMAX-9,SIGRTMAX-8,SIGRTMAX-7,SIGRTMAX-6,SIGRTMAX-5,SIGRTMAX-4,SIGRTMAX-3,SIGRTMAX-2,SIGRTMAX-1,SIGRTMAX"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%#x.String() = %q, want %q", uint64(c.s), got, c.want)
		}
		if back, err := ParseSet(c.want); err != nil || back != c.s {
			t.Errorf("ParseSet(%q) = %#x, %v", c.want, uint64(back), err)
		}
	}
	prefix, _ := SetOf(Kill, Term).AppendText([]byte("blocked: "))
	if string(prefix) != "blocked: SIGKILL,SIGTERM" {
		t.Errorf("AppendText after a prefix = %q", prefix)
	}
	for in, want := range map[string]error{
		"TERM,9,rtmin+2": nil, "SIGINT,": strconv.ErrSyntax, ",SIGINT": strconv.ErrSyntax,
		"SIGINT,,SIGTERM": strconv.ErrSyntax, "SIGINT,0": strconv.ErrRange, "65": strconv.ErrRange,
		"SIGINT SIGTERM": strconv.ErrSyntax,
	} {
		_, err := ParseSet(in)
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("ParseSet(%q) error %v, want %v", in, err, want)
		}
	}
}

func TestSetHex(t *testing.T) {
	// Signal n is bit n-1: SIGINT and SIGTERM are bits 1 and 14, SIGCHLD
	// bit 16, SIGRTMAX bit 63.
	for hex, want := range map[string]Set{
		"0000000000004002":  SetOf(Int, Term),
		"0000000000010000":  SetOf(Chld),
		"8000000000000001":  SetOf(Hup, RTMax),
		"fffffffe7ffbfeff":  Set(1<<64-1) &^ SetOf(Kill, Stop, 32, 33),
		"0":                 0,
		"00000000000000000": 0,
	} {
		got, err := ParseHex(hex)
		if err != nil || got != want {
			t.Errorf("ParseHex(%q) = %v, %v; want %v", hex, got, err, want)
		}
		if b, err := ParseHex([]byte(hex)); err != nil || b != want {
			t.Errorf("ParseHex([]byte(%q)) = %v, %v", hex, b, err)
		}
		if back, _ := ParseHex(want.Hex()); back != want || len(want.Hex()) != 16 {
			t.Errorf("Hex() = %q", want.Hex())
		}
	}
	if SetOf(Int, Term).Hex() != "0000000000004002" {
		t.Errorf("Hex = %q", SetOf(Int, Term).Hex())
	}
	for _, bad := range []string{"", "0x1", "g", "10000000000000000", " 1"} {
		if _, err := ParseHex(bad); err == nil {
			t.Errorf("ParseHex(%q) succeeded", bad)
		}
	}
}

func TestSetJSON(t *testing.T) {
	type v struct {
		Blocked Set
		Sig     Signal
	}
	in := v{SetOf(Usr1, 40), Term}
	b, err := json.Marshal(in)
	if want := `{"Blocked":"SIGUSR1,SIGRTMIN+6","Sig":"SIGTERM"}`; err != nil || string(b) != want {
		t.Fatalf("Marshal = %s, %v; want %s", b, err, want)
	}
	var out v
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("Unmarshal = %+v, %v", out, err)
	}
}
