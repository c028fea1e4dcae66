package cgroup

import (
	"errors"
	"fmt"
	"os"

	"github.com/lxgo/lx/internal/sys"
)

// Mode is the cgroup layout of a host: which hierarchies are mounted under
// the cgroup mount root (normally /sys/fs/cgroup).
type Mode int

const (
	// Legacy is cgroup v1 only: the root is a tmpfs holding one v1
	// hierarchy per controller (or group of controllers), and there is no
	// v2 hierarchy.
	Legacy Mode = iota + 1
	// Hybrid is v1 for the controllers plus a v2 hierarchy at
	// <root>/unified (or, in systemd's older layout, <root>/systemd) that
	// holds the controllers no v1 hierarchy took (often none, or only a
	// few) and serves for process tracking.
	Hybrid
	// Unified is cgroup v2 only: the root itself is the v2 hierarchy and
	// every controller lives in it.
	Unified
)

var modeNames = [...]string{Legacy: "v1", Hybrid: "hybrid", Unified: "v2"}

// String returns "v1", "hybrid" or "v2"; an unknown value formats as
// "Mode(N)".
func (m Mode) String() string {
	if m > 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// MarshalText encodes m as its String, so that JSON carries "v2", not a
// number.
func (m Mode) MarshalText() ([]byte, error) {
	if m <= 0 || int(m) >= len(modeNames) {
		return nil, fmt.Errorf("cgroup mode marshal: unknown mode %d", int(m))
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText decodes "v1", "hybrid" or "v2".
func (m *Mode) UnmarshalText(b []byte) error {
	for i, name := range modeNames {
		if i > 0 && name == string(b) {
			*m = Mode(i)
			return nil
		}
	}
	return fmt.Errorf("cgroup mode %q: want v1, hybrid or v2", b)
}

// DetectMode returns the host's cgroup layout, detected as systemd does it:
// by the filesystem type (statfs(2)) of the cgroup mount root, normally
// /sys/fs/cgroup. cgroup2 there means Unified; a tmpfs there means Hybrid
// if <root>/unified (or <root>/systemd) is a cgroup2 mount and Legacy
// otherwise. No privilege is needed. The error names the filesystem type
// when the root is not a cgroup mount at all (a container without one,
// for example).
//
// The answer describes this mount namespace's view; a container may see a
// different layout than its host.
func DetectMode() (Mode, error) { return Default().Mode() }

// Mode is DetectMode for this FS's cgroup mount root.
func (fs FS) Mode() (Mode, error) {
	root := fs.fs.Cgroup
	m, err := modeOf(sys.StatfsType, root)
	if err != nil {
		return 0, fmt.Errorf("cgroup mode detect: %w", err)
	}
	return m, nil
}

// errNotCgroupMount reports a cgroup mount root that holds no cgroup
// filesystem.
var errNotCgroupMount = errors.New("not a cgroup mount")

// modeOf decides the Mode from the filesystem types that statfs reports
// for root and its children. It is separate from Mode so that tests can
// feed it any layout.
func modeOf(statfs func(path string) (int64, error), root string) (Mode, error) {
	t, err := statfs(root)
	if err != nil {
		return 0, err
	}
	switch t {
	case sys.CGROUP2_SUPER_MAGIC:
		return Unified, nil
	case sys.CGROUP_SUPER_MAGIC:
		// A single v1 hierarchy mounted at the root itself.
		return Legacy, nil
	case sys.TMPFS_MAGIC:
		for _, dir := range [...]string{"unified", "systemd"} {
			t, err := statfs(root + "/" + dir)
			switch {
			case errors.Is(err, os.ErrNotExist):
				continue
			case err != nil:
				return 0, err
			case t == sys.CGROUP2_SUPER_MAGIC:
				return Hybrid, nil
			}
		}
		return Legacy, nil
	}
	return 0, fmt.Errorf("%s: %w (filesystem type %#x)", root, errNotCgroupMount, t)
}
