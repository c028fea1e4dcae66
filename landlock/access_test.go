package landlock

import (
	"errors"
	"strconv"
	"testing"
)

func TestAccessText(t *testing.T) {
	tests := []struct {
		v    interface{ String() string }
		text string
	}{
		{AccessFS(0), "none"},
		{ReadFile | ReadDir, "fs.read_file,fs.read_dir"},
		{Execute | IoctlDev | 1<<40, "fs.execute,fs.ioctl_dev,0x10000000000"},
		{ABI(7).AccessFS(), "fs.execute,fs.write_file,fs.read_file,fs.read_dir,fs.remove_dir,fs.remove_file," +
			"fs.make_char,fs.make_dir,fs.make_reg,fs.make_sock,fs.make_fifo,fs.make_block,fs.make_sym," +
			"fs.refer,fs.truncate,fs.ioctl_dev"},
		{BindTCP | ConnectTCP, "net.bind_tcp,net.connect_tcp"},
		{AccessNet(0), "none"},
		{Signal, "scope.signal"},
		{AbstractUnixSocket | Signal, "scope.abstract_unix_socket,scope.signal"},
		{LogNewExecOn | 0x10, "LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON|0x10"},
		{RestrictFlags(0), "0"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.text {
			t.Errorf("%#v: got %q, want %q", tt.v, got, tt.text)
		}
		var back any
		var err error
		switch tt.v.(type) {
		case AccessFS:
			back, err = ParseAccessFS(tt.text)
		case AccessNet:
			back, err = ParseAccessNet(tt.text)
		case Scope:
			back, err = ParseScope(tt.text)
		case RestrictFlags:
			back, err = ParseRestrictFlags(tt.text)
		}
		if err != nil || back != tt.v {
			t.Errorf("parse %q: got %v, %v; want %v", tt.text, back, err, tt.v)
		}
	}
}

func TestParseAccessErrors(t *testing.T) {
	for _, s := range []string{"", "fs.read", "read_file", "fs.read_file,", "fs.read_file|fs.read_dir", "net.bind_tcp", "none,fs.execute", "FS.EXECUTE"} {
		a, err := ParseAccessFS(s)
		if !errors.Is(err, strconv.ErrSyntax) {
			t.Errorf("ParseAccessFS(%q) = %v, %v; want a syntax error", s, a, err)
		}
	}
	if _, err := ParseAccessNet("0x10000000000000000"); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("ParseAccessNet of 65 bits: got %v, want a range error", err)
	}
	if _, err := ParseRestrictFlags("0x100000000"); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("ParseRestrictFlags of 33 bits: got %v, want a range error", err)
	}
}

// fuzzText checks that parse never panics and that what it accepts
// formats to text that parses to the same value.
func fuzzText[T comparable](t *testing.T, s string, parse func(string) (T, error), format func(T) string) {
	v, err := parse(s)
	if err != nil {
		return
	}
	text := format(v)
	back, err := parse(text)
	if err != nil || back != v {
		t.Fatalf("%q -> %v -> %q -> %v, %v", s, v, text, back, err)
	}
}

func FuzzParseAccessFS(f *testing.F) {
	for _, s := range []string{"none", "fs.read_file,fs.read_dir", "fs.execute,0x10000", "0x1", "fs.refer,fs.refer"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzText(t, s, ParseAccessFS, AccessFS.String) })
}

func FuzzParseAccessNet(f *testing.F) {
	for _, s := range []string{"none", "net.bind_tcp,net.connect_tcp", "0x4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzText(t, s, ParseAccessNet, AccessNet.String) })
}

func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"none", "scope.signal", "scope.abstract_unix_socket,0x4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzText(t, s, ParseScope, Scope.String) })
}

func FuzzParseRestrictFlags(f *testing.F) {
	for _, s := range []string{"0", "LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF|0x8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { fuzzText(t, s, ParseRestrictFlags, RestrictFlags.String) })
}

func TestMarshalText(t *testing.T) {
	b, err := (ReadFile | Truncate).MarshalText()
	if err != nil || string(b) != "fs.read_file,fs.truncate" {
		t.Fatalf("got %q, %v", b, err)
	}
	var a AccessFS
	if err := a.UnmarshalText([]byte("fs.make_dir")); err != nil || a != MakeDir {
		t.Fatalf("got %v, %v", a, err)
	}
	a = ReadFile
	if err := a.UnmarshalText([]byte("bogus")); err == nil || a != ReadFile {
		t.Fatalf("bad text: got %v, %v; want an error and no change", a, err)
	}
}
