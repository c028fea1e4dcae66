package procfs

import (
	"os"
	"slices"
	"testing"
)

func TestParseCmdline(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\x00", []string{""}},
		{"a\x00", []string{"a"}},
		{"a\x00\x00", []string{"a", ""}},
		{"a\x00\x00b\x00", []string{"a", "", "b"}},
		{"no trailing nul", []string{"no trailing nul"}},
		{"a\x00b", []string{"a", "b"}},
	} {
		got := parseCmdline([]byte(tc.in))
		if !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := parseCmdline(readFixture(t, "proc-cmdline-hostile")); !slices.Equal(got, []string{"/bin/prog", "", "arg with space", "\xff\xfe", "-x"}) {
		t.Errorf("hostile: %q", got)
	}
	if got := parseCmdline(readFixture(t, "proc-cmdline-setproctitle")); !slices.Equal(got, []string{"nginx: master process /usr/sbin/nginx"}) {
		t.Errorf("setproctitle: %q", got)
	}
}

func TestParseEnviron(t *testing.T) {
	env := parseEnviron(readFixture(t, "proc-environ-hostile"))
	want := Environ{
		{"A", "1", true}, {"NOEQUALS", "", false}, {"A", "2", true}, {"", "leading", true},
		{"EMPTY", "", true}, {"B", "x=y", true}, {"\xff", "\xfe", true},
	}
	if !slices.Equal(env, want) {
		t.Errorf("got  %q\nwant %q", env, want)
	}
	if v, ok := env.Lookup("A"); !ok || v != "1" {
		t.Errorf("Lookup(A) = %q %v", v, ok)
	}
	if _, ok := env.Lookup("NOEQUALS"); ok {
		t.Error("Lookup(NOEQUALS) found an entry without '='")
	}
	if v, ok := env.Lookup("EMPTY"); !ok || v != "" {
		t.Errorf("Lookup(EMPTY) = %q %v", v, ok)
	}
	if got := env.Strings(); !slices.Equal(got, []string{"A=1", "NOEQUALS", "A=2", "=leading", "EMPTY=", "B=x=y", "\xff=\xfe"}) {
		t.Errorf("Strings %q", got)
	}
	if parseEnviron(nil) != nil {
		t.Error("empty environ not nil")
	}
}

func TestCmdlineEnvironSelf(t *testing.T) {
	p := Default().Self()
	args, err := p.Cmdline()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(args, os.Args) {
		t.Errorf("cmdline %q, os.Args %q", args, os.Args)
	}
	env, err := p.Environ()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(env.Strings(), os.Environ()) {
		t.Errorf("environ differs from os.Environ:\n%q\n%q", env.Strings(), os.Environ())
	}
	// Kernel threads have neither.
	args, err = mustProc(t, Default(), 2).Cmdline()
	if err != nil || len(args) != 0 {
		t.Errorf("kthreadd cmdline %q %v", args, err)
	}
}

func FuzzParseCmdline(f *testing.F) {
	f.Add(readFixture(f, "proc-cmdline-hostile"))
	f.Add(readFixture(f, "proc-environ-hostile"))
	f.Fuzz(func(t *testing.T, b []byte) {
		args := parseCmdline(b)
		// Round trip: formatting gives the input, with a final NUL added
		// if it lacked one.
		want := b
		if len(b) > 0 && b[len(b)-1] != 0 {
			want = append(append([]byte(nil), b...), 0)
		}
		if got := appendCmdline(nil, args); string(got) != string(want) {
			t.Errorf("%q -> %q -> %q", b, args, got)
		}
		env := parseEnviron(b)
		if len(env) != len(args) {
			t.Fatalf("%d env entries, %d args", len(env), len(args))
		}
		for i, e := range env {
			if e.String() != args[i] {
				t.Errorf("entry %q -> %q", args[i], e.String())
			}
		}
	})
}
