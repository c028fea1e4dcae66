package spawn_test

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/ns"
	"github.com/lxgo/lx/spawn"
)

// asUnprivileged runs body without CAP_SYS_ADMIN: here if the test has
// none, else in a child of the test binary running as nobody.
func asUnprivileged(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	if !testutil.HasCap(capability.SysAdmin) {
		body(t)
		return
	}
	testutil.RunInChild(t, &testutil.ChildOptions{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}, body)
}

// TestStepErrors makes each step fail where an unprivileged caller is
// refused, and checks that the error names it.
func TestStepErrors(t *testing.T) {
	asUnprivileged(t, func(t *testing.T) {
		uid, gid := uint32(os.Geteuid()), uint32(os.Getegid())
		other := uint32(12345)
		if uid == other {
			other++
		}
		net, err := ns.Current(ns.Net)
		if err != nil {
			t.Fatal(err)
		}
		defer net.Close()
		for _, c := range []struct {
			step spawn.Step
			cmd  spawn.Command
		}{
			{spawn.StepJoin, spawn.Command{Join: []*ns.Handle{net}}},
			{spawn.StepJoin, spawn.Command{JoinProcess: &spawn.JoinProcess{PID: os.Getpid(), Namespaces: ns.CloneNewNet}}},
			{spawn.StepClone, spawn.Command{NewNamespaces: ns.CloneNewNet}},
			{spawn.StepTimeNamespace, spawn.Command{NewNamespaces: ns.CloneNewTime, TimeOffsets: &ns.TimeOffsets{Monotonic: time.Hour}}},
			{spawn.StepHostname, spawn.Command{NewNamespaces: ns.CloneNewUTS, Hostname: "x"}},
			{spawn.StepUIDMap, spawn.Command{NewNamespaces: ns.CloneNewUser, UIDMap: ns.IDMap{{Inside: 0, Outside: other, Count: 1}}}},
			{spawn.StepGIDMap, spawn.Command{
				NewNamespaces: ns.CloneNewUser,
				UIDMap:        ns.IDMap{{Inside: 0, Outside: uid, Count: 1}},
				GIDMap:        ns.IDMap{{Inside: 0, Outside: other, Count: 1}},
			}},
			{spawn.StepCredentials, spawn.Command{Credentials: &spawn.Credentials{UID: cred.UID(other), GID: cred.GID(gid), KeepGroups: true}}},
		} {
			c.cmd.Path = "/bin/true"
			_, err := c.cmd.Start()
			var e *spawn.Error
			if !errors.As(err, &e) || e.Step != c.step || !errors.Is(err, fs.ErrPermission) {
				t.Errorf("%v: %v, want a permission error at %v", c.step, err, c.step)
			}
		}
	})
}
