package ns

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestUnshare(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		flags := CloneNewCgroup | CloneNewIPC | CloneNewNS | CloneNewNet | CloneNewUTS | CloneNewTime
		hs, err := Unshare(flags, nil)
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll(hs)
		if len(hs) != 6 {
			t.Errorf("%d handles for %v", len(hs), flags)
		}
		for typ, h := range hs {
			if got, err := h.Type(); got != typ || err != nil {
				t.Errorf("handle for %v is of type %v, %v", typ, got, err)
			}
			// New namespaces, kept alive by the handles alone now that
			// the thread that made them is gone; the caller is not in
			// them.
			if got, _ := threadNS(typ); got == idOf(t, h) {
				t.Errorf("the caller's thread is in the new %v namespace", typ)
			}
		}
	})
}

func TestUnshareRefuses(t *testing.T) {
	for _, c := range []struct {
		flags CloneFlags
		opts  *UnshareOptions
		want  error
	}{
		{0, nil, fs.ErrInvalid},
		{CloneNewNet | 0x100, nil, fs.ErrInvalid},
		{CloneNewUser, nil, errors.ErrUnsupported},
		{CloneNewPID | CloneNewNet, nil, fs.ErrInvalid},
		{CloneNewNet, &UnshareOptions{TimeOffsets: &TimeOffsets{}}, fs.ErrInvalid},
	} {
		if hs, err := Unshare(c.flags, c.opts); !errors.Is(err, c.want) || hs != nil {
			t.Errorf("Unshare(%v) = %v, %v; want an error matching %v", c.flags, hs, err, c.want)
		}
	}
	_, err := Unshare(CloneNewPID, nil)
	if !strings.Contains(err.Error(), "first process") {
		t.Errorf("Unshare(CLONE_NEWPID) does not say why: %v", err)
	}
}

// The offsets of a time namespace made by Unshare are set before the
// thread ends. A process that joins it afterwards shows them: nsenter(1),
// being single-threaded, may join a time namespace.
func TestUnshareTimeOffsets(t *testing.T) {
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("no nsenter(1):", err)
	}
	// util-linux's nsenter has --time (2.36); busybox's has not.
	if help, _ := exec.Command(nsenter, "--help").CombinedOutput(); !bytes.Contains(help, []byte("--time")) {
		t.Skipf("%s cannot enter a time namespace (no --time)", nsenter)
	}
	testutil.WithAdmin(t, func(t *testing.T) {
		want := TimeOffsets{Monotonic: 86400 * time.Second, Boottime: 2*time.Hour + 5}
		hs, err := Unshare(CloneNewTime, &UnshareOptions{TimeOffsets: &want})
		testutil.SkipIfUnsupported(t, err, kernel.V(5, 6))
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll(hs)
		f := hs[Time].pfd.File()
		cmd := exec.Command(nsenter, "--time=/proc/self/fd/3", "cat", "/proc/self/timens_offsets")
		cmd.ExtraFiles = []*os.File{f}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, out)
		}
		got, err := ParseTimeOffsets(bytes.TrimSpace(out))
		if err != nil || got != want {
			t.Errorf("offsets seen in the namespace: %q = %v, %v; want %v", out, got, err, want)
		}
	})
}

// A mount namespace we create (and so have CAP_SYS_ADMIN over) is
// listed; its mount count is what its mountinfo lists.
func TestMountNamespacesSeesNew(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		hs, err := Unshare(CloneNewNS, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer hs[Mnt].Close()
		info, err := hs[Mnt].MountNSInfo()
		testutil.SkipIfUnsupported(t, err, kernel.Version{})
		if err != nil {
			t.Fatal(err)
		}
		ids := mountNamespaces(t)
		if count(ids, info.ID) != 1 {
			t.Errorf("new mount namespace %v not listed once in %v", info.ID, ids)
		}
		var mountinfo []byte
		if err := Do(func() (err error) {
			mountinfo, err = os.ReadFile("/proc/thread-self/mountinfo")
			return err
		}, hs[Mnt]); err != nil {
			t.Fatal(err)
		}
		// The kernel's count (mnt_ns->nr_mounts) is what mountinfo lists
		// on 6.18; the 6.12 guests count one fewer than they list.
		if n := bytes.Count(mountinfo, []byte("\n")); info.Mounts != n && info.Mounts != n-1 {
			t.Errorf("MountNSInfo says %d mounts, mountinfo lists %d", info.Mounts, n)
		}
	})
}
