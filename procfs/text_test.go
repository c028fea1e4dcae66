package procfs

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// textCase is a value and its text form.
type textCase struct {
	v    encoding.TextMarshaler // a value, not a pointer
	text string
}

var textCases = []textCase{
	{StateSleeping, "S"},
	{StateTracingStop, "t"},
	{State('Q'), "Q"}, // a letter lx does not know
	{State(0), "\x00"},
	{TaskFlags(0), "0"},
	{PFKthread | PFNoFreeze, "PF_NOFREEZE|PF_KTHREAD"},
	{PFKthread | 1<<23 | 1<<30, "PF_KTHREAD|0x40800000"},
	{FDPath, "path"},
	{FDAnonInode, "anon_inode"},
	{OpenReadWrite | OpenCloexec, "O_RDWR|O_CLOEXEC"},
	{OpenFlags(3), "O_ACCMODE"},
	{OpenReadOnly, "O_RDONLY"},
	{OpenSync | OpenAppend, "O_RDONLY|O_SYNC|O_APPEND"},
	{LockPOSIX, "POSIX"},
	{LockClassUnknown, "UNKNOWN"},
	{LockNoInode, "*NOINODE*"},
	{LockUnlock, "UNLCK"},
	{LoginUID(1000), "1000"},
	{LoginUIDUnset, "unset"},
	{SessionID(0), "0"},
	{SessionIDUnset, "unset"},
	{PermRead | PermExec, "r-xp"},
	{PermRead | PermWrite | PermShared, "rw-s"},
	{Perms(0), "---p"},
	{Dev{Major: 8, Minor: 1}, "8:1"},
	{Dev{Major: 1<<32 - 1, Minor: 0}, "4294967295:0"},
	{Dev{}, "0:0"},
	{ResourceMemory, "memory"},
	{ResourceIRQ, "irq"},
	{SampleStat | SampleIO, "stat|io"},
	{SampleFiles(0), "0x0"},
	{SampleStatm | 0x80, "statm|0x80"},
	{VmRead | VmWrite | VmAccount, "rd wr ac"},
	{VmFlags(0), ""},
	{VmUnknown, "??"},
	{SSBThreadMitigated, "thread mitigated"},
	{SSBUnknown, "unknown"},
	{IBConditionalForceDisabled, "conditional force disabled"},
	{X86ShadowStack | X86WRSS, "shstk wrss"},
	{X86Features(0), ""},
	{SwapPartition, "partition"},
	{SwapType("zram"), "zram"},
	{SwapType(""), ""},
	{MakeComm("kworker/u8:2-events_unbound"), "kworker/u8:2-events_unbound"},
	{MakeComm("a\nb (\xff)"), "a\nb (\xff)"},
	{MakeComm(""), ""},
}

// newOf returns a new pointer to a zero value of v's type.
func newOf(v any) encoding.TextUnmarshaler {
	return reflect.New(reflect.TypeOf(v)).Interface().(encoding.TextUnmarshaler)
}

// TestText checks each type's MarshalText and that UnmarshalText reads
// it back.
func TestText(t *testing.T) {
	for _, tt := range textCases {
		name := fmt.Sprintf("%T(%q)", tt.v, tt.text)
		text, err := tt.v.MarshalText()
		if err != nil || string(text) != tt.text {
			t.Errorf("%s: MarshalText = %q, %v", name, text, err)
		}
		back := newOf(tt.v)
		if err := back.UnmarshalText([]byte(tt.text)); err != nil {
			t.Errorf("%s: UnmarshalText: %v", name, err)
			continue
		}
		if got := reflect.ValueOf(back).Elem().Interface(); got != tt.v {
			t.Errorf("%s: UnmarshalText gives %v", name, got)
		}
		// MarshalText is String, but for State (String is the word).
		if s, ok := tt.v.(fmt.Stringer); ok && reflect.TypeOf(tt.v) != reflect.TypeFor[State]() && s.String() != tt.text {
			t.Errorf("%s: String = %q", name, s.String())
		}
	}
}

