package cgroup

import (
	"errors"
	"io/fs"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lxgo/lx/procfs"
)

// The parsers of the cgroupfs formats, each on tables of valid and
// invalid input. fixture_test.go reads whole files of real kernels.

func TestParseMax(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Max
		err  error
	}{
		{"max", Unlimited, nil},
		{"0", 0, nil},
		{"4096", 4096, nil},
		{"18446744073709551614", Unlimited - 1, nil},
		{"18446744073709551615", Unlimited, nil},
		{"18446744073709551616", 0, strconv.ErrRange},
		{"", 0, strconv.ErrSyntax},
		{"-1", 0, strconv.ErrSyntax},
		{"MAX", 0, strconv.ErrSyntax},
		{"max\n", 0, strconv.ErrSyntax},
		{" 1", 0, strconv.ErrSyntax},
		{"0x10", 0, strconv.ErrSyntax},
	} {
		got, err := ParseMax(tc.in)
		if tc.err != nil {
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), strconv.Quote(tc.in)) {
				t.Errorf("ParseMax(%q) = %v, %v; want %v naming the input", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMax(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if b, _ := ParseMax([]byte(tc.in)); b != got {
			t.Errorf("ParseMax([]byte(%q)) = %v", tc.in, b)
		}
	}
	for _, m := range []Max{0, 1, 1 << 40, Unlimited - 1, Unlimited} {
		text, err := m.MarshalText()
		if err != nil || string(text) != m.String() {
			t.Errorf("MarshalText(%d) = %q, %v", uint64(m), text, err)
		}
		var back Max
		if err := back.UnmarshalText(text); err != nil || back != m {
			t.Errorf("UnmarshalText(%q) = %v, %v", text, back, err)
		}
	}
	if Unlimited.String() != "max" {
		t.Errorf("Unlimited = %q", Unlimited.String())
	}
	if v, err := parseMaxLine([]byte("max\n")); err != nil || v != Unlimited {
		t.Errorf("parseMaxLine(max) = %v, %v", v, err)
	}
	if v, err := parsePageCounterLine([]byte("9223372036854771712\n")); err != nil || v != Unlimited {
		t.Errorf("parsePageCounterLine(PAGE_COUNTER_MAX bytes) = %v, %v", v, err)
	}
	if v, err := parsePageCounterLine([]byte("6291456\n")); err != nil || v != 6291456 {
		t.Errorf("parsePageCounterLine(6291456) = %v, %v", v, err)
	}
}

func TestSwitch(t *testing.T) {
	for in, want := range map[string]Switch{"0\n": Off, "1\n": On, "1": On} {
		if got, err := parseSwitch([]byte(in)); err != nil || got != want {
			t.Errorf("parseSwitch(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "2\n", "on\n"} {
		if _, err := parseSwitch([]byte(in)); err == nil {
			t.Errorf("parseSwitch(%q) succeeded", in)
		}
	}
	if On.String() != "on" || Off.String() != "off" || Switch(7).String() != "Switch(7)" {
		t.Errorf("String: %v %v %v", On, Off, Switch(7))
	}
}

func TestEachKeyValue(t *testing.T) {
	var keys []string
	var vals []uint64
	err := eachKeyValue([]byte("a 1\n\nb\t2\nc 3"), func(k []byte, v uint64) error {
		keys = append(keys, string(k))
		vals = append(vals, v)
		return nil
	})
	if err != nil || !reflect.DeepEqual(keys, []string{"a", "b", "c"}) || !reflect.DeepEqual(vals, []uint64{1, 2, 3}) {
		t.Errorf("keys %v values %v, %v", keys, vals, err)
	}
	for _, tc := range []struct {
		in   string
		line int
		key  string
	}{
		{"a 1\nb\n", 2, "b"},
		{"a 1 2\n", 1, "a"},
		{"a x\n", 1, "a"},
		{"a -1\n", 1, "a"},
		{"a 99999999999999999999\n", 1, "a"},
	} {
		err := eachKeyValue([]byte(tc.in), func([]byte, uint64) error { return nil })
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != tc.line || pe.Key != tc.key {
			t.Errorf("eachKeyValue(%q) = %v, want a ParseError at line %d key %q", tc.in, err, tc.line, tc.key)
		}
	}
	boom := errors.New("boom")
	err = eachKeyValue([]byte("x 1\n"), func([]byte, uint64) error { return boom })
	var pe *ParseError
	if !errors.Is(err, boom) || !errors.As(err, &pe) || pe.Key != "x" {
		t.Errorf("callback error = %v", err)
	}
}

func TestParseError(t *testing.T) {
	for _, tc := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{Path: "/a/cpu.stat", Line: 3, Key: "usage_usec", Err: strconv.ErrSyntax}, "parse /a/cpu.stat:3: usage_usec: invalid syntax"},
		{ParseError{Line: 2, Err: strconv.ErrRange}, "parse line 2: value out of range"},
		{ParseError{Path: "/a/memory.max"}, "parse /a/memory.max: invalid"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestParsePIDs(t *testing.T) {
	got, err := parsePIDs([]byte("1\n42\n\n2147483647\n"))
	if err != nil || !reflect.DeepEqual(got, []int{1, 42, 2147483647}) {
		t.Errorf("parsePIDs = %v, %v", got, err)
	}
	if got, err := parsePIDs(nil); err != nil || got != nil {
		t.Errorf("parsePIDs(empty) = %v, %v", got, err)
	}
	for _, in := range []string{"0\n", "2147483648\n", "x\n", "1 2\n", "-3\n"} {
		if _, err := parsePIDs([]byte(in)); err == nil {
			t.Errorf("parsePIDs(%q) succeeded", in)
		}
	}
}

func TestParseType(t *testing.T) {
	for _, typ := range []Type{Domain, DomainThreaded, DomainInvalid, Threaded} {
		text, err := typ.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Type
		if err := back.UnmarshalText(text); err != nil || back != typ || typ.String() != string(text) {
			t.Errorf("%v: %q -> %v, %v", typ, text, back, err)
		}
	}
	for _, in := range []string{"", "Domain", "domain\n", "domain  threaded", "threaded "} {
		if _, err := ParseType(in); !errors.Is(err, strconv.ErrSyntax) {
			t.Errorf("ParseType(%q) = %v", in, err)
		}
	}
	if _, err := Type(0).MarshalText(); err == nil {
		t.Error("MarshalText of Type(0) succeeded")
	}
	if Type(9).String() != "Type(9)" {
		t.Errorf("Type(9) = %q", Type(9).String())
	}
}

func TestParseControllers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Controllers
	}{
		{"cpuset cpu io memory hugetlb pids rdma misc\n", Controllers{CPUSet, CPU, IO, Memory, HugeTLB, Pids, RDMA, Misc}},
		{"\n", Controllers{}},
		{"", Controllers{}},
		{"hugetlb", Controllers{HugeTLB}},
		{"perf_event dmem newctl2", Controllers{PerfEvent, DMem, "newctl2"}},
	} {
		got, err := ParseControllers(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseControllers(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		text, err := got.MarshalText()
		if err != nil || string(text) != strings.TrimSpace(tc.in) {
			t.Errorf("MarshalText = %q, %v", text, err)
		}
		var back Controllers
		if err := back.UnmarshalText(text); err != nil || !reflect.DeepEqual(back, got) {
			t.Errorf("UnmarshalText(%q) = %v, %v", text, back, err)
		}
	}
	for _, in := range []string{"CPU", "cpu,io", "cpu +io", "mem-ory"} {
		if _, err := ParseControllers(in); !errors.Is(err, strconv.ErrSyntax) {
			t.Errorf("ParseControllers(%q) = %v", in, err)
		}
	}
	if _, err := (Controllers{"a b"}).MarshalText(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("MarshalText of a bad name = %v", err)
	}
	if !(Controllers{CPU, Memory}).Has(Memory) || (Controllers{CPU}).Has(IO) {
		t.Error("Has")
	}
}

func TestParseStat(t *testing.T) {
	st, err := parseStat([]byte("nr_descendants 3\nnr_subsys_cpu 2\nnr_dying_descendants 1\nnr_dying_subsys_cpu 1\nnr_future 9\n"))
	want := Stat{Descendants: 3, DyingDescendants: 1, Subsys: map[Controller]uint64{CPU: 2}, DyingSubsys: map[Controller]uint64{CPU: 1}}
	if err != nil || !reflect.DeepEqual(st, want) {
		t.Errorf("parseStat = %+v, %v; want %+v", st, err, want)
	}
	st, err = parseStat([]byte("nr_descendants 0\nnr_dying_descendants 0\n"))
	if err != nil || st.Subsys != nil || st.DyingSubsys != nil {
		t.Errorf("parseStat before 6.11 = %+v, %v", st, err)
	}
}

func TestParseState(t *testing.T) {
	for in, want := range map[string]State{
		"populated 1\nfrozen 0\n": {Populated: true},
		"populated 0\nfrozen 1\n": {Frozen: true},
		"populated 1\n":           {Populated: true},
	} {
		if got, err := parseState([]byte(in)); err != nil || got != want {
			t.Errorf("parseState(%q) = %+v, %v", in, got, err)
		}
	}
	if _, err := parseState([]byte("populated 2\n")); err == nil {
		t.Error("populated 2 parsed")
	}
}

func TestParseEvents(t *testing.T) {
	me, err := parseMemoryEvents([]byte("low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\noom_group_kill 6\nsock_throttled 7\n"))
	if want := (MemoryEvents{1, 2, 3, 4, 5, 6}); err != nil || me != want {
		t.Errorf("parseMemoryEvents = %+v, %v", me, err)
	}
	pe, err := parsePidsEvents([]byte("max 3\nmax.imposed 2\n"))
	if want := (PidsEvents{Max: 3, MaxImposed: 2}); err != nil || pe != want {
		t.Errorf("parsePidsEvents = %+v, %v", pe, err)
	}
	if n, err := parseHugeEvents([]byte("max 9\n")); err != nil || n != 9 {
		t.Errorf("parseHugeEvents = %d, %v", n, err)
	}
	for k := Populated; k <= PidsMax; k++ {
		text, err := k.MarshalText()
		if err != nil || string(text) != k.String() {
			t.Errorf("%d: %q, %v", int(k), text, err)
		}
	}
	if _, err := EventKind(0).MarshalText(); err == nil || EventKind(99).String() != "EventKind(99)" {
		t.Error("unknown EventKind")
	}
	if s := (Event{Kind: MemoryOOMKill, Old: 0, New: 2}).String(); s != "memory.oom_kill 0 -> 2" {
		t.Errorf("Event.String = %q", s)
	}
}

func TestParseMemoryStat(t *testing.T) {
	in := []byte("anon 4096\nfile 8192\nkernel_stack 16384\npgfault 7\nnewkey 5\nslab_reclaimable 1\nslab_unreclaimable 2\nslab 3\n")
	var st MemoryStat
	if err := parseMemoryStat(in, &st); err != nil {
		t.Fatal(err)
	}
	if st.Anon != 4096 || st.File != 8192 || st.KernelStack != 16384 || st.Pgfault != 7 || st.Slab != 3 || st.SlabReclaimable != 1 || st.SlabUnreclaimable != 2 {
		t.Errorf("typed fields: %+v", st)
	}
	if len(st.Entries) != 8 || st.Entries[4] != (StatEntry{"newkey", 5}) {
		t.Errorf("Entries = %v", st.Entries)
	}
	if v, ok := st.Get("newkey"); !ok || v != 5 {
		t.Errorf("Get(newkey) = %d, %v", v, ok)
	}
	if _, ok := st.Get("missing"); ok {
		t.Error("Get(missing) found")
	}
	// Parsing again into the same value keeps the key strings and
	// resets the fields.
	key := st.Entries[0].Key
	if err := parseMemoryStat([]byte("anon 1\nfile 2\n"), &st); err != nil {
		t.Fatal(err)
	}
	if st.Anon != 1 || st.KernelStack != 0 || len(st.Entries) != 2 || st.Entries[0].Key != key {
		t.Errorf("re-parse: %+v", st)
	}
	if err := parseMemoryStat([]byte("anon x\n"), &st); err == nil {
		t.Error("bad value parsed")
	}
}

func TestParseCPUMax(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want CPUMax
	}{
		{"max 100000\n", CPUMax{UnlimitedQuota, 100 * time.Millisecond}},
		{"50000 100000", CPUMax{Quota(50 * time.Millisecond), 100 * time.Millisecond}},
		{"1000 1000", CPUMax{Quota(time.Millisecond), time.Millisecond}},
	} {
		got, err := ParseCPUMax(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseCPUMax(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if s := got.String(); s != strings.TrimSpace(tc.in) {
			t.Errorf("String = %q", s)
		}
		var back CPUMax
		text, _ := got.MarshalText()
		if err := back.UnmarshalText(text); err != nil || back != got {
			t.Errorf("round trip %q: %v, %v", text, back, err)
		}
	}
	for _, in := range []string{"", "max", "max max", "1 2 3", "-1 100000", "x 100000", "18446744073709551615 1000"} {
		if _, err := ParseCPUMax(in); err == nil {
			t.Errorf("ParseCPUMax(%q) succeeded", in)
		}
	}
	if _, err := (CPUMax{Quota: Quota(1500 * time.Nanosecond), Period: time.Second}).MarshalText(); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("a quota of 1.5µs = %v, want ErrInvalid", err)
	}
	if UnlimitedQuota.String() != "max" || Quota(time.Second).String() != "1s" {
		t.Error("Quota.String")
	}
	for _, tc := range []struct {
		m  CPUMax
		ok bool
	}{
		{CPUMax{UnlimitedQuota, 0}, true},
		{CPUMax{Quota(time.Millisecond), time.Second}, true},
		{CPUMax{Quota(maxCFSRuntime), 100 * time.Millisecond}, true},
		{CPUMax{Quota(maxCFSRuntime + time.Microsecond), 100 * time.Millisecond}, false},
		{CPUMax{Quota(999 * time.Microsecond), 100 * time.Millisecond}, false},
		{CPUMax{Quota(time.Millisecond), 999 * time.Microsecond}, false},
		{CPUMax{Quota(time.Millisecond), time.Second + time.Microsecond}, false},
		{CPUMax{Quota(-time.Millisecond), 0}, false},
	} {
		if err := checkCPUMax(tc.m); (err == nil) != tc.ok || (err != nil && !errors.Is(err, fs.ErrInvalid)) {
			t.Errorf("checkCPUMax(%+v) = %v, want ok %v", tc.m, err, tc.ok)
		}
	}
}

func TestParseCPUStat(t *testing.T) {
	in := []byte("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnice_usec 3\ncore_sched.force_idle_usec 9\nnr_periods 10\nnr_throttled 4\nthrottled_usec 2000\nnr_bursts 1\nburst_usec 50\n")
	var st CPUStat
	if err := parseCPUStat(in, &st); err != nil {
		t.Fatal(err)
	}
	want := CPUStat{Usage: 1500 * time.Microsecond, User: time.Millisecond, System: 500 * time.Microsecond, Nice: 3 * time.Microsecond,
		NrPeriods: 10, NrThrottled: 4, Throttled: 2 * time.Millisecond, NrBursts: 1, Burst: 50 * time.Microsecond}
	if st != want {
		t.Errorf("parseCPUStat = %+v, want %+v", st, want)
	}
	err := parseCPUStat([]byte("usage_usec 9223372036854776\n"), &st)
	var pe *ParseError
	if !errors.Is(err, strconv.ErrRange) || !errors.As(err, &pe) || pe.Key != "usage_usec" {
		t.Errorf("an overflowing usage = %v", err)
	}
}

func TestParseIO(t *testing.T) {
	ls, err := parseIOMax([]byte("8:16 rbps=2097152 wbps=max riops=max wiops=120\n253:0 rbps=max wbps=1 riops=2 wiops=max\n"))
	want := []IOLimit{
		{Dev: procfs.Dev{Major: 8, Minor: 16}, RBps: 2097152, WBps: Unlimited, RIOPS: Unlimited, WIOPS: 120},
		{Dev: procfs.Dev{Major: 253}, RBps: Unlimited, WBps: 1, RIOPS: 2, WIOPS: Unlimited},
	}
	if err != nil || !reflect.DeepEqual(ls, want) {
		t.Errorf("parseIOMax = %+v, %v", ls, err)
	}
	if s := want[0].String(); s != "8:16 rbps=2097152 wbps=max riops=max wiops=120" {
		t.Errorf("IOLimit.String = %q", s)
	}
	if ls, err := parseIOMax(nil); err != nil || ls != nil {
		t.Errorf("empty io.max = %v, %v", ls, err)
	}
	st, err := parseIOStat([]byte("8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.vrate=100.00 cost.usage=3\n"))
	wantSt := []IOStat{
		{Dev: procfs.Dev{Major: 8, Minor: 16}, RBytes: 1459200, WBytes: 314773504, RIOs: 192, WIOs: 353},
		{Dev: procfs.Dev{Major: 8}, RBytes: 1, WBytes: 2, RIOs: 3, WIOs: 4, DBytes: 5, DIOs: 6},
	}
	if err != nil || !reflect.DeepEqual(st, wantSt) {
		t.Errorf("parseIOStat = %+v, %v", st, err)
	}
	w, err := parseIOWeight([]byte("default 100\n8:16 200\n8:0 50\n"))
	wantW := IOWeight{Default: 100, Devices: []DeviceWeight{{procfs.Dev{Major: 8, Minor: 16}, 200}, {procfs.Dev{Major: 8}, 50}}}
	if err != nil || !reflect.DeepEqual(w, wantW) {
		t.Errorf("parseIOWeight = %+v, %v", w, err)
	}
	for _, in := range []string{"8 rbps=1\n", "8:x rbps=1\n", "8:1 rbps\n", "8:1 rbps=x\n", "4294967296:0 rbps=1\n", "1:4294967296 rbps=1\n"} {
		if _, err := parseIOMax([]byte(in)); err == nil {
			t.Errorf("parseIOMax(%q) succeeded", in)
		}
	}
	for _, in := range []string{"8:1 rbytes=-1\n", "x rbytes=1\n"} {
		if _, err := parseIOStat([]byte(in)); err == nil {
			t.Errorf("parseIOStat(%q) succeeded", in)
		}
	}
	for _, in := range []string{"default\n", "8:1 x\n", "sda 100\n", "default 1 2\n"} {
		if _, err := parseIOWeight([]byte(in)); err == nil {
			t.Errorf("parseIOWeight(%q) succeeded", in)
		}
	}
}

func TestParsePartition(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Partition
	}{
		{"member\n", Partition{Type: Member}},
		{"root", Partition{Type: Root}},
		{"isolated", Partition{Type: Isolated}},
		{"root invalid", Partition{Type: Root, Invalid: true}},
		{"isolated invalid (Parent is not a partition root)\n", Partition{Type: Isolated, Invalid: true, Reason: "Parent is not a partition root"}},
	} {
		got, err := ParsePartition(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePartition(%q) = %+v, %v", tc.in, got, err)
		}
		text, err := got.MarshalText()
		if err != nil || string(text) != strings.TrimSuffix(tc.in, "\n") {
			t.Errorf("MarshalText = %q, %v", text, err)
		}
		var back Partition
		if err := back.UnmarshalText(text); err != nil || back != got {
			t.Errorf("UnmarshalText(%q) = %+v, %v", text, back, err)
		}
	}
	for _, in := range []string{"", "Root", "root valid", "root invalid reason", "root invalid (x", "member extra"} {
		if _, err := ParsePartition(in); !errors.Is(err, strconv.ErrSyntax) {
			t.Errorf("ParsePartition(%q) = %v", in, err)
		}
	}
	if PartitionType(7).String() != "PartitionType(7)" {
		t.Error("PartitionType(7)")
	}
	if _, err := (Partition{}).MarshalText(); err == nil {
		t.Error("MarshalText of the zero Partition succeeded")
	}
}

func TestHugeSizeName(t *testing.T) {
	for size, name := range map[uint64]string{64 << 10: "64KB", 2 << 20: "2MB", 32 << 20: "32MB", 1 << 30: "1GB", 16 << 30: "16GB"} {
		if got := hugeSizeName(size); got != name {
			t.Errorf("hugeSizeName(%d) = %q, want %q", size, got, name)
		}
		if got, ok := parseHugeSizeName(name); !ok || got != size {
			t.Errorf("parseHugeSizeName(%q) = %d, %v", name, got, ok)
		}
	}
	for _, name := range []string{"", "2M", "0MB", "xMB", "2mb", "17179869184GB"} {
		if _, ok := parseHugeSizeName(name); ok {
			t.Errorf("parseHugeSizeName(%q) succeeded", name)
		}
	}
	for _, size := range []uint64{0, 4096, 3 << 20} {
		if err := checkHugeSize(size); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("checkHugeSize(%d) = %v", size, err)
		}
	}
}

func TestTriggerSpec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TriggerSpec
	}{
		{"some 150000 1000000", TriggerSpec{Some, 150 * time.Millisecond, time.Second}},
		{"full 1 500000\n", TriggerSpec{Full, time.Microsecond, 500 * time.Millisecond}},
		{"some 10000000 10000000", TriggerSpec{Some, 10 * time.Second, 10 * time.Second}},
	} {
		got, err := ParseTriggerSpec(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseTriggerSpec(%q) = %+v, %v", tc.in, got, err)
		}
		text, err := got.MarshalText()
		if err != nil || string(text) != strings.TrimSpace(tc.in) || got.String() != string(text) {
			t.Errorf("MarshalText = %q, %v", text, err)
		}
		var back TriggerSpec
		if err := back.UnmarshalText(text); err != nil || back != got {
			t.Errorf("UnmarshalText = %+v, %v", back, err)
		}
	}
	for _, in := range []string{"", "some", "some 1", "part 1 1000000", "some 1 1000000 x", "some 0 1000000", "some 2000000 1000000", "some 1 499999", "some 1 10000001", "some -1 1000000", "some 18446744073709551615 1000000"} {
		if _, err := ParseTriggerSpec(in); err == nil {
			t.Errorf("ParseTriggerSpec(%q) succeeded", in)
		}
	}
	bad := []TriggerSpec{
		{Kind: 0, Stall: time.Millisecond, Window: time.Second},
		{Kind: Some, Stall: time.Millisecond, Window: time.Second + 1},
		{Kind: Some, Stall: 1, Window: time.Second},
		{Kind: Some, Stall: 0, Window: time.Second},
	}
	for _, s := range bad {
		if _, err := s.MarshalText(); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", s, err)
		}
	}
	if StallKind(5).String() != "StallKind(5)" {
		t.Error("StallKind(5)")
	}
}

