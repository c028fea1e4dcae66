// Package feature caches the answer to "does this kernel have X?".
//
// A probe is run at most once while its answer is conclusive: success, or
// one of the errnos that mean "not here" (ENOSYS, EOPNOTSUPP, ENOTTY, EINVAL
// for an unknown flag). Anything else, EPERM in particular (a seccomp filter
// or a missing capability may change later, or be specific to the caller),
// is inconclusive: it is returned to the caller and the probe runs again next
// time. Unsupported answers are *kernel.FeatureError, so errors.Is(err,
// errors.ErrUnsupported) holds.
package feature

import (
	"sync"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Probe is one cached feature test. The zero value is not usable; create
// probes with New as package-level variables.
type Probe struct {
	name string
	min  kernel.Version
	fn   func() error

	mu   sync.Mutex
	done bool
	err  error // nil or *kernel.FeatureError once done
}

// New returns a probe for feature name, first available in Linux min.
// fn tries the interface and returns nil if it works, or the kernel's error.
func New(name string, min kernel.Version, fn func() error) *Probe {
	return &Probe{name: name, min: min, fn: fn}
}

// Name is the feature's name, e.g. "pidfd_open".
func (p *Probe) Name() string { return p.name }

// MinKernel is the first mainline kernel with the feature.
func (p *Probe) MinKernel() kernel.Version { return p.min }

// Check returns nil if the feature works, a *kernel.FeatureError if the
// kernel does not have it, or another error if the probe was inconclusive.
func (p *Probe) Check() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return p.err
	}
	err := p.fn()
	switch {
	case err == nil:
		p.done = true
	case sys.IsNotSupported(err):
		p.done, p.err = true, p.Unsupported(err)
	}
	if !p.done {
		return err
	}
	return p.err
}

// Unsupported wraps err as this feature's *kernel.FeatureError, for callers
// that discover the absence on a real call rather than through Check.
func (p *Probe) Unsupported(err error) error {
	return &kernel.FeatureError{Feature: p.name, MinKernel: p.min, Err: err}
}
