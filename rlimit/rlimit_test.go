package rlimit

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestResourceNames(t *testing.T) {
	for _, c := range []struct {
		r           Resource
		name, short string
		unit        Unit
	}{
		{CPU, "RLIMIT_CPU", "cpu", UnitSeconds},
		{FSize, "RLIMIT_FSIZE", "fsize", UnitBytes},
		{Stack, "RLIMIT_STACK", "stack", UnitBytes},
		{NProc, "RLIMIT_NPROC", "nproc", UnitCount},
		{NoFile, "RLIMIT_NOFILE", "nofile", UnitCount},
		{AS, "RLIMIT_AS", "as", UnitBytes},
		{SigPending, "RLIMIT_SIGPENDING", "sigpending", UnitCount},
		{MsgQueue, "RLIMIT_MSGQUEUE", "msgqueue", UnitBytes},
		{RTTime, "RLIMIT_RTTIME", "rttime", UnitMicroseconds},
		{16, "16", "16", UnitCount},
		{-1, "-1", "-1", UnitCount},
	} {
		if c.r.String() != c.name || c.r.Name() != c.short || c.r.Unit() != c.unit {
			t.Errorf("Resource(%d): %q %q %v, want %q %q %v", int(c.r), c.r.String(), c.r.Name(), c.r.Unit(), c.name, c.short, c.unit)
		}
	}
}

// TestResourceNumbers checks the constants against the syscall package's
// RLIMIT_* numbers for this architecture.
func TestResourceNumbers(t *testing.T) {
	for r, n := range map[Resource]int{
		CPU: syscall.RLIMIT_CPU, FSize: syscall.RLIMIT_FSIZE, Data: syscall.RLIMIT_DATA,
		Stack: syscall.RLIMIT_STACK, Core: syscall.RLIMIT_CORE, NoFile: syscall.RLIMIT_NOFILE,
		AS: syscall.RLIMIT_AS,
	} {
		if int(r) != n {
			t.Errorf("%v = %d, syscall says %d", r, int(r), n)
		}
	}
	if len(Limits{}) != 16 {
		t.Errorf("Limits has %d entries, want RLIM_NLIMITS = 16", len(Limits{}))
	}
}