func TestUnmarshalTextErrors(t *testing.T) {
	for _, tt := range []struct {
		v    any
		text string
		err  error
	}{
		{State(0), "", strconv.ErrSyntax},
		{State(0), "SS", strconv.ErrSyntax},
		{TaskFlags(0), "", strconv.ErrSyntax},
		{TaskFlags(0), "PF_KTHREAD|", strconv.ErrSyntax},
		{TaskFlags(0), "pf_kthread", strconv.ErrSyntax},
		{TaskFlags(0), "0x100000000", strconv.ErrRange},
		{TaskFlags(0), "2097152", strconv.ErrSyntax}, // stat's decimal is not the text form
		{FDKind(0), "Path", strconv.ErrSyntax},
		{FDKind(0), "FDKind(7)", strconv.ErrSyntax},
		{OpenFlags(0), "", strconv.ErrSyntax},
		{OpenFlags(0), "O_CLOEXEC", strconv.ErrSyntax},
		{OpenFlags(0), "O_RDONLY|", strconv.ErrSyntax},
		{OpenFlags(0), "O_RDONLY|0", strconv.ErrSyntax},
		{OpenFlags(0), "O_RDONLY|O_RDWR", strconv.ErrSyntax},
		{OpenFlags(0), "O_RDONLY|02", strconv.ErrSyntax},
		{OpenFlags(0), "O_RDONLY|0x10", strconv.ErrSyntax},
		{OpenFlags(0), "O_RDONLY|077777777777", strconv.ErrRange},
		{LockClass(0), "posix", strconv.ErrSyntax},
		{LockMode(0), "", strconv.ErrSyntax},
		{LockAccess(0), "READ ", strconv.ErrSyntax},
		{LoginUID(0), "", strconv.ErrSyntax},
		{LoginUID(0), "-1", strconv.ErrSyntax},
		{LoginUID(0), "4294967296", strconv.ErrRange},
		{LoginUID(0), " 1", strconv.ErrSyntax},
		{SessionID(0), "UNSET", strconv.ErrSyntax},
		{Perms(0), "rwxps", strconv.ErrSyntax},
		{Perms(0), "rwx-", strconv.ErrSyntax},
		{Perms(0), "wr-p", strconv.ErrSyntax},
		{Dev{}, "8", strconv.ErrSyntax},
		{Dev{}, "8:1:2", strconv.ErrSyntax},
		{Dev{}, "fe:00", strconv.ErrSyntax},
		{Dev{}, "4294967296:0", strconv.ErrSyntax},
		{Resource(0), "CPU", strconv.ErrSyntax},
		{SampleFiles(0), "", strconv.ErrSyntax},
		{SampleFiles(0), "0", strconv.ErrSyntax},
		{SampleFiles(0), "stat|0x100", strconv.ErrRange},
		{VmFlags(0), "rd xx", strconv.ErrSyntax},
		{VmFlags(0), "rdwr", strconv.ErrSyntax},
		{SpecStoreBypass(0), "Vulnerable", strconv.ErrSyntax},
		{SpecIndirectBranch(0), "SpecIndirectBranch(9)", strconv.ErrSyntax},
		{X86Features(0), "shstk ibt", strconv.ErrSyntax},
		{SwapType(""), "a file", strconv.ErrSyntax},
		{Comm{}, string(make([]byte, commMax+1)), strconv.ErrRange},
	} {
		p := newOf(tt.v)
		if err := p.UnmarshalText([]byte(tt.text)); !errors.Is(err, tt.err) {
			t.Errorf("%T.UnmarshalText(%q) = %v, want %v", tt.v, tt.text, err, tt.err)
		}
	}
	// A failed UnmarshalText leaves the value alone.
	u := LoginUID(7)
	if err := u.UnmarshalText([]byte("x")); err == nil || u != 7 {
		t.Errorf("UnmarshalText(x): %v, %v", u, err)
	}
	// The longest Comm is accepted, exactly.
	var c Comm
	long := string(make([]byte, commMax))
	if err := c.UnmarshalText([]byte(long)); err != nil || !c.Equal(long) {
		t.Errorf("UnmarshalText of %d bytes: %v", commMax, err)
	}
}

