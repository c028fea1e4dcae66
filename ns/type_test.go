package ns

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestTypes(t *testing.T) {
	all := Types()
	var names []string
	for _, typ := range all {
		names = append(names, typ.String())
	}
	want := []string{"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts"}
	if !slices.Equal(names, want) {
		t.Errorf("Types() = %v, want %v", names, want)
	}
	// The numbering is fixed (Cgroup = 1 ... UTS = 10): pidfd indexes its
	// PIDFD_GET_*_NAMESPACE table by Type.
	if Cgroup != 1 || PIDForChildren != 6 || UTS != 10 || len(all) != 10 {
		t.Errorf("numbering changed: Cgroup %d PIDForChildren %d UTS %d", Cgroup, PIDForChildren, UTS)
	}
	all[0] = UTS
	if Types()[0] != Cgroup {
		t.Error("Types returns a shared slice")
	}
	for typ, want := range map[Type]string{0: "Type(0)", 11: "Type(11)", 255: "Type(255)"} {
		if typ.String() != want {
			t.Errorf("Type(%d).String() = %q", uint8(typ), typ.String())
		}
		if typ.CloneFlag() != 0 || typ.Base() != typ {
			t.Errorf("Type(%d): CloneFlag %v Base %v", uint8(typ), typ.CloneFlag(), typ.Base())
		}
	}
}

func TestParseType(t *testing.T) {
	for _, typ := range Types() {
		got, err := ParseType(typ.String())
		if err != nil || got != typ {
			t.Errorf("ParseType(%q) = %v, %v", typ.String(), got, err)
		}
	}
	for _, bad := range []string{"", "NET", "mount", "network", "net ", "pid_for_children\n", "Type(1)", "pid:[4026531836]"} {
		if got, err := ParseType(bad); err == nil || !errors.Is(err, strconv.ErrSyntax) || got != 0 {
			t.Errorf("ParseType(%q) = %v, %v; want an error", bad, got, err)
		}
	}
	b, err := json.Marshal(map[Type]int{Net: 1})
	if err != nil || string(b) != `{"net":1}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var back map[Type]int
	if err := json.Unmarshal(b, &back); err != nil || back[Net] != 1 {
		t.Errorf("Unmarshal = %v, %v", back, err)
	}
}

func TestCloneFlag(t *testing.T) {
	for typ, want := range map[Type]uintptr{
		Cgroup: syscall.CLONE_NEWCGROUP, IPC: syscall.CLONE_NEWIPC, Mnt: syscall.CLONE_NEWNS,
		Net: syscall.CLONE_NEWNET, PID: syscall.CLONE_NEWPID, PIDForChildren: syscall.CLONE_NEWPID,
		Time: 0x80, TimeForChildren: 0x80, User: syscall.CLONE_NEWUSER, UTS: syscall.CLONE_NEWUTS,
	} {
		if uintptr(typ.CloneFlag()) != want {
			t.Errorf("%v.CloneFlag() = %#x, want %#x", typ, uint64(typ.CloneFlag()), want)
		}
	}
	for f, want := range map[CloneFlags]string{
		0:                        "0",
		CloneNewNet:              "CLONE_NEWNET",
		CloneNewNS | CloneNewPID: "CLONE_NEWNS|CLONE_NEWPID",
		CloneNewNet | 0x100:      "CLONE_NEWNET|0x100",
		0x100 | 0x1:              "0x101",
		CloneNewTime | CloneNewNS | CloneNewCgroup | CloneNewUTS | CloneNewIPC | CloneNewUser | CloneNewPID | CloneNewNet: "CLONE_NEWTIME|CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET",
	} {
		if got := f.String(); got != want {
			t.Errorf("CloneFlags(%#x).String() = %q, want %q", uint64(f), got, want)
		}
		var back CloneFlags
		if err := back.UnmarshalText([]byte(want)); err != nil || back != f {
			t.Errorf("UnmarshalText(%q) = %#x, %v", want, uint64(back), err)
		}
	}
	for _, bad := range []string{"", "CLONE_NEWNET|", "clone_newnet", "CLONE_NEWNET|0", "NEWNET", "0x1ffffffffffffffff"} {
		if f, err := ParseCloneFlags(bad); err == nil {
			t.Errorf("ParseCloneFlags(%q) = %v, want an error", bad, f)
		}
	}
}

// TestProcSelfNS checks the types against the running kernel: every
// entry of /proc/self/ns is a Type, and each link names the Type's base
// kind.
func TestProcSelfNS(t *testing.T) {
	entries, err := os.ReadDir("/proc/self/ns")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, e := range entries {
		typ, err := ParseType(e.Name())
		if err != nil {
			t.Errorf("/proc/self/ns/%s: %v", e.Name(), err)
			continue
		}
		target, err := os.Readlink("/proc/self/ns/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		kind, _, ok := strings.Cut(target, ":[")
		if !ok || kind != typ.Base().String() {
			t.Errorf("/proc/self/ns/%s -> %q: kind is not %v", e.Name(), target, typ.Base())
		}
	}
}