func TestParseResource(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Resource
		err  error
	}{
		{"RLIMIT_NOFILE", NoFile, nil},
		{"rlimit_nofile", NoFile, nil},
		{"NOFILE", NoFile, nil},
		{"nofile", NoFile, nil},
		{"NoFile", NoFile, nil},
		{"as", AS, nil},
		{"RLIMIT_RTTIME", RTTime, nil},
		{"7", NoFile, nil},
		{"16", 16, nil},
		{"2147483647", math.MaxInt32, nil},
		{"2147483648", 0, strconv.ErrRange},
		{"RLIMIT_", 0, strconv.ErrSyntax},
		{"RLIMIT_RLIMIT_AS", 0, strconv.ErrSyntax},
		{"LOC\u212aS", 0, strconv.ErrSyntax}, // Kelvin sign: no Unicode folding
		{"-1", 0, strconv.ErrSyntax},
		{"nofile ", 0, strconv.ErrSyntax},
		{"", 0, strconv.ErrSyntax},
		{"open files", 0, strconv.ErrSyntax},
	} {
		got, err := ParseResource(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("ParseResource(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestValue(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Value
		err  error
	}{
		{"unlimited", Unlimited, nil},
		{"18446744073709551615", Unlimited, nil},
		{"18446744073709551614", Unlimited - 1, nil},
		{"0", 0, nil},
		{"8388608", 8388608, nil},
		{"4294967295", 4294967295, nil}, // a finite limit, even to a 32-bit program
		{"18446744073709551616", 0, strconv.ErrRange},
		{"Unlimited", 0, strconv.ErrSyntax},
		{"infinity", 0, strconv.ErrSyntax},
		{"-1", 0, strconv.ErrSyntax},
		{" 1", 0, strconv.ErrSyntax},
		{"", 0, strconv.ErrSyntax},
	} {
		got, err := ParseValue(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("ParseValue(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
		if gotB, errB := ParseValue([]byte(c.in)); gotB != got || (err == nil) != (errB == nil) {
			t.Errorf("ParseValue([]byte(%q)) = %v, %v", c.in, gotB, errB)
		}
	}
	for v, want := range map[Value]string{Unlimited: "unlimited", 0: "0", Unlimited - 1: "18446744073709551614"} {
		if v.String() != want {
			t.Errorf("Value(%d).String() = %q", uint64(v), v.String())
		}
	}
	if !Unlimited.IsUnlimited() || Value(0).IsUnlimited() {
		t.Error("IsUnlimited wrong")
	}
	if s := (Limit{1024, Unlimited}).String(); s != "1024:unlimited" {
		t.Errorf("Limit.String() = %q", s)
	}
}

func TestJSON(t *testing.T) {
	type row struct {
		Resource Resource
		Limit    Limit
	}
	in := row{NoFile, Limit{1024, Unlimited}}
	b, err := json.Marshal(in)
	if want := `{"Resource":"RLIMIT_NOFILE","Limit":{"Soft":1024,"Hard":"unlimited"}}`; err != nil || string(b) != want {
		t.Fatalf("Marshal = %s, %v; want %s", b, err, want)
	}
	var out row
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("Unmarshal = %+v, %v", out, err)
	}
	// MarshalText keeps the text form for text contexts.
	if text, err := Value(1024).MarshalText(); err != nil || string(text) != "1024" {
		t.Errorf("MarshalText = %q, %v", text, err)
	}
}

func TestValueJSON(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Value
		err  bool
	}{
		{`0`, 0, false},
		{`8388608`, 8388608, false},
		{`18446744073709551614`, Unlimited - 1, false},
		{`18446744073709551615`, Unlimited, false},
		{`"unlimited"`, Unlimited, false},
		{`"1024"`, 1024, false},
		{`null`, 7, false}, // unchanged
		{`18446744073709551616`, 0, true},
		{`-1`, 0, true},
		{`1.0`, 0, true},
		{`1e3`, 0, true},
		{`"Unlimited"`, 0, true},
		{`""`, 0, true},
		{`true`, 0, true},
		{`"\u0031"`, 1, false}, // the string "1"
	} {
		v := Value(7)
		err := json.Unmarshal([]byte(c.in), &v)
		if (err != nil) != c.err || !c.err && v != c.want {
			t.Errorf("Unmarshal(%s) = %d, %v", c.in, uint64(v), err)
		}
	}
	for v, want := range map[Value]string{0: `0`, 1024: `1024`, Unlimited - 1: `18446744073709551614`, Unlimited: `"unlimited"`} {
		if b, err := json.Marshal(v); err != nil || string(b) != want {
			t.Errorf("Marshal(%d) = %s, %v; want %s", uint64(v), b, err, want)
		}
	}
}

func TestLimitsJSON(t *testing.T) {
	var l Limits
	for r := range l {
		l[r] = Limit{Value(r), Unlimited}
	}
	l[NoFile] = Limit{1024, 524288}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"RLIMIT_CPU":{"Soft":0,"Hard":"unlimited"},"RLIMIT_FSIZE":{"Soft":1,"Hard":"unlimited"},` +
		`"RLIMIT_DATA":{"Soft":2,"Hard":"unlimited"},"RLIMIT_STACK":{"Soft":3,"Hard":"unlimited"},` +
		`"RLIMIT_CORE":{"Soft":4,"Hard":"unlimited"},"RLIMIT_RSS":{"Soft":5,"Hard":"unlimited"},` +
		`"RLIMIT_NPROC":{"Soft":6,"Hard":"unlimited"},"RLIMIT_NOFILE":{"Soft":1024,"Hard":524288},` +
		`"RLIMIT_MEMLOCK":{"Soft":8,"Hard":"unlimited"},"RLIMIT_AS":{"Soft":9,"Hard":"unlimited"},` +
		`"RLIMIT_LOCKS":{"Soft":10,"Hard":"unlimited"},"RLIMIT_SIGPENDING":{"Soft":11,"Hard":"unlimited"},` +
		`"RLIMIT_MSGQUEUE":{"Soft":12,"Hard":"unlimited"},"RLIMIT_NICE":{"Soft":13,"Hard":"unlimited"},` +
		`"RLIMIT_RTPRIO":{"Soft":14,"Hard":"unlimited"},"RLIMIT_RTTIME":{"Soft":15,"Hard":"unlimited"}}`
	if string(b) != want {
		t.Errorf("Marshal:\n%s\nwant\n%s", b, want)
	}
	var back Limits
	if err := json.Unmarshal(b, &back); err != nil || back != l {
		t.Errorf("Unmarshal = %v, %v", back, err)
	}
	// Short names, numbers as keys; resources not named keep their limits.
	part := l
	if err := json.Unmarshal([]byte(`{"nofile": {"Soft": 1, "Hard": 2}, "3": {"Soft": 3, "Hard": "unlimited"}, "rlimit_core": {"Soft": 0, "Hard": 0}}`), &part); err != nil {
		t.Fatal(err)
	}
	if part[NoFile] != (Limit{1, 2}) || part[Stack] != (Limit{3, Unlimited}) || part[Core] != (Limit{}) || part[CPU] != l[CPU] {
		t.Errorf("partial Unmarshal = %v", part)
	}
	for _, bad := range []string{`[]`, `{"RLIMIT_FOO": {}}`, `{"16": {"Soft": 1}}`, `{"nofile": {"Soft": -1}}`, `{"nofile": 1}`} {
		before := l
		if err := json.Unmarshal([]byte(bad), &before); err == nil || before != l {
			t.Errorf("Unmarshal(%s) = %v, %v; want an error and no change", bad, before, err)
		}
	}
}

// TestDuration is the regression test for the silent clamping of issue
// 7 (defect 5): values beyond time.Duration are not a Duration.
func TestDuration(t *testing.T) {
	for _, c := range []struct {
		r    Resource
		v    Value
		want time.Duration
		ok   bool
	}{
		{CPU, 10, 10 * time.Second, true},
		{CPU, 0, 0, true},
		{RTTime, 200000, 200 * time.Millisecond, true},
		{CPU, math.MaxInt64 / Value(time.Second), math.MaxInt64 / time.Second * time.Second, true},
		{CPU, math.MaxInt64/Value(time.Second) + 1, 0, false},
		{RTTime, math.MaxInt64 / 1000, math.MaxInt64 / 1000 * time.Microsecond, true},
		{RTTime, math.MaxInt64/1000 + 1, 0, false},
		{CPU, Unlimited, 0, false},
		{RTTime, Unlimited, 0, false},
		{NoFile, 10, 0, false},
		{Resource(99), 10, 0, false},
	} {
		d, ok := c.r.Duration(c.v)
		if d != c.want || ok != c.ok {
			t.Errorf("%v.Duration(%v) = %v, %v; want %v, %v", c.r, c.v, d, ok, c.want, c.ok)
		}
	}
}

func TestLimitsAll(t *testing.T) {
	var l Limits
	l[NoFile] = Limit{1024, 4096}
	n := 0
	for r, lim := range l.All() {
		if int(r) != n || lim != l[r] {
			t.Errorf("All yielded %v %v at %d", r, lim, n)
		}
		n++
	}
	if n != 16 {
		t.Errorf("All yielded %d resources", n)
	}
	for range l.All() {
		break
	}
}

// TestMatchesPrlimit reads this process's limits with util-linux
// prlimit(1) and checks that every resource name and value it prints
// parses to what getrlimit(2) says.
func TestMatchesPrlimit(t *testing.T) {
	path, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("prlimit (util-linux) is not installed")
	}
	out, err := exec.Command(path, "--raw", "--noheadings", "-o", "RESOURCE,SOFT,HARD", "-p", strconv.Itoa(os.Getpid())).Output()
	if err != nil {
		t.Fatalf("prlimit: %v", err)
	}
	seen := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("prlimit line %q", line)
		}
		r, err := ParseResource(f[0])
		if err != nil || !strings.EqualFold(r.Name(), f[0]) {
			t.Errorf("prlimit resource %q: %v, %v", f[0], r, err)
			continue
		}
		soft, err1 := ParseValue(f[1])
		hard, err2 := ParseValue(f[2])
		var want syscall.Rlimit
		if err := syscall.Getrlimit(int(r), &want); err != nil {
			t.Fatal(err)
		}
		if err1 != nil || err2 != nil || uint64(soft) != want.Cur || uint64(hard) != want.Max {
			t.Errorf("%v: prlimit %q %q parse to %v %v (%v, %v); getrlimit %d %d", r, f[1], f[2], soft, hard, err1, err2, want.Cur, want.Max)
		}
		seen++
	}
	if seen != 16 {
		t.Errorf("prlimit printed %d resources", seen)
	}
}
