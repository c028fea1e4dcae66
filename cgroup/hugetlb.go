package cgroup

import (
	"fmt"
	"io/fs"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
)

// The hugetlb controller's files, hugetlb.<size>.* (cgroup-v2.rst
// "HugeTLB", Linux 5.6 for cgroup v2), one set per huge page size the
// kernel has, named as the kernel names the size: "2MB", "1GB", "64KB".
// They exist in non-root cgroups whose parent enabled "hugetlb". Amounts
// are bytes; a limit is rounded down to whole huge pages, and the setters
// return what the kernel stored.

// hugeSizeName returns the kernel's name of a huge page size (mem_fmt in
// mm/hugetlb_cgroup.c): whole GB, else whole MB, else KB.
func hugeSizeName(size uint64) string {
	switch {
	case size >= 1<<30:
		return strconv.FormatUint(size>>30, 10) + "GB"
	case size >= 1<<20:
		return strconv.FormatUint(size>>20, 10) + "MB"
	}
	return strconv.FormatUint(size>>10, 10) + "KB"
}

// parseHugeSizeName is the inverse of hugeSizeName.
func parseHugeSizeName(s string) (uint64, bool) {
	for _, u := range [...]struct {
		suffix string
		shift  uint
	}{{"GB", 30}, {"MB", 20}, {"KB", 10}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := parse.Uint([]byte(n))
			if err != nil || v == 0 || v > (1<<64-1)>>u.shift {
				return 0, false
			}
			return v << u.shift, true
		}
	}
	return 0, false
}

// checkHugeSize checks a huge page size given by a caller: a power of two
// of at least 64 KiB (the smallest huge page of any architecture).
func checkHugeSize(size uint64) error {
	if size < 64<<10 || bits.OnesCount64(size) != 1 {
		return fmt.Errorf("huge page size %d: want a power of two of at least 64 KiB: %w", size, fs.ErrInvalid)
	}
	return nil
}

// HugeTLBSizes returns the huge page sizes, in bytes and ascending, that
// the cgroup has hugetlb files for.
func (c *Cgroup) HugeTLBSizes() ([]uint64, error) {
	fd, err := c.openFile(".", sys.O_RDONLY|sys.O_DIRECTORY)
	if err != nil {
		return nil, fmt.Errorf("cgroup hugetlb sizes read: %w", err)
	}
	f := sys.NewFD(fd).File(c.dir)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("cgroup hugetlb sizes read: %w", err)
	}
	var sizes []uint64
	for _, name := range names {
		mid, ok := strings.CutPrefix(name, "hugetlb.")
		if !ok {
			continue
		}
		mid, ok = strings.CutSuffix(mid, ".max")
		if !ok || strings.Contains(mid, ".") {
			continue // not hugetlb.<size>.max (rsvd.max, events...)
		}
		if size, ok := parseHugeSizeName(mid); ok {
			sizes = append(sizes, size)
		}
	}
	slices.Sort(sizes)
	return sizes, nil
}

// hugeFile returns the name of hugetlb.<size>.<what>.
func hugeFile(size uint64, what string) (string, error) {
	if err := checkHugeSize(size); err != nil {
		return "", fmt.Errorf("cgroup hugetlb.*.%s: %w", what, err)
	}
	return "hugetlb." + hugeSizeName(size) + "." + what, nil
}

// HugeTLBMax reads hugetlb.<size>.max: the limit of huge pages of size
// bytes that the cgroup may use (fault in), in bytes. Unlimited by
// default; some kernels (6.18) print a new cgroup's default as the number
// 9223372036854771712, the page counter's largest value in bytes, rather
// than "max" (which they print once "max" is written): lx reads that
// number, and any above it, as Unlimited.
func (c *Cgroup) HugeTLBMax(size uint64) (Max, error) {
	name, err := hugeFile(size, "max")
	if err != nil {
		return 0, err
	}
	return c.readPageCounter(name)
}

