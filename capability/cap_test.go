package capability

import (
	"errors"
	"strconv"
	"testing"
)

func TestCapString(t *testing.T) {
	for c, want := range map[Cap]string{
		Chown: "cap_chown", SysAdmin: "cap_sys_admin", NetRaw: "cap_net_raw",
		DACReadSearch: "cap_dac_read_search", MACAdmin: "cap_mac_admin", BPF: "cap_bpf",
		CheckpointRestore: "cap_checkpoint_restore", 41: "41", 63: "63", 64: "64", 255: "255",
	} {
		if got := c.String(); got != want {
			t.Errorf("Cap(%d).String() = %q, want %q", c, got, want)
		}
		if b, _ := c.MarshalText(); string(b) != want {
			t.Errorf("Cap(%d).MarshalText() = %q, want %q", c, b, want)
		}
	}
}

// TestNames checks the name table against the constants: every name is
// the kernel's CAP_ name in lower case, at its number.
func TestNames(t *testing.T) {
	kernel := map[Cap]string{
		Chown: "CAP_CHOWN", DACOverride: "CAP_DAC_OVERRIDE", Fowner: "CAP_FOWNER",
		Fsetid: "CAP_FSETID", Kill: "CAP_KILL", Setgid: "CAP_SETGID", Setuid: "CAP_SETUID",
		Setpcap: "CAP_SETPCAP", LinuxImmutable: "CAP_LINUX_IMMUTABLE",
		NetBindService: "CAP_NET_BIND_SERVICE", NetBroadcast: "CAP_NET_BROADCAST",
		NetAdmin: "CAP_NET_ADMIN", IPCLock: "CAP_IPC_LOCK", IPCOwner: "CAP_IPC_OWNER",
		SysModule: "CAP_SYS_MODULE", SysRawio: "CAP_SYS_RAWIO", SysChroot: "CAP_SYS_CHROOT",
		SysPtrace: "CAP_SYS_PTRACE", SysPacct: "CAP_SYS_PACCT", SysBoot: "CAP_SYS_BOOT",
		SysNice: "CAP_SYS_NICE", SysResource: "CAP_SYS_RESOURCE", SysTime: "CAP_SYS_TIME",
		SysTTYConfig: "CAP_SYS_TTY_CONFIG", Mknod: "CAP_MKNOD", Lease: "CAP_LEASE",
		AuditWrite: "CAP_AUDIT_WRITE", AuditControl: "CAP_AUDIT_CONTROL", Setfcap: "CAP_SETFCAP",
		MACOverride: "CAP_MAC_OVERRIDE", Syslog: "CAP_SYSLOG", WakeAlarm: "CAP_WAKE_ALARM",
		BlockSuspend: "CAP_BLOCK_SUSPEND", AuditRead: "CAP_AUDIT_READ", Perfmon: "CAP_PERFMON",
	}
	for c, k := range kernel {
		got, err := Parse(k)
		if err != nil || got != c {
			t.Errorf("Parse(%q) = %v, %v; want %d", k, got, err, c)
		}
	}
	seen := map[string]bool{}
	for c := range Cap(numNamed) {
		if seen[c.String()] {
			t.Errorf("name %q twice", c)
		}
		seen[c.String()] = true
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Cap
		err  error
	}{
		{"cap_sys_admin", SysAdmin, nil},
		{"CAP_SYS_ADMIN", SysAdmin, nil},
		{"Cap_Net_Raw", NetRaw, nil},
		{"cap_checkpoint_restore", CheckpointRestore, nil},
		{"0", Chown, nil},
		{"21", SysAdmin, nil},
		{"0x15", SysAdmin, nil},
		{"0X15", SysAdmin, nil},
		{"025", SysAdmin, nil},
		{"00", Chown, nil},
		{"41", 41, nil},
		{"63", 63, nil},
		{"64", 0, strconv.ErrRange},
		{"0x40", 0, strconv.ErrRange},
		{"99999999999999999999999", 0, strconv.ErrRange},
		{"sys_admin", 0, strconv.ErrSyntax}, // libcap requires the prefix
		{"cap_sys_admin ", 0, strconv.ErrSyntax},
		{" cap_sys_admin", 0, strconv.ErrSyntax},
		{"cap_sys_admin,cap_kill", 0, strconv.ErrSyntax},
		{"cap_\u212aill", 0, strconv.ErrSyntax}, // Kelvin sign: no Unicode folding
		{"cap_41", 0, strconv.ErrSyntax},
		{"all", 0, strconv.ErrSyntax},
		{"08", 0, strconv.ErrSyntax}, // octal
		{"0x", 0, strconv.ErrSyntax},
		{"0x1g", 0, strconv.ErrSyntax},
		{"+1", 0, strconv.ErrSyntax},
		{"", 0, strconv.ErrSyntax},
	} {
		got, err := Parse(c.in)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
		var u Cap
		if err := u.UnmarshalText([]byte(c.in)); u != c.want || (c.err == nil) != (err == nil) {
			t.Errorf("UnmarshalText(%q) = %v, %v", c.in, u, err)
		}
	}
}

func TestParseErrorText(t *testing.T) {
	_, err := Parse("cap_bogus")
	if want := `capability: invalid capability "cap_bogus": invalid syntax`; err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
}
