package ns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// insideUserNS runs file-reading command args in the user namespace of h
// through nsenter(1), which, being single-threaded, may join it.
func insideUserNS(t *testing.T, h *Handle, args ...string) string {
	t.Helper()
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("no nsenter(1):", err)
	}
	cmd := exec.Command(nsenter, append([]string{"--user=/proc/self/fd/3", "--preserve-credentials"}, args...)...)
	cmd.ExtraFiles = []*os.File{h.pfd.File()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// newUser is NewUser that skips where the system does not let this user
// create user namespaces.
func newUser(t *testing.T, opts *UserOptions) *Handle {
	t.Helper()
	h, err := NewUser(opts)
	testutil.SkipIfUnsupported(t, err, kernel.Version{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// Any user may map its own ids into a user namespace it creates.
func TestNewUser(t *testing.T) {
	uids := IDMap{{Inside: 0, Outside: uint32(os.Geteuid()), Count: 1}}
	gids := IDMap{{Inside: 0, Outside: uint32(os.Getegid()), Count: 1}}
	h := newUser(t, &UserOptions{UIDMap: uids, GIDMap: gids})
	if typ, err := h.Type(); typ != User || err != nil {
		t.Errorf("Type = %v, %v", typ, err)
	}
	if uid, err := h.OwnerUID(); int(uid) != os.Geteuid() || err != nil {
		t.Errorf("OwnerUID = %v, %v; want %d", uid, err, os.Geteuid())
	}
	own := idOf(t, current(t, User))
	for name, fn := range map[string]func() (*Handle, error){"Parent": h.Parent, "Owner": h.Owner} {
		p, err := fn()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if idOf(t, p) != own {
			t.Errorf("%s of the new namespace is not ours", name)
		}
		p.Close()
	}
	for file, want := range map[string]IDMap{"uid_map": uids, "gid_map": gids} {
		got, err := ParseIDMap(insideUserNS(t, h, "cat", "/proc/self/"+file))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s inside = %v, %v; want %v", file, got, err, want)
		}
	}
	if s, err := ParseSetgroups(insideUserNS(t, h, "cat", "/proc/self/setgroups")); s != SetgroupsDeny || err != nil {
		t.Errorf("setgroups inside = %v, %v; want deny", s, err)
	}
	// The helper process is gone: this process has no child left.
	if _, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil); !errors.Is(err, syscall.ECHILD) {
		t.Errorf("wait4 after NewUser = %v, want ECHILD", err)
	}
}

func TestNewUserWithoutMaps(t *testing.T) {
	h := newUser(t, nil)
	if out := insideUserNS(t, h, "cat", "/proc/self/uid_map"); out != "" {
		t.Errorf("uid_map of a namespace without maps = %q", out)
	}
	// Still allowed: nothing was written to setgroups.
	if s, err := ParseSetgroups(insideUserNS(t, h, "cat", "/proc/self/setgroups")); s != SetgroupsAllow || err != nil {
		t.Errorf("setgroups inside = %v, %v; want allow", s, err)
	}
}

// Maps are checked before any process starts.
func TestNewUserInvalid(t *testing.T) {
	for _, opts := range []*UserOptions{
		{UIDMap: IDMap{{0, 0, 0}}},
		{GIDMap: IDMap{{0, 0, 10}, {5, 100, 1}}},
		{Setgroups: 7},
	} {
		if h, err := NewUser(opts); err == nil || h != nil {
			t.Errorf("NewUser(%+v) = %v, %v", opts, h, err)
		}
	}
	if _, err := NewUser(&UserOptions{UIDMap: IDMap{{0, 0, 0}}}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("NewUser with count 0 = %v, want fs.ErrInvalid", err)
	}
}

// An unprivileged user may map nothing but itself.
func TestNewUserUnprivilegedLimits(t *testing.T) {
	if testutil.HasCap(capability.Setuid) {
		t.Skip("CAP_SETUID may map any uid")
	}
	newUser(t, nil) // skips if this user may create no user namespace
	_, err := NewUser(&UserOptions{UIDMap: IDMap{{0, 0, 1}}})
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "uid_map") {
		t.Errorf("NewUser mapping root as uid %d = %v, want a permission error naming uid_map", os.Geteuid(), err)
	}
}

// TestIdmappedMount makes an idmapped mount with a user namespace from
// NewUser: a tmpfs mounted in a private mount namespace, cloned into a
// detached tree whose ids are mapped through the namespace (uid and gid 0
// inside are 100000 outside). An idmapped mount reads the ids stored in
// the filesystem as ids inside the namespace: a file stored as owned by 0
// shows as owned by 100000 through the mount, and to a process in the
// namespace, which sees 100000 as its 0, as owned by 0 again. A file
// stored as 100000 has no mapping (the overflow id, 65534).
func TestIdmappedMount(t *testing.T) {
	testutil.RequireCap(t, capability.SysAdmin)
	testutil.RequireCap(t, capability.Setuid)
	testutil.RequireCap(t, capability.Chown)
	const outside = 100000
	userns := newUser(t, &UserOptions{
		UIDMap: IDMap{{Inside: 0, Outside: outside, Count: 1}},
		GIDMap: IDMap{{Inside: 0, Outside: outside, Count: 1}},
	})
	hs, err := Unshare(CloneNewNS, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(hs)
	dir := t.TempDir()
	var stored0, stored100000 sys.Stat
	var inside string
	err = Do(func() error {
		if err := sys.Mount("", "/", "", sys.MS_REC|sys.MS_PRIVATE, ""); err != nil {
			return err
		}
		if err := sys.Mount("tmpfs", dir, "tmpfs", 0, "mode=0755"); err != nil {
			return err
		}
		for name, id := range map[string]int{"stored0": 0, "stored100000": outside} {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				return err
			}
			if err := os.Chown(p, id, id); err != nil {
				return err
			}
		}
		tree, err := sys.OpenTree(sys.AT_FDCWD, dir, sys.OPEN_TREE_CLONE)
		if err != nil {
			return err
		}
		defer tree.Close()
		err = userns.control("mount_setattr", func(fd int) error {
			return sys.MountSetattr(tree.Int(), "", sys.AT_EMPTY_PATH, sys.MountAttr{Set: sys.MOUNT_ATTR_IDMAP, UsernsFD: uint64(fd)})
		})
		if err != nil {
			return err
		}
		if stored0, err = sys.Fstatat(tree.Int(), "stored0", 0); err != nil {
			return err
		}
		if stored100000, err = sys.Fstatat(tree.Int(), "stored100000", 0); err != nil {
			return err
		}
		if nsenter, err := exec.LookPath("nsenter"); err == nil {
			dup, err := sys.Dup(tree.Int())
			if err != nil {
				return err
			}
			treeFile := dup.File("tree")
			defer treeFile.Close()
			cmd := exec.Command(nsenter, "--user=/proc/self/fd/3", "--preserve-credentials",
				"stat", "-c", "%u:%g", "/proc/self/fd/4/stored0")
			cmd.ExtraFiles = []*os.File{userns.pfd.File(), treeFile}
			out, err := cmd.CombinedOutput()
			if err != nil {
				return fmt.Errorf("%v: %v: %s", cmd, err, out)
			}
			inside = strings.TrimSpace(string(out))
		}
		return nil
	}, hs[Mnt])
	testutil.SkipIfUnsupported(t, err, kernel.V(6, 3)) // idmapped tmpfs
	if err != nil {
		t.Fatal(err)
	}
	if stored0.Uid != outside || stored0.Gid != outside {
		t.Errorf("file stored as 0:0 shows as %d:%d through the idmapped mount, want %d:%d", stored0.Uid, stored0.Gid, outside, outside)
	}
	if stored100000.Uid != 65534 || stored100000.Gid != 65534 {
		t.Errorf("file stored as %d:%d shows as %d:%d through the idmapped mount, want 65534:65534", outside, outside, stored100000.Uid, stored100000.Gid)
	}
	if inside != "" && inside != "0:0" {
		t.Errorf("inside the user namespace the file stored as 0:0 shows as %s through the idmapped mount, want 0:0", inside)
	}
}
