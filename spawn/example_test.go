package spawn_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/landlock"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
	"github.com/lxgo/lx/spawn"
)

// Start a program, read its output and wait for it through its pidfd.
func Example() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	defer r.Close()
	p, err := (&spawn.Command{
		Path:   "/bin/sh",
		Args:   []string{"sh", "-c", `echo "hello, $WHO"; exit 3`},
		Env:    []string{"WHO=world"},
		Stdout: w,
	}).Start()
	w.Close() // the child has its own copy
	if err != nil {
		panic(err)
	}
	defer p.Close()
	out, _ := io.ReadAll(r)
	st, err := p.Wait(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	fmt.Println(st)
	// Output:
	// hello, world
	// exit status 3
}

// Run a command as root of new user, mount, PID and network namespaces,
// which an unprivileged user may create: its own uid and gid become 0
// inside.
func ExampleCommand_newNamespaces() {
	p, err := (&spawn.Command{
		Path:          "/bin/sh",
		Args:          []string{"sh", "-c", "echo I am $(id -u), pid $$"},
		Stdout:        os.Stdout,
		NewNamespaces: ns.CloneNewUser | ns.CloneNewNS | ns.CloneNewPID | ns.CloneNewNet,
		UIDMap:        ns.IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}},
		GIDMap:        ns.IDMap{{Inside: 0, Outside: uint32(os.Getegid()), Count: 1}},
	}).Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	p.Wait(context.Background())
}

// Run a command in the network and mount namespaces of a running
// process (a container's, say), given its pidfd: like nsenter(1), without
// re-executing anything and without this process's threads moving.
func ExampleCommand_join() {
	target, err := (&spawn.Command{Path: "/bin/sleep", Args: []string{"sleep", "60"}, NewNamespaces: ns.CloneNewNet | ns.CloneNewNS}).Start()
	if err != nil {
		fmt.Println(err) // needs CAP_SYS_ADMIN
		return
	}
	defer target.Close()
	defer target.Wait(context.Background())
	defer target.Kill()

	p, err := (&spawn.Command{
		Path:        "/bin/cat",
		Args:        []string{"cat", "/proc/net/dev"},
		Stdout:      os.Stdout,
		JoinProcess: &spawn.JoinProcess{PidFD: target.FD, Namespaces: ns.CloneNewNet | ns.CloneNewNS},
	}).Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	p.Wait(context.Background())
}

// Limit a child's resources, and have it killed if this program dies.
func ExampleCommand_rlimits() {
	p, err := (&spawn.Command{
		Path: "/bin/sh",
		Args: []string{"sh", "-c", "ulimit -n"},
		Rlimits: map[rlimit.Resource]rlimit.Limit{
			rlimit.NoFile: {Soft: 64, Hard: 64},
			rlimit.Core:   {Soft: 0, Hard: 0},
		},
		NoNewPrivs:        true,
		ParentDeathSignal: signal.Kill,
		Stdout:            os.Stdout,
	}).Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	p.Wait(context.Background())
	// Output: 64
}

// Run a server as nobody that may still bind ports below 1024: the
// bounding set keeps cap_net_bind_service alone, and the ambient set
// carries it across the change of uid and execve(2). Needs root (or
// CAP_SETUID, CAP_SETGID and CAP_SETPCAP with cap_net_bind_service
// permitted).
func ExampleCommand_capabilities() {
	bind := capability.SetOf(capability.NetBindService)
	p, err := (&spawn.Command{
		Path:        "/bin/sh",
		Args:        []string{"sh", "-c", "grep -E '^Cap(Eff|Bnd)' /proc/self/status"},
		Stdout:      os.Stdout,
		Credentials: &spawn.Credentials{UID: 65534, GID: 65534},
		Capabilities: &spawn.Capabilities{
			Bounding: bind,
			Ambient:  bind,
		},
		NoNewPrivs: true,
	}).Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	p.Wait(context.Background())
}

// Run a command that may read files only under /usr and the temporary
// directory (so not /etc/hostname, which cat then fails to open): the
// forking thread restricts itself with the Landlock
// ruleset right before the fork, and the child inherits the restriction.
// Needs no privilege.
func ExampleCommand_landlock() {
	rs, err := landlock.New(&landlock.Options{
		HandledFS: landlock.ReadFile | landlock.ReadDir,
		Paths: []landlock.PathRule{
			// The program and its libraries, on a merged-/usr system.
			{Path: "/usr", Access: landlock.ReadFile | landlock.ReadDir},
			{Path: os.TempDir(), Access: landlock.ReadFile},
		},
		Mode: landlock.BestEffort, // as much as the running kernel can
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rs.Close() // spawn borrows it
	p, err := (&spawn.Command{
		Path:     "/bin/cat",
		Args:     []string{"cat", "/etc/hostname"},
		Stderr:   os.Stdout,
		Landlock: rs,
	}).Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	st, _ := p.Wait(context.Background())
	fmt.Println(st)
}

// Start a program under Docker's default seccomp profile: unshare(2)
// fails for it (it has no CAP_SYS_ADMIN in the profile's eyes), while the
// caller stays unfiltered.
func ExampleCommand_seccomp() {
	prof, err := seccomp.ParseOCIProfile(seccomp.DockerDefaultProfile(), nil)
	if err != nil {
		panic(err)
	}
	prog, err := prof.Policy.Compile()
	if err != nil {
		panic(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	defer r.Close()
	p, err := (&spawn.Command{
		Path:    "/bin/sh",
		Args:    []string{"sh", "-c", `grep Seccomp: /proc/self/status; unshare -U true 2>/dev/null || echo unshare refused`},
		Stdout:  w,
		Seccomp: prog,
	}).Start()
	w.Close()
	if err != nil {
		panic(err)
	}
	defer p.Close()
	out, _ := io.ReadAll(r)
	p.Wait(context.Background())
	fmt.Print(string(out))
	// Output:
	// Seccomp:	2
	// unshare refused
}
