package capability

import (
	"errors"
	"strconv"
	"testing"
)

// ep is a State with the same set effective and permitted.
func ep(s Set) State { return State{Effective: s, Permitted: s} }

// stateTexts are states and the text libcap's cap_to_text prints for them
// (captured from capsh --caps=... --print, libcap 2.66, on Linux 6.18;
// those beyond the capturing process's own capabilities follow from the
// same rules).
var stateTexts = []struct {
	st   State
	text string
}{
	{State{}, "="},
	{ep(named), "=ep"},
	{State{Effective: named, Permitted: named, Inheritable: named}, "=eip"},
	{ep(named &^ SetOf(SysResource)), "=ep cap_sys_resource-ep"},
	{State{Permitted: named &^ SetOf(SysResource), Inheritable: named &^ SetOf(SysResource)}, "=ip cap_sys_resource-ip"},
	{ep(SetOf(NetRaw)), "cap_net_raw=ep"},
	{ep(SetOf(NetRaw, SysAdmin)), "cap_net_raw,cap_sys_admin=ep"},
	{State{Effective: SetOf(Kill), Permitted: SetOf(Kill), Inheritable: SetOf(Chown)}, "cap_chown=i cap_kill+ep"},
	{State{Effective: SetOf(Chown), Permitted: SetOf(Chown, Kill, Setuid), Inheritable: SetOf(Chown, Kill)},
		"cap_chown=eip cap_kill+ip cap_setuid+p"},
	{State{Effective: named &^ SetOf(SysResource), Permitted: named &^ SetOf(SysResource), Inheritable: named &^ SetOf(Chown, SysResource)},
		"=eip cap_chown-i cap_sys_resource-eip"},
	{State{Effective: SetOf(Setpcap), Permitted: SetOf(Setpcap, Chown), Inheritable: SetOf(Kill)},
		"cap_kill=i cap_setpcap+ep cap_chown+p"},
	{State{Permitted: named}, "=p"},
	{State{Effective: SetOf(Kill), Permitted: named}, "=p cap_kill+e"},
	// Capabilities 41..63 are listed by number, always with "+".
	{State{Effective: named, Permitted: named | SetOf(41)}, "=ep 41+p"},
	{State{Permitted: SetOf(63)}, "= 63+p"},
	{State{Effective: SetOf(Chown, 41, 42), Permitted: SetOf(Chown, 41, 42), Inheritable: SetOf(41, 42)},
		"cap_chown=ep 41,42+eip"},
	{State{Effective: 1<<64 - 1, Permitted: 1<<64 - 1, Inheritable: 1<<64 - 1},
		"=eip 41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63+eip"},
	// A tie between combinations goes to the smaller one: 20 e against
	// 21 p, 21 e against 20 p.
	{State{Effective: 1<<20 - 1, Permitted: named &^ (1<<20 - 1)},
		"=p cap_chown,cap_dac_override,cap_dac_read_search,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_linux_immutable,cap_net_bind_service,cap_net_broadcast,cap_net_admin,cap_net_raw,cap_ipc_lock,cap_ipc_owner,cap_sys_module,cap_sys_rawio,cap_sys_chroot,cap_sys_ptrace+e-p"},
	{State{Effective: 1<<21 - 1, Permitted: named &^ (1<<21 - 1)},
		"=e cap_sys_admin,cap_sys_boot,cap_sys_nice,cap_sys_resource,cap_sys_time,cap_sys_tty_config,cap_mknod,cap_lease,cap_audit_write,cap_audit_control,cap_setfcap,cap_mac_override,cap_mac_admin,cap_syslog,cap_wake_alarm,cap_block_suspend,cap_audit_read,cap_perfmon,cap_bpf,cap_checkpoint_restore+p-e"},
}

func TestStateString(t *testing.T) {
	for _, c := range stateTexts {
		if got := c.st.String(); got != c.text {
			t.Errorf("%+v.String() =\n\t%q, want\n\t%q", c.st, got, c.text)
		}
		got, err := ParseState(c.text)
		if err != nil || got != c.st {
			t.Errorf("ParseState(%q) = %+v, %v; want %+v", c.text, got, err, c.st)
		}
	}
}