// SetHugeTLBMax writes hugetlb.<size>.max and returns what the kernel
// stored (the limit rounded down to whole pages). A fault beyond it gets
// SIGBUS.
func (c *Cgroup) SetHugeTLBMax(size uint64, m Max) (Max, error) {
	name, err := hugeFile(size, "max")
	if err != nil {
		return 0, err
	}
	if err := c.writeMax(name, m); err != nil {
		return 0, err
	}
	return c.readPageCounter(name)
}

// HugeTLBRsvdMax reads hugetlb.<size>.rsvd.max (Linux 5.7): the limit of
// huge pages the cgroup may reserve (mmap), in bytes. Its default is read
// as HugeTLBMax's is.
func (c *Cgroup) HugeTLBRsvdMax(size uint64) (Max, error) {
	name, err := hugeFile(size, "rsvd.max")
	if err != nil {
		return 0, err
	}
	return c.readPageCounter(name)
}

// SetHugeTLBRsvdMax writes hugetlb.<size>.rsvd.max and returns what the
// kernel stored. An mmap beyond it fails with ENOMEM, instead of a
// SIGBUS later.
func (c *Cgroup) SetHugeTLBRsvdMax(size uint64, m Max) (Max, error) {
	name, err := hugeFile(size, "rsvd.max")
	if err != nil {
		return 0, err
	}
	if err := c.writeMax(name, m); err != nil {
		return 0, err
	}
	return c.readPageCounter(name)
}

// readPageCounter reads a limit kept in a page counter, whose largest
// value (PAGE_COUNTER_MAX pages, in bytes) means no limit.
func (c *Cgroup) readPageCounter(name string) (Max, error) {
	v, err := readFile(c, name, parsePageCounterLine)
	if err != nil {
		return 0, fmt.Errorf("cgroup %s read: %w", name, err)
	}
	return v, nil
}

// parsePageCounterLine parses "max", or bytes where PAGE_COUNTER_MAX
// pages and more are Unlimited.
func parsePageCounterLine(b []byte) (Max, error) {
	v, err := parseMaxLine(b)
	if err == nil && v >= Max(pageCounterMax) {
		v = Unlimited
	}
	return v, err
}

// HugeTLBCurrent reads hugetlb.<size>.current: bytes of huge pages in use.
func (c *Cgroup) HugeTLBCurrent(size uint64) (uint64, error) {
	name, err := hugeFile(size, "current")
	if err != nil {
		return 0, err
	}
	return c.readUint(name)
}

// HugeTLBRsvdCurrent reads hugetlb.<size>.rsvd.current (Linux 5.7):
// bytes of huge pages reserved.
func (c *Cgroup) HugeTLBRsvdCurrent(size uint64) (uint64, error) {
	name, err := hugeFile(size, "rsvd.current")
	if err != nil {
		return 0, err
	}
	return c.readUint(name)
}

// HugeTLBEvents reads hugetlb.<size>.events: how often an allocation
// failed because of hugetlb.<size>.max (its "max" key), in the cgroup and
// its descendants.
func (c *Cgroup) HugeTLBEvents(size uint64) (uint64, error) {
	return c.hugeEvents(size, "events")
}

// HugeTLBEventsLocal reads hugetlb.<size>.events.local: HugeTLBEvents
// for the cgroup alone.
func (c *Cgroup) HugeTLBEventsLocal(size uint64) (uint64, error) {
	return c.hugeEvents(size, "events.local")
}

func (c *Cgroup) hugeEvents(size uint64, what string) (uint64, error) {
	name, err := hugeFile(size, what)
	if err != nil {
		return 0, err
	}
	v, err := readFile(c, name, parseHugeEvents)
	if err != nil {
		return 0, fmt.Errorf("cgroup %s read: %w", name, err)
	}
	return v, nil
}

func parseHugeEvents(b []byte) (uint64, error) {
	var max uint64
	err := eachKeyValue(b, func(key []byte, v uint64) error {
		if string(key) == "max" {
			max = v
		}
		return nil
	})
	return max, err
}
