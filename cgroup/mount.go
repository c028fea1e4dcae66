package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/procfs"
)

// Mount is where a cgroup hierarchy is mounted.
type Mount struct {
	// Point is the mount point, below the FS's root directory:
	// "/sys/fs/cgroup" on a pure v2 host, "/sys/fs/cgroup/unified" on a
	// hybrid one, "testdata/unified/sys/fs/cgroup" for a fixture.
	Point string
	// Root is the cgroup of the hierarchy that is mounted at Point, as
	// /proc/PID/cgroup names cgroups: "/" unless only a subtree is
	// mounted (a container without its own cgroup namespace sees its own
	// cgroup at /sys/fs/cgroup).
	Root string
}

// dir returns the directory of the cgroup at hierarchy path p (clean and
// absolute) below the mount, and whether the mount holds it at all.
func (m Mount) dir(p string) (string, bool) {
	rel, ok := m.rel(p)
	if !ok {
		return "", false
	}
	if rel == "" {
		return m.Point, true
	}
	return m.Point + "/" + rel, true
}

// rel returns p relative to the mount's root ("" for the root itself).
func (m Mount) rel(p string) (string, bool) {
	if m.Root == "/" {
		return strings.TrimPrefix(p, "/"), true
	}
	if p == m.Root {
		return "", true
	}
	if rest, ok := strings.CutPrefix(p, m.Root+"/"); ok {
		return rest, true
	}
	return "", false
}

// errNoMount is the error for a hierarchy that is not mounted.
var errNoMount = errors.New("not mounted")

// UnifiedMount returns where the cgroup v2 hierarchy is mounted: the
// cgroup2 mount of the calling process's mount table
// (/proc/self/mountinfo) for an FS whose root is "/", preferring
// <root>/sys/fs/cgroup (pure v2) and <root>/sys/fs/cgroup/unified
// (hybrid) over others. For any other root the mount table would be the
// caller's, not that system's, so the two usual places are checked
// instead (statfs(2) CGROUP2_SUPER_MAGIC, or for a tree of plain files a
// cgroup.controllers file) and the mounted cgroup is taken to be "/". No
// privilege is needed. When there is no v2 hierarchy (a v1-only host)
// the error matches fs.ErrNotExist.
func UnifiedMount() (Mount, error) { return Default().UnifiedMount() }

// UnifiedMount is the package-level UnifiedMount for this FS.
func (fs FS) UnifiedMount() (Mount, error) {
	m, err := fs.unifiedMount()
	if err != nil {
		return Mount{}, fmt.Errorf("cgroup mount find: %w", err)
	}
	return m, nil
}

func (fsys FS) unifiedMount() (Mount, error) {
	root := fsys.fs.Cgroup
	usual := []string{root, root + "/unified", root + "/systemd"}
	if fsys.fs.Root == "/" {
		mounts, err := procfs.Default().Self().MountInfo()
		if err == nil {
			var best *procfs.Mount
			rank := len(usual)
			for i := range mounts {
				m := &mounts[i]
				if m.FSType != "cgroup2" {
					continue
				}
				r := slices.Index(usual, m.MountPoint)
				if r < 0 {
					r = len(usual) // any other cgroup2 mount, if nothing better
				}
				if best == nil || r < rank {
					best, rank = m, r
				}
			}
			if best == nil {
				return Mount{}, &fs.PathError{Op: "find cgroup2 mount", Path: "/proc/self/mountinfo", Err: fmt.Errorf("cgroup v2 %w: %w", errNoMount, fs.ErrNotExist)}
			}
			return Mount{Point: best.MountPoint, Root: best.Root}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return Mount{}, err
		}
		// No /proc: fall back to the usual places.
	}
	for _, p := range usual {
		magic, err := sys.StatfsType(p)
		if err == nil && magic == sys.CGROUP2_SUPER_MAGIC {
			return Mount{Point: p, Root: "/"}, nil
		}
	}
	if fsys.fs.Root != "/" {
		for _, p := range usual {
			if st, err := os.Stat(p + "/cgroup.controllers"); err == nil && st.Mode().IsRegular() {
				return Mount{Point: p, Root: "/"}, nil
			}
		}
	}
	return Mount{}, &fs.PathError{Op: "find cgroup2 mount", Path: root, Err: fmt.Errorf("cgroup v2 %w: %w", errNoMount, fs.ErrNotExist)}
}

// v1Mount returns where the v1 hierarchy of controller is mounted: from
// the mount table for an FS rooted at "/" (a cgroup mount whose
// super-block options name the controller), else <root>/sys/fs/cgroup/
// <controller> or a directory there whose comma-separated name holds it
// ("cpu,cpuacct").
func (fsys FS) v1Mount(controller string) (Mount, error) {
	if fsys.fs.Root == "/" {
		mounts, err := procfs.Default().Self().MountInfo()
		if err == nil {
			for _, m := range mounts {
				if m.FSType != "cgroup" {
					continue
				}
				if _, ok := m.SuperOption(controller); ok {
					return Mount{Point: m.MountPoint, Root: m.Root}, nil
				}
			}
			return Mount{}, &fs.PathError{Op: "find cgroup mount", Path: "/proc/self/mountinfo", Err: fmt.Errorf("cgroup v1 %s hierarchy %w: %w", controller, errNoMount, fs.ErrNotExist)}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return Mount{}, err
		}
	}
	entries, err := os.ReadDir(fsys.fs.Cgroup)
	if err != nil {
		return Mount{}, err
	}
	for _, e := range entries {
		if e.IsDir() && slices.Contains(strings.Split(e.Name(), ","), controller) {
			return Mount{Point: filepath.Join(fsys.fs.Cgroup, e.Name()), Root: "/"}, nil
		}
	}
	return Mount{}, &fs.PathError{Op: "find cgroup mount", Path: fsys.fs.Cgroup, Err: fmt.Errorf("cgroup v1 %s hierarchy %w: %w", controller, errNoMount, fs.ErrNotExist)}
}

// cleanPath checks and cleans a hierarchy path given by a caller: it must
// be absolute ("/" is the root) and hold no NUL byte; "." and ".."
// elements are resolved lexically and cannot climb above "/".
func cleanPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") || strings.IndexByte(p, 0) >= 0 {
		return "", fmt.Errorf("cgroup path %q: want an absolute path without NUL bytes: %w", p, fs.ErrInvalid)
	}
	return path.Clean(p), nil
}