// parseTexts are texts cap_from_text accepts, with the state they mean.
var parseTexts = []struct {
	text string
	st   State
}{
	{"", State{}},
	{" \t\n", State{}},
	{"=", State{}},
	{"all=ep", ep(named)},
	{"ALL=ep", ep(named)},
	{"all+ep", ep(named)},
	{"=ep cap_kill=", ep(named &^ SetOf(Kill))},
	{"=ep all-p", State{Effective: named}},
	{"cap_chown=e+p-i", ep(SetOf(Chown))},
	{"cap_chown+pe", ep(SetOf(Chown))},
	{"cap_chown+ee", State{Effective: SetOf(Chown)}},
	{"cap_chown=+e", State{Effective: SetOf(Chown)}},
	{"cap_chown=eip cap_chown=-p", State{}},
	{"cap_chown=eip cap_chown-p", State{Effective: SetOf(Chown), Inheritable: SetOf(Chown)}},
	{"cap_chown+e\tcap_kill+p\ncap_setuid+i", State{Effective: SetOf(Chown), Permitted: SetOf(Kill), Inheritable: SetOf(Setuid)}},
	{"  cap_chown+e  ", State{Effective: SetOf(Chown)}},
	{"CAP_SYS_ADMIN,0x5,027,0=e", State{Effective: SetOf(Chown, Kill, SysAdmin, SysNice)}},
	{"41+p", State{Permitted: SetOf(41)}},
	{"63,all=i", State{Inheritable: named | SetOf(63)}},
	{"= 63+p", State{Permitted: SetOf(63)}},
	{"cap_kill=ep cap_kill=", State{}},
	{"cap_kill+e-e+p", State{Permitted: SetOf(Kill)}},
}

// badTexts are texts cap_from_text rejects.
var badTexts = []string{
	"+ep", "-e", "cap_chown", "cap_chown+", "cap_chown-", "cap_chown+x", "cap_chown+E",
	"=+ep", "=-e", "cap_chown,+e", "cap_chown,,cap_kill+e", "cap_chown,=e", "cap_bogus+e",
	"64+e", "99999999999999999999999=e", "cap_chown+e,cap_kill+e", "cap_chown=e=p",
	"cap_chown +e", "sys_admin+e", "cap_chown+e+", "cap_chown+e-1", "allx+e", "all,=e",
	"=e p", "cap_chown=ep,", "cap_chown2=e", "08=e", "cap_chown!e", "!", "=e+p", "e",
	"cap_chown=e\x00", "_all=e",
}

func TestParseState(t *testing.T) {
	for _, c := range parseTexts {
		got, err := ParseState(c.text)
		if err != nil || got != c.st {
			t.Errorf("ParseState(%q) = %+v, %v; want %+v", c.text, got, err, c.st)
		}
	}
	for _, text := range badTexts {
		got, err := ParseState(text)
		if err == nil || got != (State{}) {
			t.Errorf("ParseState(%q) = %+v, %v; want an error", text, got, err)
		}
	}
	if _, err := ParseState("64+e"); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("ParseState(64+e) error %v, want ErrRange", err)
	}
	_, err := ParseState("cap_chown+x")
	if want := `capability: invalid state "cap_chown+x" at offset 10: invalid syntax`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestStateText(t *testing.T) {
	st := State{Effective: SetOf(Kill), Permitted: SetOf(Kill, Chown)}
	b, err := st.MarshalText()
	if err != nil || string(b) != "cap_kill=ep cap_chown+p" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var back State
	if err := back.UnmarshalText(b); err != nil || back != st {
		t.Errorf("UnmarshalText(%q) = %+v, %v", b, back, err)
	}
	if err := back.UnmarshalText([]byte("+e")); err == nil || back != st {
		t.Errorf("UnmarshalText(+e) = %v and changed the value to %+v", err, back)
	}
}