// TestMarshalTextErrors: values that have no text form.
func TestMarshalTextErrors(t *testing.T) {
	for _, v := range []encoding.TextMarshaler{
		FDKind(7), OpenFlags(0), LockClass(7), LockMode(7), LockAccess(4), Perms(16),
		Resource(-1), Resource(4), VmFlags(1 << 41), SpecStoreBypass(7), SpecIndirectBranch(8),
		X86Features(4), SwapType("a b"),
	} {
		if _, ok := v.(OpenFlags); ok {
			continue // every OpenFlags has a text
		}
		if text, err := v.MarshalText(); err == nil {
			t.Errorf("%T(%v).MarshalText() = %q, want an error", v, v, text)
		}
	}
}

// TestFlagTextRoundTrip checks String and UnmarshalText of the flag
// words over every SampleFiles and random TaskFlags and OpenFlags.
func TestFlagTextRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(v encoding.TextMarshaler) {
		t.Helper()
		text, err := v.MarshalText()
		if err != nil {
			t.Fatalf("%T(%v): %v", v, v, err)
		}
		if s := v.(fmt.Stringer).String(); s != string(text) {
			t.Fatalf("%T: String %q, MarshalText %q", v, s, text)
		}
		back := newOf(v)
		if err := back.UnmarshalText(text); err != nil || reflect.ValueOf(back).Elem().Interface() != v {
			t.Fatalf("%T(%v): %q reads back as %v, %v", v, v, text, reflect.ValueOf(back).Elem(), err)
		}
	}
	for f := range 256 {
		check(SampleFiles(f))
	}
	for range 10000 {
		check(TaskFlags(r.Uint32()))
		check(OpenFlags(r.Uint32()))
		check(VmFlags(r.Uint64() & (1<<len(vmFlagNames) - 1)))
	}
	for f := range X86ShadowStack | X86WRSS + 1 {
		check(f)
	}
}

