package cgroup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/lxgo/lx/internal/sys"
)

// checkName checks the name of a child cgroup: one path element, not "."
// or "..", without '/', NUL or newline (which cgroupfs refuses), at most
// 255 bytes.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || len(name) > 255 || strings.ContainsAny(name, "/\x00\n") {
		return fmt.Errorf("cgroup name %q: want one path element of 1..255 bytes without '/', NUL or newline: %w", name, fs.ErrInvalid)
	}
	return nil
}

// NewChild creates the child cgroup name (mkdir(2) in the cgroup's
// directory, relative to its descriptor) and opens it. The child inherits
// the controllers of this cgroup's cgroup.subtree_control. Creating needs
// write access to this cgroup's directory; an existing child gives an
// error matching fs.ErrExist, cgroup.max.depth or cgroup.max.descendants
// reached EAGAIN. The returned Cgroup is the caller's to Close (and the
// cgroup the caller's to Remove).
func (c *Cgroup) NewChild(name string) (*Cgroup, error) {
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("cgroup create: %w", err)
	}
	_, err := dirT(c, "mkdirat", func(dirfd int) (struct{}, error) {
		return struct{}{}, sys.Mkdirat(dirfd, name, 0o755)
	})
	if err != nil {
		return nil, fmt.Errorf("cgroup create: %w", pathError(c.file(name), err))
	}
	child, err := c.OpenChild(name)
	if err != nil {
		return nil, fmt.Errorf("cgroup create: %w", err)
	}
	return child, nil
}

// OpenChild opens the existing child cgroup name, relative to this
// cgroup's descriptor. The returned Cgroup is the caller's to Close.
func (c *Cgroup) OpenChild(name string) (*Cgroup, error) {
	if err := checkName(name); err != nil {
		return nil, fmt.Errorf("cgroup open: %w", err)
	}
	fd, err := c.openFile(name, sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, fmt.Errorf("cgroup open: %w", err)
	}
	return newCgroup(sys.NewFD(fd), c.mount, c.child(name), c.file(name), c.plain), nil
}

// Children returns the names of the cgroup's child cgroups (the
// subdirectories of its directory), sorted.
func (c *Cgroup) Children() ([]string, error) {
	fd, err := c.openFile(".", sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, fmt.Errorf("cgroup children read: %w", err)
	}
	f := sys.NewFD(fd).File(c.dir)
	defer f.Close()
	entries, err := f.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("cgroup children read: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// RemoveOptions says what Remove does besides rmdir(2). nil means
// neither.
type RemoveOptions struct {
	// Kill kills every process in the cgroup and its descendants first
	// (Kill) and waits until the kernel reports the cgroup empty
	// (cgroup.events "populated 0").
	Kill bool
	// Recursive removes the descendant cgroups first, deepest first.
	Recursive bool
}

// Remove removes the cgroup (rmdir(2) of its directory, relative to its
// parent's descriptor, found through ".." of the Cgroup's own, after
// checking that the name still refers to this directory: cgroup v2 has
// no rename, but the cgroup may have been removed and another created
// under its name, which gives an error matching fs.ErrNotExist). A cgroup with
// live processes or child cgroups cannot be removed (EBUSY) unless opts
// asks to kill them or remove the children. Processes that have exited
// but are not reaped (zombies) do not keep a cgroup populated. The
// root of the mount cannot be removed (fs.ErrInvalid). Waiting for the
// processes to die honours ctx. The Cgroup stays open; Close it after.
//
// Remove needs write access to the parent directory; killing needs the
// right to write cgroup.kill (or, before Linux 5.14, to signal each
// process).
func (c *Cgroup) Remove(ctx context.Context, opts *RemoveOptions) error {
	if opts == nil {
		opts = &RemoveOptions{}
	}
	if err := c.remove(ctx, opts); err != nil {
		return fmt.Errorf("cgroup remove %s: %w", c.path, err)
	}
	return nil
}

func (c *Cgroup) remove(ctx context.Context, opts *RemoveOptions) error {
	if c.path == c.mount.Root {
		return fmt.Errorf("the root of the mount at %s: %w", c.mount.Point, fs.ErrInvalid)
	}
	if opts.Kill {
		if err := c.Kill(); err != nil {
			return err
		}
		if err := c.waitState(ctx, func(s State) bool { return !s.Populated }); err != nil {
			return err
		}
	}
	if opts.Recursive {
		names, err := c.Children()
		if err != nil {
			return err
		}
		for _, name := range names {
			child, err := c.OpenChild(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed meanwhile
			}
			if err != nil {
				return err
			}
			err = child.remove(ctx, &RemoveOptions{Recursive: true})
			child.Close()
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return c.rmdir()
}

// rmdir removes the cgroup's directory through its parent.
func (c *Cgroup) rmdir() error {
	name := c.path[strings.LastIndexByte(c.path, '/')+1:]
	_, err := dirT(c, "rmdir", func(dirfd int) (struct{}, error) {
		self, err := sys.Fstat(dirfd)
		if err != nil {
			return struct{}{}, err
		}
		// ".." of a cgroup directory is its parent; openat(2)
		// suffices, nothing can be mounted in between.
		parent, err := sys.Openat(dirfd, "..", sys.O_RDONLY|sys.O_DIRECTORY|sys.O_NOFOLLOW)
		if err != nil {
			return struct{}{}, err
		}
		defer parent.Close()
		if !c.plain {
			if magic, err := sys.FstatfsType(parent.Int()); err != nil {
				return struct{}{}, err
			} else if magic != sys.CGROUP2_SUPER_MAGIC {
				return struct{}{}, fmt.Errorf("parent: filesystem type %#x: %w", magic, errNotCgroupFile)
			}
		}
		st, err := sys.Fstatat(parent.Int(), name, sys.AT_SYMLINK_NOFOLLOW)
		if err != nil {
			return struct{}{}, err
		}
		if st.Ino != self.Ino || st.Dev != self.Dev {
			return struct{}{}, fmt.Errorf("%s is another cgroup now: %w", c.dir, fs.ErrNotExist)
		}
		return struct{}{}, sys.Rmdirat(parent.Int(), name)
	})
	if err != nil {
		return pathError(c.dir, err)
	}
	return nil
}
