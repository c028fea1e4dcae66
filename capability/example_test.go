package capability_test

import (
	"encoding/json"
	"fmt"

	"github.com/lxgo/lx/capability"
)

func Example() {
	// The CapEff line of /proc/PID/status for a container's process.
	eff, err := capability.ParseHex("00000000a80425fb")
	if err != nil {
		panic(err)
	}
	fmt.Println(eff.Has(capability.NetRaw), eff.Has(capability.SysAdmin), eff.Len())
	fmt.Println(eff)
	// Output:
	// true false 14
	// cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_net_bind_service,cap_net_raw,cap_sys_chroot,cap_mknod,cap_audit_write,cap_setfcap
}

func ExampleParse() {
	for _, name := range []string{"cap_sys_admin", "CAP_NET_RAW", "39", "41", "sys_admin"} {
		c, err := capability.Parse(name)
		fmt.Println(int(c), c, err)
	}
	// Output:
	// 21 cap_sys_admin <nil>
	// 13 cap_net_raw <nil>
	// 39 cap_bpf <nil>
	// 41 41 <nil>
	// 0 cap_chown capability: invalid capability "sys_admin": invalid syntax
}

func ExampleSet() {
	s := capability.SetOf(capability.Kill, capability.Chown)
	s.Add(capability.NetBindService)
	for c := range s.All() {
		fmt.Println(c)
	}
	fmt.Println(s.Hex())
	// Output:
	// cap_chown
	// cap_kill
	// cap_net_bind_service
	// 0000000000000421
}

func ExampleParseState() {
	// What getcap prints for ping, and what a root shell's getpcaps shows
	// in a container without CAP_SYS_RESOURCE.
	for _, text := range []string{"cap_net_raw=ep", "=ep cap_sys_resource-ep"} {
		st, err := capability.ParseState(text)
		if err != nil {
			panic(err)
		}
		fmt.Println(st.Effective.Has(capability.NetRaw), st.Permitted.Len(), st.Inheritable.Len(), st)
	}
	// Output:
	// true 1 0 cap_net_raw=ep
	// true 40 0 =ep cap_sys_resource-ep
}

func ExampleState_String() {
	st := capability.State{
		Effective:   capability.SetOf(capability.NetAdmin),
		Permitted:   capability.SetOf(capability.NetAdmin, capability.NetRaw),
		Inheritable: capability.SetOf(capability.NetRaw),
	}
	fmt.Println(st)
	// Output: cap_net_raw=ip cap_net_admin+ep
}

func ExampleSet_MarshalText() {
	b, _ := json.Marshal(map[string]capability.Set{"ambient": capability.SetOf(capability.NetBindService)})
	fmt.Println(string(b))
	// Output: {"ambient":"cap_net_bind_service"}
}

func ExampleLast() {
	// The capabilities this kernel has: 0 through its last, which is
	// cap_checkpoint_restore (40) on Linux 5.9 and later.
	last, err := capability.Last()
	if err != nil {
		panic(err)
	}
	full, err := capability.Full()
	if err != nil {
		panic(err)
	}
	fmt.Println(last >= capability.CheckpointRestore, full.Has(last), full.Len() == int(last)+1)
	// Output: true true true
}

func ExampleCurrent() {
	s, err := capability.Current()
	if err != nil {
		fmt.Println(err)
		return
	}
	// The effective set never holds what the permitted set lacks.
	fmt.Println(s.Effective.Difference(s.Permitted).Len())
	// Output: 0
}

// A server that needs only to bind a low port drops every other
// capability from every thread, and from the bounding set so that
// nothing it executes can regain them.
func ExampleSetState() {
	keep := capability.SetOf(capability.NetBindService)
	cur, err := capability.Current()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := capability.DropBound(capability.ProcessScope, cur.Bounding.Difference(keep)); err != nil {
		fmt.Println(err) // without CAP_SETPCAP: fs.ErrPermission
	}
	st := capability.State{Effective: cur.Permitted.Intersect(keep), Permitted: cur.Permitted.Intersect(keep)}
	if err := capability.SetState(capability.ProcessScope, st); err != nil {
		fmt.Println(err)
	}
}

func ExampleSecurebits() {
	b, err := capability.ParseSecurebits("SECBIT_KEEP_CAPS|SECBIT_NOROOT_LOCKED")
	fmt.Println(uint32(b), err)
	fmt.Println(b|capability.SecbitNoRoot, capability.Securebits(0))
	// Output:
	// 18 <nil>
	// SECBIT_NOROOT|SECBIT_NOROOT_LOCKED|SECBIT_KEEP_CAPS 0
}

func ExampleParseFileCaps() {
	// The security.capability attribute setcap cap_net_raw=ep writes.
	attr := []byte{0x01, 0, 0, 0x02, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	fc, err := capability.ParseFileCaps(attr)
	fmt.Println(fc, fc.Version, fc.Permitted.Has(capability.NetRaw), err)
	fc.RootUID = 100000 // for a user namespace whose root is uid 100000
	fc.Version = 0      // 3, for the root uid
	b, err := fc.MarshalBinary()
	fmt.Println(fc, len(b), err)
	// Output:
	// cap_net_raw=ep 2 true <nil>
	// cap_net_raw=ep [rootid=100000] 24 <nil>
}
