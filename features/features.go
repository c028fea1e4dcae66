// Package features reports which modern Linux interfaces the running
// kernel offers, by trying each one live rather than by reading the
// version: a kernel can be configured without an interface, a distribution
// can backport one, and a seccomp filter or sysctl can take one away.
//
// The catalogue, in display order, with each feature's first mainline
// kernel, man page and probe:
//
//	pidfd_open                 5.3   pidfd_open(2): opens and closes a pidfd for this process
//	pidfs                      6.9   fstatfs(2): the pidfd lives on pidfs (PID_FS_MAGIC)
//	PIDFD_GET_INFO             6.13  ioctl_pidfd(2): asks a pidfd for this process's pid
//	clone3                     5.3   clone3(2): an oversized argument must give E2BIG; creates nothing
//	openat2                    5.6   openat2(2): opens "/" as O_PATH with RESOLVE_NO_MAGICLINKS
//	statmount/listmount        6.8   statmount(2), listmount(2): reads the mount of "/", lists below it
//	io_uring                   5.1   io_uring_setup(2): sets up and closes a one-entry ring;
//	                                 Detail is the last opcode (IORING_REGISTER_PROBE)
//	landlock                   5.13  landlock_create_ruleset(2): the ABI version, as Detail "ABI N"
//	seccomp user notification  5.0   seccomp(2) SECCOMP_GET_NOTIF_SIZES, seccomp_unotify(2);
//	                                 installs no filter
//	userfaultfd                4.3   userfaultfd(2): creates and closes one; when that is not
//	                                 permitted, with UFFD_USER_MODE_ONLY, then via /dev/userfaultfd
//	memfd_secret               6.5   memfd_secret(2): creates and closes a secret-memory fd
//
// Every probe closes what it opens and changes no process state. Probing
// needs no privilege, but a missing privilege can hide an interface: a
// Status whose Err is not errors.ErrUnsupported (typically EPERM, from a
// seccomp filter, a sysctl or a missing capability) is inconclusive.
//
// The probes are the ones the rest of lx uses (package pidfd asks the same
// pidfd_open probe), so each feature is probed once per process. Answers
// are cached for the life of the process only when they are conclusive (the interface works, or the kernel said it does not exist);
// inconclusive ones are probed again on the next call. Probe and Check are
// safe for concurrent use. The package reads /proc/sys/kernel/io_uring_disabled
// to explain an io_uring EPERM.
package features

import (
	"context"
	"fmt"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/kernel"
)

// Feature is one kernel interface of the catalogue.
type Feature struct {
	Name        string         // e.g. "openat2"; the key for Check
	MinKernel   kernel.Version // first mainline kernel that has it
	Description string         // one line, naming the man page
}

// Status is the answer of a probe.
type Status struct {
	Feature   Feature
	Available bool
	// Detail is extra information about an available feature, such as
	// "ABI 7" for landlock or "last opcode 62" for io_uring; often empty.
	Detail string
	// Err says why the feature is not available. A *kernel.FeatureError
	// (errors.Is(Err, errors.ErrUnsupported)) means the kernel does not
	// have it; any other error, such as EPERM, means the probe could not
	// tell; ctx.Err() means Probe's context ended first.
	Err error
}

// entry is a catalogue row: a shared probe, what the feature is for, and
// optionally an explanation for errors the probe cannot give itself.
type entry struct {
	probe   *feature.Probe
	desc    string
	explain func(error) error
}

func (e *entry) feature() Feature {
	return Feature{Name: e.probe.Name(), MinKernel: e.probe.MinKernel(), Description: e.desc}
}

func (e *entry) status() Status {
	s := Status{Feature: e.feature()}
	d, err := e.probe.Detail()
	if err != nil {
		if e.explain != nil {
			err = e.explain(err)
		}
		s.Err = err
		return s
	}
	s.Available, s.Detail = true, d
	return s
}

// List returns the catalogue, in display order. It probes nothing.
func List() []Feature {
	out := make([]Feature, len(catalogue))
	for i, e := range catalogue {
		out[i] = e.feature()
	}
	return out
}

// Probe probes every feature of the catalogue, in List order, and returns
// one Status for each. Features not yet probed when ctx ends get ctx.Err()
// as their Err. Each probe is a few system calls that do not block.
func Probe(ctx context.Context) []Status {
	out := make([]Status, len(catalogue))
	for i, e := range catalogue {
		if err := ctx.Err(); err != nil {
			out[i] = Status{Feature: e.feature(), Err: err}
			continue
		}
		out[i] = e.status()
	}
	return out
}

// Check probes the feature called name (a Feature.Name from List). The
// error is for an unknown name only; whether the feature is there is in
// the Status.
func Check(name string) (Status, error) {
	for _, e := range catalogue {
		if e.probe.Name() == name {
			return e.status(), nil
		}
	}
	return Status{}, fmt.Errorf("feature check: unknown feature %q", name)
}