// TestTextJSON round-trips the types through encoding/json: each is a
// JSON string (LoginUID and SessionID a number or "unset").
func TestTextJSON(t *testing.T) {
	type all struct {
		State    State
		Flags    TaskFlags
		Kind     FDKind
		Open     OpenFlags
		Class    LockClass
		Mode     LockMode
		Access   LockAccess
		LoginUID LoginUID
		Session  SessionID
		Perms    Perms
		Dev      Dev
		Resource Resource
		Files    SampleFiles
		VmFlags  VmFlags
		SSB      SpecStoreBypass
		IB       SpecIndirectBranch
		X86      X86Features
		Swap     SwapType
		Comm     Comm
	}
	in := all{StateZombie, PFKthread, FDSocket, OpenWriteOnly | OpenAppend, LockOFD, LockAdvisory, LockWrite,
		1000, SessionIDUnset, PermRead | PermShared, Dev{136, 3}, ResourceIO, SampleStatus, VmRead | VmHugePage,
		SSBVulnerable, IBAlwaysEnabled, X86ShadowStack, SwapFile, MakeComm("sh")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"State":"Z","Flags":"PF_KTHREAD","Kind":"socket","Open":"O_WRONLY|O_APPEND","Class":"OFDLCK",` +
		`"Mode":"ADVISORY","Access":"WRITE","LoginUID":1000,"Session":"unset","Perms":"r--s","Dev":"136:3",` +
		`"Resource":"io","Files":"status","VmFlags":"rd hg","SSB":"vulnerable","IB":"always enabled",` +
		`"X86":"shstk","Swap":"file","Comm":"sh"}`
	if string(b) != want {
		t.Errorf("json.Marshal:\n%s\nwant\n%s", b, want)
	}
	var out all
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("json.Unmarshal = %+v, %v", out, err)
	}
}

func TestAuditIDJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want LoginUID
		err  bool
	}{
		{`0`, 0, false},
		{`4294967294`, 4294967294, false},
		{`4294967295`, LoginUIDUnset, false}, // as the file prints it
		{`"unset"`, LoginUIDUnset, false},
		{`"1000"`, 1000, false},
		{`null`, 7, false}, // leaves the value
		{`4294967296`, 0, true},
		{`-1`, 0, true},
		{`1.5`, 0, true},
		{`1e3`, 0, true},
		{`"x"`, 0, true},
		{`true`, 0, true},
	} {
		u := LoginUID(7)
		err := json.Unmarshal([]byte(tt.in), &u)
		if (err != nil) != tt.err || !tt.err && u != tt.want {
			t.Errorf("Unmarshal(%s) = %v, %v", tt.in, u, err)
		}
		s := SessionID(7)
		err = json.Unmarshal([]byte(tt.in), &s)
		if (err != nil) != tt.err || !tt.err && uint32(s) != uint32(tt.want) {
			t.Errorf("SessionID Unmarshal(%s) = %v, %v", tt.in, s, err)
		}
	}
	for u, want := range map[LoginUID]string{0: "0", 1000: "1000", LoginUIDUnset: `"unset"`} {
		if b, err := json.Marshal(u); err != nil || string(b) != want {
			t.Errorf("Marshal(%d) = %s, %v", uint32(u), b, err)
		}
		if b, err := json.Marshal(SessionID(u)); err != nil || string(b) != want {
			t.Errorf("Marshal(SessionID %d) = %s, %v", uint32(u), b, err)
		}
	}
}

// FuzzUnmarshalText: UnmarshalText of every type never panics, and what
// it accepts marshals to a text that reads back as the same value.
func FuzzUnmarshalText(f *testing.F) {
	for _, tt := range textCases {
		f.Add(tt.text)
	}
	for _, s := range []string{"", "O_RDONLY|0777", "stat|0x10", "rd  wr ", "4294967295", "0x", "|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, v := range []any{State(0), TaskFlags(0), FDKind(0), OpenFlags(0), LockClass(0), LockMode(0),
			LockAccess(0), LoginUID(0), SessionID(0), Perms(0), Dev{}, Resource(0), SampleFiles(0), VmFlags(0),
			SpecStoreBypass(0), SpecIndirectBranch(0), X86Features(0), SwapType(""), Comm{}} {
			p := newOf(v)
			if err := p.UnmarshalText([]byte(text)); err != nil {
				continue
			}
			got := reflect.ValueOf(p).Elem().Interface()
			out, err := got.(encoding.TextMarshaler).MarshalText()
			if err != nil {
				t.Fatalf("%T: UnmarshalText(%q) = %v, which MarshalText refuses: %v", v, text, got, err)
			}
			back := newOf(v)
			if err := back.UnmarshalText(out); err != nil || reflect.ValueOf(back).Elem().Interface() != got {
				t.Fatalf("%T: UnmarshalText(%q) = %v; its text %q reads back as %v, %v",
					v, text, got, out, reflect.ValueOf(back).Elem(), err)
			}
		}
	})
}

// TestCommUnmarshalTextReuse: a shorter name read into a Comm that held
// a longer one equals a fresh Comm of it.
func TestCommUnmarshalTextReuse(t *testing.T) {
	c := MakeComm("a-long-command-name")
	if err := c.UnmarshalText([]byte("sh")); err != nil || c != MakeComm("sh") {
		t.Errorf("UnmarshalText(sh) over a longer name = %q, %v", c.String(), err)
	}
}
