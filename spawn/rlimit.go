package spawn

import (
	"fmt"
	"io/fs"
	"slices"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/rlimit"
)

// prepareRlimits checks Rlimits and adds the step that sets them on the
// stopped child.
func (p *plan) prepareRlimits(c *Command) error {
	if len(c.Rlimits) == 0 {
		return nil
	}
	resources := make([]rlimit.Resource, 0, len(c.Rlimits))
	for r, l := range c.Rlimits {
		if r < rlimit.CPU || r > rlimit.RTTime {
			return fmt.Errorf("rlimits: unknown resource %v: %w", r, fs.ErrInvalid)
		}
		if l.Soft > l.Hard {
			return fmt.Errorf("rlimits: %v: soft limit %v above hard limit %v: %w", r, l.Soft, l.Hard, fs.ErrInvalid)
		}
		resources = append(resources, r)
	}
	slices.Sort(resources)
	limits := make([]rlimit.Limit, len(resources))
	for i, r := range resources {
		limits[i] = c.Rlimits[r]
	}
	p.stopped = append(p.stopped, stoppedStep{StepRlimit, func(pid int) error {
		for i, r := range resources {
			if err := sys.Prlimit(pid, int(r), uint64(limits[i].Soft), uint64(limits[i].Hard)); err != nil {
				return fmt.Errorf("%v %v: %w", r, limits[i], err)
			}
		}
		return nil
	}})
	return nil
}

// whileStopped waits for the child, which ptrace stops after execve(2)
// (or at a signal before it), runs the stopped steps and lets it go. A
// child that ended instead is left for Wait to report.
func (p *plan) whileStopped(pid int) error {
	st, err := sys.WaitStop(pid)
	if err != nil {
		return &Error{Path: p.path, Step: StepTrace, Err: err}
	}
	if !st.Stopped {
		return nil
	}
	for _, s := range p.stopped {
		if err := s.run(pid); err != nil {
			return &Error{Path: p.path, Step: s.step, Err: err}
		}
	}
	// The SIGTRAP of the exec stop is ptrace's own: discard it. A stop
	// for another signal, which arrived before execve, delivers it.
	sig := st.Sig
	if sig == syscall.SIGTRAP {
		sig = 0
	}
	if err := sys.PtraceDetach(pid, sig); err != nil {
		return &Error{Path: p.path, Step: StepTrace, Err: err}
	}
	return nil
}
