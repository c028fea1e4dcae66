package hugepage

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// errNoDefaultSize is the parse result for a meminfo without Hugepagesize:
// the kernel has no hugetlb support.
var errNoDefaultSize = errors.New("no Hugepagesize line in meminfo")

// DefaultSize returns the default huge page size in bytes: the page size
// of MAP_HUGETLB and SHM_HUGETLB mappings and of hugetlbfs mounts without
// pagesize=, and the pool /proc/sys/vm/nr_hugepages resizes. It is chosen
// at boot (default_hugepagesz=) and read from the Hugepagesize line of
// /proc/meminfo (no privilege). On a kernel without hugetlb support the
// error matches errors.ErrUnsupported.
func DefaultSize() (uint64, error) { return Default().DefaultSize() }

// DefaultSize is the package-level DefaultSize for this FS.
func (fs FS) DefaultSize() (uint64, error) {
	var size uint64
	err := pseudofs.WithFile(fs.fs.ProcPath("meminfo"), func(b []byte) error {
		var err error
		size, err = parseDefaultSize(b)
		return err
	})
	if errors.Is(err, errNoDefaultSize) {
		err = &kernel.FeatureError{Feature: "hugetlb pages", MinKernel: minKernel, Err: err}
	}
	if err != nil {
		return 0, fmt.Errorf("hugepage default size read: %w", err)
	}
	return size, nil
}

// parseDefaultSize finds "Hugepagesize: 2048 kB" in /proc/meminfo and
// returns the size in bytes. It returns errNoDefaultSize when the line is
// missing and a *strconv.NumError when its value is malformed.
func parseDefaultSize(b []byte) (uint64, error) {
	for len(b) > 0 {
		var line []byte
		line, b = parse.Line(b)
		key, value, ok := parse.KeyValue(line, ':')
		if !ok || !bytes.Equal(key, hugepagesize) {
			continue
		}
		return parse.KB(value)
	}
	return 0, errNoDefaultSize
}

var hugepagesize = []byte("Hugepagesize")
