package ns_test

import (
	"fmt"
	"net"
	"os"

	"github.com/lxgo/lx/ns"
)

func Example() {
	for _, t := range ns.Types() {
		fmt.Println(t, t.Base(), t.CloneFlag())
	}
	// Output:
	// cgroup cgroup CLONE_NEWCGROUP
	// ipc ipc CLONE_NEWIPC
	// mnt mnt CLONE_NEWNS
	// net net CLONE_NEWNET
	// pid pid CLONE_NEWPID
	// pid_for_children pid CLONE_NEWPID
	// time time CLONE_NEWTIME
	// time_for_children time CLONE_NEWTIME
	// user user CLONE_NEWUSER
	// uts uts CLONE_NEWUTS
}

func ExampleParseType() {
	// The entry names of /proc/PID/ns, and the kind in a link's target.
	t, err := ns.ParseType("pid_for_children")
	fmt.Println(t == ns.PIDForChildren, t.Base() == ns.PID, err)
	_, err = ns.ParseType("network")
	fmt.Println(err)
	// Output:
	// true true <nil>
	// ns: invalid namespace type "network": invalid syntax
}

func ExampleCloneFlags() {
	flags := ns.User.CloneFlag() | ns.Mnt.CloneFlag() | ns.PID.CloneFlag()
	fmt.Println(flags)
	// Output: CLONE_NEWNS|CLONE_NEWUSER|CLONE_NEWPID
}

// Two handles refer to the same namespace exactly when their IDs are
// equal: here the calling thread's network namespace, opened twice.
func ExampleHandle_ID() {
	a, err := ns.Current(ns.Net)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	b, err := ns.OpenPID(os.Getpid(), ns.Net)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	idA, _ := a.ID()
	idB, _ := b.ID()
	fmt.Println("same namespace:", idA == idB)
	// Output: same namespace: true
}

func ExampleCurrent() {
	h, err := ns.Current(ns.UTS)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	t, err := h.Type()
	fmt.Println(t, err)
	// Output: uts <nil>
}

func ExampleParseIDMap() {
	// /proc/PID/uid_map as the kernel shows it.
	m, err := ns.ParseIDMap("         0     100000      65536\n")
	fmt.Printf("%+v %v\n", []ns.IDMapEntry(m), err)
	fmt.Printf("%q\n", m.String())
	// A map to write is validated as the kernel would.
	m, _ = ns.ParseIDMap("0 100000 10\n5 200000 1\n")
	fmt.Println(m.Validate())
	// Output:
	// [{Inside:0 Outside:100000 Count:65536}] <nil>
	// "0 100000 65536\n"
	// ns: id map line 2: inside range overlaps line 1: invalid argument
}

func ExampleParseTimeOffsets() {
	o, err := ns.ParseTimeOffsets("monotonic       86400         0\nboottime           -2 500000000\n")
	fmt.Println(o.Monotonic, o.Boottime, err)
	fmt.Print(o)
	// Output:
	// 24h0m0s -1.5s <nil>
	// monotonic 86400 0
	// boottime -2 500000000
}

// Do runs a function in another network namespace, here a new one, on a
// thread that is thrown away afterwards. (Needs CAP_SYS_ADMIN.)
func ExampleDo() {
	hs, err := ns.Unshare(ns.CloneNewNet, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer hs[ns.Net].Close()
	err = ns.Do(func() error {
		ifaces, err := net.Interfaces()
		for _, i := range ifaces {
			fmt.Println(i.Name) // lo, and nothing else
		}
		return err
	}, hs[ns.Net])
	if err != nil {
		fmt.Println(err)
	}
}

// NewUser makes a user namespace for an idmapped mount without entering
// it: here uid and gid 0 inside are the caller's own ids outside, which
// any user may map.
func ExampleNewUser() {
	userns, err := ns.NewUser(&ns.UserOptions{
		UIDMap: ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}},
		GIDMap: ns.IDMap{{Inside: 0, Outside: uint32(os.Getegid()), Count: 1}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer userns.Close()
	// Pass userns (through SyscallConn) as the userns_fd of
	// mount_setattr(2) MOUNT_ATTR_IDMAP.
	uid, err := userns.OwnerUID()
	fmt.Println(int(uid) == os.Geteuid(), err)
}
