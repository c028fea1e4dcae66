package capability

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
)

func TestSetOps(t *testing.T) {
	s := SetOf(Chown, Kill, SysAdmin)
	if !s.Has(Kill) || s.Has(NetRaw) || s.Has(64) || s.Has(255) || s.Len() != 3 {
		t.Errorf("Of = %v: Has or Len wrong", s)
	}
	s.Add(NetRaw)
	s.Add(63)
	s.Remove(Kill)
	s.Remove(200) // never in a set: no effect, no panic
	if want := Set(1<<0 | 1<<13 | 1<<21 | 1<<63); s != want {
		t.Errorf("after Add/Remove: %#x, want %#x", uint64(s), uint64(want))
	}
	if got := slices.Collect(s.All()); !slices.Equal(got, []Cap{Chown, NetRaw, SysAdmin, 63}) {
		t.Errorf("All = %v", got)
	}
	for range s.All() {
		break // stopping early must not panic
	}
	a, b := SetOf(Chown, Kill), SetOf(Kill, NetRaw)
	if a.Union(b) != SetOf(Chown, Kill, NetRaw) || a.Intersect(b) != SetOf(Kill) || a.Difference(b) != SetOf(Chown) {
		t.Errorf("algebra of %v and %v wrong", a, b)
	}
	if Set(0).Len() != 0 || Set(0).String() != "" {
		t.Errorf("empty set: Len %d String %q", Set(0).Len(), Set(0).String())
	}
}

func TestSetAddPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Add(64) did not panic")
		}
	}()
	var s Set
	s.Add(64)
}

func TestSetString(t *testing.T) {
	for _, c := range []struct {
		s    Set
		want string
	}{
		{0, ""},
		{SetOf(Chown), "cap_chown"},
		{SetOf(Chown, Kill), "cap_chown,cap_kill"},
		{SetOf(BPF, 41, 63), "cap_bpf,41,63"},
		{named, "cap_chown,cap_dac_override,cap_dac_read_search,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_linux_immutable,cap_net_bind_service,cap_net_broadcast,cap_net_admin,cap_net_raw,cap_ipc_lock,cap_ipc_owner,cap_sys_module,cap_sys_rawio,cap_sys_chroot,cap_sys_ptrace,cap_sys_pacct,cap_sys_admin,cap_sys_boot,cap_sys_nice,cap_sys_resource,cap_sys_time,cap_sys_tty_config,cap_mknod,cap_lease,cap_audit_write,cap_audit_control,cap_setfcap,cap_mac_override,cap_mac_admin,cap_syslog,cap_wake_alarm,cap_block_suspend,cap_audit_read,cap_perfmon,cap_bpf,cap_checkpoint_restore"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%#x.String() = %q, want %q", uint64(c.s), got, c.want)
		}
		back, err := ParseSet(c.want)
		if err != nil || back != c.s {
			t.Errorf("ParseSet(%q) = %#x, %v", c.want, uint64(back), err)
		}
	}
}

func TestParseSet(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Set
		err  error
	}{
		{"", 0, nil},
		{"cap_kill,cap_chown", SetOf(Chown, Kill), nil},
		{"CAP_KILL,5,0x5", SetOf(Kill), nil},
		{"cap_kill,", 0, strconv.ErrSyntax},
		{",cap_kill", 0, strconv.ErrSyntax},
		{"cap_kill,,cap_chown", 0, strconv.ErrSyntax},
		{"cap_kill cap_chown", 0, strconv.ErrSyntax},
		{"cap_kill,64", 0, strconv.ErrRange},
		{"all", 0, strconv.ErrSyntax},
	} {
		got, err := ParseSet(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("ParseSet(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestHex(t *testing.T) {
	for _, c := range []struct {
		hex  string
		want Set
	}{
		{"0000000000000000", 0},
		{"000001ffffffffff", 1<<41 - 1},
		{"000001fffeffffff", (1<<41 - 1) &^ (1 << SysResource)},
		{"00000000a80425fb", 0xa80425fb}, // a container runtime's default set
		{"ffffffffffffffff", 1<<64 - 1},
	} {
		got, err := ParseHex(c.hex)
		if err != nil || got != c.want {
			t.Errorf("ParseHex(%q) = %#x, %v; want %#x", c.hex, uint64(got), err, uint64(c.want))
		}
		if gotB, err := ParseHex([]byte(c.hex)); err != nil || gotB != c.want {
			t.Errorf("ParseHex([]byte(%q)) = %#x, %v", c.hex, uint64(gotB), err)
		}
		if h := c.want.Hex(); h != c.hex {
			t.Errorf("%#x.Hex() = %q, want %q", uint64(c.want), h, c.hex)
		}
	}
	for in, want := range map[string]error{
		"": strconv.ErrSyntax, "0x1f": strconv.ErrSyntax, " 1f": strconv.ErrSyntax,
		"1f\n": strconv.ErrSyntax, "-1": strconv.ErrSyntax, "10000000000000000": strconv.ErrRange,
	} {
		if _, err := ParseHex(in); !errors.Is(err, want) {
			t.Errorf("ParseHex(%q) error = %v, want %v", in, err, want)
		}
	}
	if got, err := ParseHex("00000000000000000001FF"); err != nil || got != 0x1ff {
		t.Errorf("ParseHex with leading zeros and capitals = %#x, %v", uint64(got), err)
	}
}

func TestSetJSON(t *testing.T) {
	type status struct {
		Eff Set
		Cap Cap
	}
	in := status{Eff: SetOf(NetRaw, SysAdmin, 42), Cap: SysPtrace}
	b, err := json.Marshal(in)
	if want := `{"Eff":"cap_net_raw,cap_sys_admin,42","Cap":"cap_sys_ptrace"}`; err != nil || string(b) != want {
		t.Fatalf("Marshal = %s, %v; want %s", b, err, want)
	}
	var out status
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("Unmarshal(%s) = %+v, %v", b, out, err)
	}
	if err := json.Unmarshal([]byte(`{"Eff":"cap_bogus"}`), &out); err == nil {
		t.Error("Unmarshal of a bad name succeeded")
	}
}