func TestDurationUsec(t *testing.T) {
	if us, err := durationUsec("x", 1500*time.Microsecond); err != nil || us != 1500 {
		t.Errorf("durationUsec = %d, %v", us, err)
	}
	for _, d := range []time.Duration{-time.Microsecond, 1500} {
		if _, err := durationUsec("x", d); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "x ") {
			t.Errorf("durationUsec(%v) = %v", d, err)
		}
	}
	if _, err := usec(math.MaxInt64/1000+1, []byte("k")); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("usec overflow = %v", err)
	}
	if _, err := nsec(math.MaxInt64+1, []byte("k")); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("nsec overflow = %v", err)
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"a", "a.b", "a b", "ünïcode", strings.Repeat("x", 255), "..."} {
		if err := checkName(ok); err != nil {
			t.Errorf("checkName(%q) = %v", ok, err)
		}
	}
	if _, err := cleanPath("/a/../../b/./c/"); err != nil {
		t.Error(err)
	}
	if p, _ := cleanPath("/a/../../b/./c/"); p != "/b/c" {
		t.Errorf("cleanPath = %q", p)
	}
}

func TestMountRel(t *testing.T) {
	for _, tc := range []struct {
		root, p, rel string
		ok           bool
	}{
		{"/", "/", "", true},
		{"/", "/a/b", "a/b", true},
		{"/docker/x", "/docker/x", "", true},
		{"/docker/x", "/docker/x/y", "y", true},
		{"/docker/x", "/docker/xy", "", false},
		{"/docker/x", "/", "", false},
	} {
		m := Mount{Point: "/sys/fs/cgroup", Root: tc.root}
		rel, ok := m.rel(tc.p)
		if rel != tc.rel || ok != tc.ok {
			t.Errorf("Mount{Root: %q}.rel(%q) = %q, %v; want %q, %v", tc.root, tc.p, rel, ok, tc.rel, tc.ok)
		}
		if dir, ok := m.dir(tc.p); ok && tc.rel == "" && dir != m.Point {
			t.Errorf("dir = %q", dir)
		}
	}
}
