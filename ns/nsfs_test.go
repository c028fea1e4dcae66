package ns

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestType(t *testing.T) {
	for _, typ := range Types() {
		h, err := Current(typ)
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.Type()
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil || got != typ.Base() {
			t.Errorf("Current(%v).Type() = %v, %v; want %v", typ, got, err, typ.Base())
		}
		h.Close()
	}
}

func TestTypeOfFlag(t *testing.T) {
	for _, typ := range Types() {
		if got := typeOfFlag(typ.CloneFlag()); got != typ.Base() {
			t.Errorf("typeOfFlag(%v) = %v, want %v", typ.CloneFlag(), got, typ.Base())
		}
	}
	if got := typeOfFlag(CloneNewNet | CloneNewNS); got != 0 {
		t.Errorf("typeOfFlag of two flags = %v", got)
	}
}

// The kernel shows relatives only at or below the caller's own
// namespaces.
func TestOwnerAndParent(t *testing.T) {
	user, net, pid := current(t, User), current(t, Net), current(t, PID)
	owner, err := net.Owner()
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("this process's network namespace belongs to an ancestor of its user namespace:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if idOf(t, owner) != idOf(t, user) {
		t.Errorf("owner of our network namespace is %v, our user namespace %v", idOf(t, owner), idOf(t, user))
	}
	if typ, err := owner.Type(); typ != User || err != nil {
		t.Errorf("owner's type = %v, %v", typ, err)
	}
	for name, fn := range map[string]func() (*Handle, error){
		"parent of our user namespace": user.Parent,
		"owner of our user namespace":  user.Owner,
		"parent of our pid namespace":  pid.Parent,
	} {
		h, err := fn()
		if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, syscall.EPERM) || h != nil {
			t.Errorf("%s = %v, %v; want an error matching fs.ErrNotExist and EPERM", name, h, err)
		}
	}
	if h, err := net.Parent(); !errors.Is(err, syscall.EINVAL) || h != nil {
		t.Errorf("parent of a network namespace = %v, %v; want EINVAL", h, err)
	}
}

// A PID namespace made for a child is below ours: its parent is visible.
func TestParentOfChildPIDNamespace(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		cmd, _ := sleeper(t, syscall.CLONE_NEWPID)
		h, err := OpenPID(cmd.Process.Pid, PID)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		parent, err := h.Parent()
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatal(err)
		}
		defer parent.Close()
		if idOf(t, parent) != idOf(t, current(t, PID)) {
			t.Error("the parent of the child's PID namespace is not ours")
		}
	})
}

func TestOwnerUID(t *testing.T) {
	uid, err := current(t, User).OwnerUID()
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	// The initial user namespace (the one whose map is the identity)
	// belongs to root; another one may belong to anyone.
	if m, err := os.ReadFile("/proc/self/uid_map"); err == nil && bytes.Equal(bytes.Fields(m)[2], []byte("4294967295")) && uid != 0 {
		t.Errorf("the initial user namespace belongs to uid %v, not root", uid)
	}
	if _, err := current(t, Net).OwnerUID(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("OwnerUID of a network namespace = %v, want EINVAL", err)
	}
}

func TestMountNSID(t *testing.T) {
	mnt := current(t, Mnt)
	id, err := mnt.MountNSID()
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		t.Error("mount namespace id 0")
	}
	info, err := mnt.MountNSInfo()
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != id || info.Mounts < 1 {
		t.Errorf("MountNSInfo = %+v, MountNSID = %v", info, id)
	}
	net := current(t, Net)
	if _, err := net.MountNSID(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("MountNSID of a network namespace = %v, want EINVAL", err)
	}
	if _, err := net.MountNSInfo(); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("MountNSInfo of a network namespace = %v, want EINVAL", err)
	}
}

// mountNamespaces lists the ids MountNamespaces yields.
func mountNamespaces(t *testing.T) []MountNSID {
	t.Helper()
	var ids []MountNSID
	for h, err := range MountNamespaces() {
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatal(err)
		}
		id, err := h.MountNSID()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestMountNamespaces(t *testing.T) {
	own, err := current(t, Mnt).MountNSID()
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	ids := mountNamespaces(t)
	if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("ids not increasing: %v", ids)
	}
	if n := count(ids, own); n != 1 {
		t.Errorf("our own mount namespace %v appears %d times in %v", own, n, ids)
	}
	// Stopping early closes what the iterator holds (TestMain checks
	// for leaked fds).
	for range MountNamespaces() {
		break
	}
}

func count(ids []MountNSID, id MountNSID) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}
