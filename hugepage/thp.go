package hugepage

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// THPMode is one setting of a transparent huge page knob
// (transhuge.rst in the kernel's admin-guide): the words of
// /sys/kernel/mm/transparent_hugepage/{enabled,defrag,shmem_enabled} and
// of the per-size hugepages-<size>kB/{enabled,shmem_enabled}. Each file
// accepts only some of them; the zero value is no mode (a file that is
// not there).
type THPMode uint8

const (
	THPAlways       THPMode = iota + 1 // always
	THPMadvise                         // madvise: only in MADV_HUGEPAGE regions
	THPNever                           // never
	THPInherit                         // inherit: the top-level setting (per-size knobs, 6.8)
	THPDefer                           // defer: defrag in the background (defrag)
	THPDeferMadvise                    // defer+madvise (defrag)
	THPWithinSize                      // within_size: shmem huge pages inside i_size (shmem)
	THPAdvise                          // advise: shmem huge pages with MADV_HUGEPAGE (shmem)
	THPDeny                            // deny: no shmem huge pages, even on huge= mounts (shmem)
	THPForce                           // force: shmem huge pages everywhere (shmem)
)

var thpNames = [...]string{"", "always", "madvise", "never", "inherit", "defer", "defer+madvise",
	"within_size", "advise", "deny", "force"}

// String returns the kernel's word, "madvise".
func (m THPMode) String() string {
	if int(m) < len(thpNames) {
		return thpNames[m]
	}
	return "THPMode(" + fmt.Sprint(uint8(m)) + ")"
}

// MarshalText returns the kernel's word, or "" for the zero value (no
// mode).
func (m THPMode) MarshalText() ([]byte, error) {
	if int(m) >= len(thpNames) {
		return nil, fmt.Errorf("hugepage: THP mode %d has no text: %w", uint8(m), fs.ErrInvalid)
	}
	return []byte(thpNames[m]), nil
}

// UnmarshalText reads the kernel's word, or "" as the zero value.
func (m *THPMode) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = 0
		return nil
	}
	v, err := ParseTHPMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseTHPMode parses a kernel word, "always", "defer+madvise".
func ParseTHPMode(s string) (THPMode, error) {
	for i, n := range thpNames[1:] {
		if s == n {
			return THPMode(i + 1), nil
		}
	}
	return 0, fmt.Errorf("invalid THP mode %q: %w", s, fs.ErrInvalid)
}

// THPKnob is the current mode of a knob and the modes it accepts.
type THPKnob struct {
	Mode    THPMode
	Choices []THPMode
}

// parseTHPKnob parses a knob file, "always [madvise] never\n": the words
// the file accepts, the current one in brackets.
func parseTHPKnob(b []byte) (THPKnob, error) {
	var k THPKnob
	for _, w := range bytes.Fields(parse.Trim(b)) {
		cur := false
		if len(w) > 2 && w[0] == '[' && w[len(w)-1] == ']' {
			w, cur = w[1:len(w)-1], true
		}
		m, err := ParseTHPMode(string(w))
		if err != nil {
			return THPKnob{}, err
		}
		if cur {
			if k.Mode != 0 {
				return THPKnob{}, fmt.Errorf("two current modes: %w", fs.ErrInvalid)
			}
			k.Mode = m
		}
		k.Choices = append(k.Choices, m)
	}
	if k.Mode == 0 {
		return THPKnob{}, fmt.Errorf("no current mode in %q: %w", b, fs.ErrInvalid)
	}
	return k, nil
}

// THP is the transparent huge page configuration.
type THP struct {
	Enabled      THPKnob // enabled: anonymous memory
	Defrag       THPKnob // defrag: how hard a fault tries for a huge page
	ShmemEnabled THPKnob // shmem_enabled: shmem and tmpfs (4.8); zero if absent
	// PMDSize is hpage_pmd_size (4.9): the PMD-level huge page size.
	PMDSize uint64
	// Sizes are the per-size (mTHP) knobs, smallest first (6.8).
	Sizes []MTHP
}

// MTHP is the configuration of one transparent huge page size (multi-
// size THP, Linux 6.8).
type MTHP struct {
	Size uint64
	// Enabled is hugepages-<size>kB/enabled; zero for a size only shmem
	// can use (the kernel offers some sizes to shmem only).
	Enabled      THPKnob
	ShmemEnabled THPKnob // hugepages-<size>kB/shmem_enabled (6.11); zero if absent
}

// minTHP is the first kernel with /sys/kernel/mm/transparent_hugepage.
var minTHP = kernel.Version{Major: 2, Minor: 6, Patch: 38}

// ReadTHP reads /sys/kernel/mm/transparent_hugepage (no privilege). On a
// kernel without CONFIG_TRANSPARENT_HUGEPAGE the error matches
// errors.ErrUnsupported.
func ReadTHP() (THP, error) { return Default().ReadTHP() }

