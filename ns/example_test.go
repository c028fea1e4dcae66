package ns_test

import (
	"fmt"

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
