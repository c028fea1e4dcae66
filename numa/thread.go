package numa

import (
	"fmt"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/thread"
)

// args checks p's nodes against the possible nodes and returns the mode
// word (mode | flags) and the mask for the kernel.
func (p Policy) args() (int, nodeMask, error) {
	if p.Mode < 0 || p.Flags&^(StaticNodes|RelativeNodes|NumaBalancing) != 0 {
		return 0, nodeMask{}, fmt.Errorf("policy %v: %w", p, errBadPolicy)
	}
	m, err := toMask(p.Nodes)
	if err != nil {
		return 0, m, fmt.Errorf("policy %v: %w", p, err)
	}
	return int(p.Mode) | int(p.Flags), m, nil
}

// SetThreadPolicy sets the memory policy of the calling thread,
// set_mempolicy(2): where the kernel takes the pages the thread faults in
// from then on, outside regions with a policy of their own
// (SetRegionPolicy). Pages already there stay where they are. Threads the
// thread creates afterwards inherit the policy.
//
// Affects the calling thread only. In Go the caller must have called
// runtime.LockOSThread and must keep the thread locked until it has put
// the policy back, or the runtime schedules other goroutines on the
// thread with this policy and this goroutine elsewhere without it; Do
// does all of that. Memory the Go runtime hands out (the heap, goroutine
// stacks) comes from arenas any thread may have faulted in already, so a
// thread policy governs reliably only memory the thread maps and first
// touches itself (mmap).
//
// No privilege. Every node of p must be a possible node (the error names
// the one that is not); ModePreferredMany needs Linux 5.15 and
// ModeWeightedInterleave 6.9 (a *kernel.FeatureError before). The kernel
// answers EINVAL for nodes outside the thread's cpuset (MemsAllowed),
// for ModeDefault or ModeLocal with nodes, and for other modes without.
func SetThreadPolicy(p Policy) error {
	if err := setThreadPolicy(p); err != nil {
		return fmt.Errorf("numa thread policy set: %w", err)
	}
	return nil
}

func setThreadPolicy(p Policy) error {
	mode, m, err := p.args()
	if err != nil {
		return err
	}
	if err := sys.SetMempolicy(mode, m.words()); err != nil {
		return modeError(p.Mode, err)
	}
	return nil
}

// ThreadPolicy returns the memory policy of the calling thread,
// get_mempolicy(2): ModeDefault with no nodes when it has none. For a
// policy set with StaticNodes or RelativeNodes the nodes are those given
// to SetThreadPolicy; otherwise those in force after the cpuset's
// remapping. Reads the calling thread's state: lock the goroutine to
// its thread (runtime.LockOSThread) for an answer about the thread whose
// policy it set.
func ThreadPolicy() (Policy, error) {
	p, err := threadPolicy()
	if err != nil {
		return Policy{}, fmt.Errorf("numa thread policy read: %w", err)
	}
	return p, nil
}

func threadPolicy() (Policy, error) {
	m, _, err := emptyMask()
	if err != nil {
		return Policy{}, err
	}
	mode, err := sys.GetMempolicy(m.words(), 0)
	if err != nil {
		return Policy{}, unsupported(err)
	}
	return policyOf(mode, &m), nil
}

// policyOf splits get_mempolicy's mode word.
func policyOf(mode int, m *nodeMask) Policy {
	all := StaticNodes | RelativeNodes | NumaBalancing
	return Policy{Mode: Mode(mode &^ int(all)), Flags: Flags(mode) & all, Nodes: m.set()}
}

// MemsAllowed returns the nodes the calling thread may allocate on: its
// cpuset's cpuset.mems, get_mempolicy(2) with MPOL_F_MEMS_ALLOWED
// (2.6.24). A policy's nodes outside it are ignored or refused. Reads
// the calling thread's state, which is the process's unless threads
// were put in different cpusets.
func MemsAllowed() (cpuset.Set, error) {
	m, _, err := emptyMask()
	if err == nil {
		_, err = sys.GetMempolicy(m.words(), sys.MPOL_F_MEMS_ALLOWED)
		err = unsupported(err)
	}
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("numa mems allowed read: %w", err)
	}
	return m.set(), nil
}

// Do runs fn on an OS thread of its own whose memory policy is p, waits
// for it and returns its error. Memory that fn maps and first touches
// is placed by p (unless a region policy says otherwise); goroutines fn
// starts run on other threads, under their own policy. Afterwards the
// thread gets its previous policy back and returns to the runtime's
// pool; if that fails (or fn panics), the thread is discarded instead.
// If the policy cannot be set, fn does not run and the error says why.
func Do(p Policy, fn func() error) error {
	if _, _, err := p.args(); err != nil {
		return fmt.Errorf("numa do: %w", err)
	}
	return thread.Run(func(t *thread.Thread) error {
		old, err := threadPolicy()
		if err != nil {
			return fmt.Errorf("numa do: %w", err)
		}
		if err := setThreadPolicy(p); err != nil {
			return fmt.Errorf("numa do: %w", err)
		}
		defer func() {
			if setThreadPolicy(old) != nil {
				t.Taint()
			}
		}()
		return fn()
	})
}