// ReadTHP is the package-level ReadTHP for this FS.
func (fs FS) ReadTHP() (THP, error) {
	var t THP
	dir := fs.thpDir()
	knob := func(name string, k *THPKnob, optional bool) error {
		err := pseudofs.WithFile(dir+"/"+name, func(b []byte) error {
			var err error
			*k, err = parseTHPKnob(b)
			return err
		})
		if optional && errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("THP %s read: %w", name, err)
		}
		return nil
	}
	if err := knob("enabled", &t.Enabled, false); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = &kernel.FeatureError{Feature: "transparent huge pages", MinKernel: minTHP, Err: err}
		}
		return THP{}, err
	}
	if err := knob("defrag", &t.Defrag, false); err != nil {
		return THP{}, err
	}
	if err := knob("shmem_enabled", &t.ShmemEnabled, true); err != nil {
		return THP{}, err
	}
	err := pseudofs.WithFile(dir+"/hpage_pmd_size", func(b []byte) error {
		var err error
		t.PMDSize, err = parseCount(b)
		return err
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return THP{}, fmt.Errorf("THP hpage_pmd_size read: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return THP{}, fmt.Errorf("THP read: %w", err)
	}
	for _, e := range entries {
		size, ok := parseDirName(e.Name())
		if !ok {
			continue
		}
		m := MTHP{Size: size}
		if err := knob(e.Name()+"/enabled", &m.Enabled, true); err != nil {
			return THP{}, err
		}
		if err := knob(e.Name()+"/shmem_enabled", &m.ShmemEnabled, true); err != nil {
			return THP{}, err
		}
		t.Sizes = append(t.Sizes, m)
	}
	slices.SortFunc(t.Sizes, func(a, b MTHP) int { return cmp.Compare(a.Size, b.Size) })
	return t, nil
}

func (fs FS) thpDir() string { return fs.fs.SysPath("kernel", "mm", "transparent_hugepage") }

// SetTHPEnabled sets the system-wide THP mode of anonymous memory
// (/sys/kernel/mm/transparent_hugepage/enabled: always, madvise, never).
// A mode the file does not accept is an error naming it and the file's
// choices, before anything is written. Root only; system-wide until
// changed again or reboot.
func SetTHPEnabled(m THPMode) error { return Default().SetTHPEnabled(m) }

// SetTHPEnabled is the package-level SetTHPEnabled for this FS.
func (fs FS) SetTHPEnabled(m THPMode) error { return fs.setKnob("enabled", m) }

// SetTHPDefrag sets how hard a fault tries for a huge page (defrag:
// always, defer, defer+madvise, madvise, never). Root only; system-wide.
func SetTHPDefrag(m THPMode) error { return Default().SetTHPDefrag(m) }

// SetTHPDefrag is the package-level SetTHPDefrag for this FS.
func (fs FS) SetTHPDefrag(m THPMode) error { return fs.setKnob("defrag", m) }

// SetTHPShmemEnabled sets the shmem/tmpfs mode (shmem_enabled, 4.8:
// always, within_size, advise, never, deny, force). Root only;
// system-wide.
func SetTHPShmemEnabled(m THPMode) error { return Default().SetTHPShmemEnabled(m) }

// SetTHPShmemEnabled is the package-level SetTHPShmemEnabled for this FS.
func (fs FS) SetTHPShmemEnabled(m THPMode) error { return fs.setKnob("shmem_enabled", m) }

// SetMTHPEnabled sets the mode of anonymous memory for one transparent
// huge page size (hugepages-<size>kB/enabled, Linux 6.8: always,
// inherit, madvise, never). A size without the knob is an error naming
// its directory (fs.ErrNotExist). Root only; system-wide.
func SetMTHPEnabled(size uint64, m THPMode) error { return Default().SetMTHPEnabled(size, m) }

// SetMTHPEnabled is the package-level SetMTHPEnabled for this FS.
func (fs FS) SetMTHPEnabled(size uint64, m THPMode) error {
	return fs.setKnob(dirName(size)+"/enabled", m)
}

// SetMTHPShmemEnabled sets the shmem mode of one size
// (hugepages-<size>kB/shmem_enabled, Linux 6.11). Root only; system-wide.
func SetMTHPShmemEnabled(size uint64, m THPMode) error {
	return Default().SetMTHPShmemEnabled(size, m)
}

// SetMTHPShmemEnabled is the package-level SetMTHPShmemEnabled for this
// FS.
func (fs FS) SetMTHPShmemEnabled(size uint64, m THPMode) error {
	return fs.setKnob(dirName(size)+"/shmem_enabled", m)
}

// setKnob checks that the knob accepts m, writes it and reads it back.
func (fsys FS) setKnob(name string, m THPMode) error {
	path := fsys.thpDir() + "/" + name
	var k THPKnob
	err := pseudofs.WithFile(path, func(b []byte) error {
		var err error
		k, err = parseTHPKnob(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("THP %s set: %w", name, err)
	}
	if !slices.Contains(k.Choices, m) {
		words := make([]string, len(k.Choices))
		for i, c := range k.Choices {
			words[i] = c.String()
		}
		return fmt.Errorf("THP %s set: invalid mode %q (the file takes %s): %w", name, m, strings.Join(words, ", "), fs.ErrInvalid)
	}
	if err := writeText(path, m.String()); err != nil {
		return fmt.Errorf("THP %s set: %w", name, err)
	}
	return nil
}

// ProcessTHPDisabled reports whether transparent huge pages are disabled
// for the calling process, prctl(PR_GET_THP_DISABLE) (Linux 3.15).
func ProcessTHPDisabled() (bool, error) {
	v, err := sys.GetTHPDisable()
	if err != nil {
		return false, fmt.Errorf("THP disable read: %w", err)
	}
	return v, nil
}

// DisableProcessTHP disables transparent huge pages for the calling
// process, prctl(PR_SET_THP_DISABLE, 1) (Linux 3.15): the flag belongs
// to the whole process (every thread), is inherited by children over
// fork(2) and kept across execve(2). MADV_COLLAPSE still works.
func DisableProcessTHP() error {
	if err := sys.SetTHPDisable(1); err != nil {
		return fmt.Errorf("THP disable: %w", err)
	}
	return nil
}

// EnableProcessTHP clears what DisableProcessTHP set: the process
// follows the system-wide THP modes again.
func EnableProcessTHP() error {
	if err := sys.SetTHPDisable(0); err != nil {
		return fmt.Errorf("THP enable: %w", err)
	}
	return nil
}
