package capability

import (
	"errors"
	"math"
	"sync/atomic"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// lastKnown is the running kernel's CAP_LAST_CAP plus one once Last has
// found it, 0 before.
var lastKnown atomic.Int32

// Last returns the highest capability the running kernel knows, its
// CAP_LAST_CAP: CheckpointRestore (40) on Linux 5.9 and later, BPF (39)
// on 5.8, AuditRead (37) from 3.16, and a capability lx has no name for
// on kernels newer than lx. It is what /proc/sys/kernel/cap_last_cap
// shows, found without reading it (so without /proc): prctl(2)
// PR_CAPBSET_READ answers for every capability the kernel knows and
// says EINVAL above the last, and Last searches 0..63 in six calls, as
// libcap's cap_get_bound fallback does.
//
// PR_CAPBSET_READ needs no privilege and answers the same in every
// namespace: a container's bounding set may lack capabilities, but the
// kernel still knows them. The answer is cached for the life of the
// process; an error is not (a kernel before 2.6.25, which lacks
// PR_CAPBSET_READ, gives a *kernel.FeatureError matching
// errors.ErrUnsupported; a seccomp filter that refuses prctl gives its
// errno).
func Last() (Cap, error) {
	if n := lastKnown.Load(); n > 0 {
		return Cap(n - 1), nil
	}
	c, err := probeLast()
	if err != nil {
		return 0, err
	}
	lastKnown.Store(int32(c) + 1)
	return c, nil
}

// probeLast finds the highest capability PR_CAPBSET_READ accepts.
func probeLast() (Cap, error) {
	ok, err := known(0)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, &kernel.FeatureError{Feature: "prctl PR_CAPBSET_READ", MinKernel: kernel.Version{Major: 2, Minor: 6, Patch: 25},
			Err: errors.ErrUnsupported}
	}
	// Invariant: lo is known, every capability above hi is not.
	lo, hi := Cap(0), Cap(63)
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		ok, err := known(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, nil
}

// known reports whether the kernel knows capability c: PR_CAPBSET_READ
// answers for it rather than saying EINVAL.
func known(c Cap) (bool, error) {
	_, err := sys.CapbsetRead(int(c))
	switch {
	case err == nil:
		return true, nil
	case sys.Errno(err) == sys.EINVAL:
		return false, nil
	}
	return false, err
}

// Full returns the set of every capability the running kernel has,
// Chown (0) through Last: what "all capabilities" means on this kernel,
// and the bounding set of a process from which none was dropped. Its
// errors are Last's.
func Full() (Set, error) {
	last, err := Last()
	if err != nil {
		return 0, err
	}
	return Set(math.MaxUint64 >> (63 - last)), nil
}
