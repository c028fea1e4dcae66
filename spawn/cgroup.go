package spawn

import (
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// prepareCgroup checks that Cgroup is a cgroup v2 directory and has the
// clone enter it (CLONE_INTO_CGROUP).
func (p *plan) prepareCgroup(c *Command) error {
	if c.Cgroup == nil {
		return nil
	}
	err := control(c.Cgroup, func(fd int) error {
		magic, err := sys.FstatfsType(fd)
		if err != nil {
			return err
		}
		if magic != sys.CGROUP2_SUPER_MAGIC {
			return fmt.Errorf("not on a cgroup v2 hierarchy (file system %#x): %w", magic, fs.ErrInvalid)
		}
		st, err := sys.Fstat(fd)
		if err != nil {
			return err
		}
		if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
			return fmt.Errorf("not a directory: %w", fs.ErrInvalid)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cgroup %s: %w", c.Cgroup.Name(), err)
	}
	p.cgroup = c.Cgroup
	p.attr.UseCgroupFD = true
	return nil
}

// cgroupUnsupported explains the errors of a kernel that cannot clone into
// a cgroup: ENOSYS (no clone3, before 5.3) and EINVAL (clone3 without
// CLONE_INTO_CGROUP, 5.3 to 5.6; Cgroup was checked to be a cgroup v2
// directory, so the flag is what the kernel refused).
func cgroupUnsupported(err error) error {
	switch sys.Errno(err) {
	case sys.ENOSYS:
		return feature.Clone3.Unsupported(err)
	case sys.EINVAL:
		return &kernel.FeatureError{Feature: "CLONE_INTO_CGROUP", MinKernel: kernel.V(5, 7), Err: err}
	}
	return err
}
