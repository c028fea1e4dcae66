// Package feature caches the answer to "does this kernel have X?".
//
// Every probe lx has is declared once, in probes.go, as an exported *Probe
// variable that calls the probe function beside its system call family in
// internal/sys. The package that needs the feature (pidfd, ...) and the
// public catalogue (package features) use the same variable, so a feature
// is probed at most once per process, with one cache.
//
// A probe is run at most once while its answer is conclusive: success, or
// one of the errnos that mean "not here" (ENOSYS, EOPNOTSUPP, ENOTTY, EINVAL
// for an unknown flag). Anything else, EPERM in particular (a seccomp filter
// or a missing capability may change later, or be specific to the caller),
// is inconclusive: it is returned to the caller and the probe runs again next
// time. Unsupported answers are *kernel.FeatureError, so errors.Is(err,
// errors.ErrUnsupported) holds and the error carries the minimum kernel.
package feature

import (
	"sync"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Probe is one cached feature test. Probes exist only as the variables of
// probes.go.
type Probe struct {
	name string
	min  kernel.Version
	fn   func() (detail string, err error)

	mu     sync.Mutex
	done   bool
	detail string
	err    error // nil or *kernel.FeatureError once done
}

// newProbe returns a probe for feature name, first available in Linux min.
// fn tries the interface and returns nil if it works, or the kernel's error.
func newProbe(name string, min kernel.Version, fn func() error) *Probe {
	return newDetailProbe(name, min, func() (string, error) { return "", fn() })
}

// newDetailProbe is newProbe for a probe that learns something worth
// showing when the feature works ("ABI 7" for landlock).
func newDetailProbe(name string, min kernel.Version, fn func() (string, error)) *Probe {
	return &Probe{name: name, min: min, fn: fn}
}

// Name is the feature's name, e.g. "pidfd_open".
func (p *Probe) Name() string { return p.name }

// MinKernel is the first mainline kernel with the feature.
func (p *Probe) MinKernel() kernel.Version { return p.min }

// Check returns nil if the feature works, a *kernel.FeatureError if the
// kernel does not have it, or another error if the probe was inconclusive.
func (p *Probe) Check() error {
	_, err := p.Detail()
	return err
}

// Detail is Check that also returns what the probe learnt about a working
// feature ("ABI 7", "last opcode 62"); it is "" for probes that learn
// nothing and whenever err is not nil.
func (p *Probe) Detail() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return p.detail, p.err
	}
	d, err := p.fn()
	switch {
	case err == nil:
		p.done, p.detail = true, d
	case sys.IsNotSupported(err):
		p.done, p.err = true, p.Unsupported(err)
	default:
		return "", err
	}
	return p.detail, p.err
}

// Unsupported wraps err as this feature's *kernel.FeatureError, for callers
// that discover the absence on a real call rather than through Check.
func (p *Probe) Unsupported(err error) error {
	return &kernel.FeatureError{Feature: p.name, MinKernel: p.min, Err: err}
}
