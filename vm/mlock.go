package vm

import (
	"fmt"

	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// LockOptions are the optional arguments of Lock. nil means lock every
// page now.
type LockOptions struct {
	// OnFault locks pages only as they are touched (MLOCK_ONFAULT,
	// mlock2(2), Linux 4.4), instead of faulting them all in now.
	OnFault bool
}

// Lock locks b's pages in memory, mlock(2), or mlock2(2) with
// MLOCK_ONFAULT: they are not swapped out until Unlock, Close or exit.
// b must start on a page boundary. Locked memory counts against
// RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK (ENOMEM or EPERM
// beyond it). The lock belongs to the mapping, not the thread: it
// affects the whole process, and is not inherited by children.
func Lock(b []byte, opts *LockOptions) error {
	if err := checkAligned(b); err != nil {
		return fmt.Errorf("vm mlock: %w", err)
	}
	flags := 0
	if opts != nil && opts.OnFault {
		flags = sys.MLOCK_ONFAULT
	}
	if err := sys.Mlock2(b, flags); err != nil {
		return fmt.Errorf("vm mlock: %w", err)
	}
	return nil
}

// Unlock unlocks b's pages, munlock(2).
func Unlock(b []byte) error {
	if err := checkAligned(b); err != nil {
		return fmt.Errorf("vm munlock: %w", err)
	}
	if err := sys.Munlock(b); err != nil {
		return fmt.Errorf("vm munlock: %w", err)
	}
	return nil
}

// Lock is the package-level Lock for the whole region.
func (r *Region) Lock(opts *LockOptions) error {
	if err := r.checkOpen("mlock"); err != nil {
		return err
	}
	return Lock(r.b, opts)
}

// Unlock is the package-level Unlock for the whole region.
func (r *Region) Unlock() error {
	if err := r.checkOpen("munlock"); err != nil {
		return err
	}
	return Unlock(r.b)
}

// LockAllFlags say what LockAll locks, the MCL_* flags of mlockall(2).
type LockAllFlags uint8

const (
	LockCurrent LockAllFlags = 1 << 0 // MCL_CURRENT: every page mapped now
	LockFuture  LockAllFlags = 1 << 1 // MCL_FUTURE: every page mapped later
	// LockOnFault (MCL_ONFAULT, Linux 4.4), with LockCurrent or
	// LockFuture, locks pages as they are touched.
	LockOnFault LockAllFlags = 1 << 2
)

var lockAllText = flagtext.Format[LockAllFlags]{
	Flags: []flagtext.Flag[LockAllFlags]{
		{Bits: LockCurrent, Name: "MCL_CURRENT"}, {Bits: LockFuture, Name: "MCL_FUTURE"},
		{Bits: LockOnFault, Name: "MCL_ONFAULT"},
	},
	Sep: '|', None: "0",
}

// String returns the flags' names, "MCL_CURRENT|MCL_FUTURE".
func (f LockAllFlags) String() string { return lockAllText.String(f) }

// MarshalText returns String's text.
func (f LockAllFlags) MarshalText() ([]byte, error) { return lockAllText.Append(nil, f), nil }

// UnmarshalText reads String's text back.
func (f *LockAllFlags) UnmarshalText(b []byte) error {
	return lockAllText.Unmarshal(f, b, "mlockall flags")
}

// LockAll locks the whole address space, mlockall(2): every mapping of
// the process, the Go heap and every thread's stack included, not just
// the calling thread's. With LockFuture every later mapping is locked as
// it is made, and a mapping that cannot be locked fails (the Go runtime
// then dies of ENOMEM growing its heap if RLIMIT_MEMLOCK is too small:
// raise it, or have CAP_IPC_LOCK, first). flags needs LockCurrent or
// LockFuture.
func LockAll(flags LockAllFlags) error {
	if flags&(LockCurrent|LockFuture) == 0 || flags&^(LockCurrent|LockFuture|LockOnFault) != 0 {
		return fmt.Errorf("vm mlockall: %w", invalidf("flags %s: want MCL_CURRENT or MCL_FUTURE, and MCL_ONFAULT", flags))
	}
	v := 0
	if flags&LockCurrent != 0 {
		v |= sys.MCL_CURRENT
	}
	if flags&LockFuture != 0 {
		v |= sys.MCL_FUTURE
	}
	if flags&LockOnFault != 0 {
		v |= sys.MCL_ONFAULT
	}
	if err := sys.Mlockall(v); err != nil {
		return fmt.Errorf("vm mlockall: %w", err)
	}
	return nil
}

// UnlockAll unlocks every page of the process and ends LockFuture,
// munlockall(2). It affects the whole process.
func UnlockAll() error {
	if err := sys.Munlockall(); err != nil {
		return fmt.Errorf("vm munlockall: %w", err)
	}
	return nil
}
