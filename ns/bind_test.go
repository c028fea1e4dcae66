package ns

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
)

// TestBindMount keeps a namespace alive through a bind mount made in a
// mount namespace of the test's own, whose mounts are private: nothing
// reaches the host's mount table.
func TestBindMount(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		hs, err := Unshare(CloneNewNS|CloneNewUTS, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll(hs)
		uts := idOf(t, hs[UTS])
		target := filepath.Join(t.TempDir(), "uts")
		if err := os.WriteFile(target, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err = Do(func() error {
			if err := sys.Mount("", "/", "", sys.MS_REC|sys.MS_PRIVATE, ""); err != nil {
				return err
			}
			if err := hs[UTS].BindMount(target); err != nil {
				return err
			}
			// The handle is not needed any more to reach the namespace.
			hs[UTS].Close()
			h, err := Open(target)
			if err != nil {
				return err
			}
			defer h.Close()
			if got, err := h.ID(); got != uts || err != nil {
				t.Errorf("Open(bind mount) is namespace %v, %v; want %v", got, err, uts)
			}
			if err := Unmount(target); err != nil {
				return err
			}
			if _, err := Open(target); !errors.Is(err, fs.ErrInvalid) {
				t.Errorf("Open after Unmount = %v, want fs.ErrInvalid (a plain file again)", err)
			}
			return nil
		}, hs[Mnt])
		if err != nil {
			t.Fatal(err)
		}
	})
}

// The bind mount belongs to the mount namespace it was made in: the
// caller's own does not see it.
func TestBindMountStaysInItsNamespace(t *testing.T) {
	testutil.WithAdmin(t, func(t *testing.T) {
		hs, err := Unshare(CloneNewNS|CloneNewNet, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll(hs)
		target := filepath.Join(t.TempDir(), "net")
		if err := os.WriteFile(target, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Do(func() error {
			if err := sys.Mount("", "/", "", sys.MS_REC|sys.MS_PRIVATE, ""); err != nil {
				return err
			}
			return hs[Net].BindMount(target)
		}, hs[Mnt]); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(target); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%s) outside the mount namespace = %v, want fs.ErrInvalid", target, err)
		}
	})
}
