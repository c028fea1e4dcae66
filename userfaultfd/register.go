package userfaultfd

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Register makes faults of kind mode in r arrive on the fd,
// UFFDIO_REGISTER, and returns the ioctls that work on the range (which
// depend on the memory: Continue only on shmem and hugetlbfs, Zeropage
// not on hugetlbfs, Move only on private anonymous memory).
//
// Every page of r must be mapped, by mappings of one kind (private
// anonymous, shmem or hugetlbfs, the last two with their Feature*), or
// the kernel answers EINVAL. A range may be registered on one fd only
// (EBUSY). The registration applies to the calling process's address
// space (all threads); it ends with Unregister, with munmap(2) of the
// pages, or with the last Close of the fd.
func (u *FD) Register(r Range, mode Mode) (Ioctls, error) {
	if err := r.check(); err != nil {
		return 0, err
	}
	if mode == 0 || mode&^(ModeMissing|ModeWP|ModeMinor) != 0 {
		return 0, fmt.Errorf("userfaultfd: register %v: invalid mode %v: %w", r, mode, fs.ErrInvalid)
	}
	ioctls, err := poll.ControlT(u.pfd, "ioctl UFFDIO_REGISTER", func(fd int) (Ioctls, error) {
		reg := abi.UffdioRegister{Range: abi.UffdioRange{Start: uint64(r.Start), Len: uint64(r.Len)}, Mode: uint64(mode)}
		err := sys.UffdRegister(fd, &reg)
		return Ioctls(reg.Ioctls), err
	})
	if err != nil {
		if errors.Is(err, syscall.EINVAL) {
			if running, verr := kernel.Running(); verr == nil {
				switch {
				case mode&ModeMinor != 0 && !running.AtLeast(kernel.V(5, 13)):
					return 0, &kernel.FeatureError{Feature: "UFFDIO_REGISTER_MODE_MINOR", MinKernel: kernel.V(5, 13), Err: err}
				case mode&ModeWP != 0 && !running.AtLeast(kernel.V(5, 7)):
					return 0, &kernel.FeatureError{Feature: "UFFDIO_REGISTER_MODE_WP", MinKernel: kernel.V(5, 7), Err: err}
				}
			}
		}
		return 0, fmt.Errorf("userfaultfd: register %v %v: %w", r, mode, err)
	}
	return ioctls, nil
}

// Unregister ends the registration of r, UFFDIO_UNREGISTER, waking the
// threads waiting on faults in it (their faults are then handled as
// without userfaultfd).
func (u *FD) Unregister(r Range) error {
	if err := r.check(); err != nil {
		return err
	}
	_, err := poll.ControlT(u.pfd, "ioctl UFFDIO_UNREGISTER", func(fd int) (struct{}, error) {
		return struct{}{}, sys.UffdUnregister(fd, &abi.UffdioRange{Start: uint64(r.Start), Len: uint64(r.Len)})
	})
	if err != nil {
		return fmt.Errorf("userfaultfd: unregister %v: %w", r, err)
	}
	return nil
}
