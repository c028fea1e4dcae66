package spawn

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
)

// prepareCgroup checks that Cgroup or CgroupDir is a cgroup v2 directory
// and that the kernel can clone into it (CLONE_INTO_CGROUP), and has the
// clone enter it.
func (p *plan) prepareCgroup(c *Command) error {
	var dir sys.SyscallConner
	var name string
	switch {
	case c.Cgroup != nil && c.CgroupDir != nil:
		return fmt.Errorf("both Cgroup (%s) and CgroupDir (%s) given: %w", c.Cgroup.Dir(), c.CgroupDir.Name(), fs.ErrInvalid)
	case c.Cgroup != nil:
		dir, name = c.Cgroup, c.Cgroup.Dir()
	case c.CgroupDir != nil:
		dir, name = c.CgroupDir, c.CgroupDir.Name()
	default:
		return nil
	}
	err := sys.Control(dir, func(fd int) error {
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
		return fmt.Errorf("cgroup %s: %w", name, err)
	}
	// A kernel without the flag (before 5.7, or clone3 refused by a
	// seccomp filter) is known before anything starts. An inconclusive
	// probe (EPERM) leaves the answer to the fork.
	if err := feature.CloneIntoCgroup.Check(); errors.Is(err, errors.ErrUnsupported) {
		return &Error{Path: c.Path, Step: StepCgroup, Err: err}
	}
	p.cgroup = dir
	p.attr.UseCgroupFD = true
	return nil
}
