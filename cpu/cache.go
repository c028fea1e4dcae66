package cpu

import (
	"errors"
	"io/fs"
	"strconv"

	"github.com/lxgo/lx/cpuset"
)

// Cache is one CPU cache as /sys/devices/system/cpu/cpuN/cache/indexM
// describes it (Documentation/ABI/testing/sysfs-devices-system-cpu,
// drivers/base/cacheinfo.c). Files the architecture does not provide
// leave their field zero (arm64 machines often lack size, ways and sets),
// except ID, which is -1.
type Cache struct {
	Level int       // level: 1, 2, 3, ...
	Type  CacheType // type: Data, Instruction or Unified
	// ID is the cache's id (Linux 4.10), unique among the caches of one
	// level and type; -1 where the kernel has none.
	ID       int
	Size     uint64 // size in bytes (the file says "48K")
	LineSize int    // coherency_line_size in bytes
	Ways     int    // ways_of_associativity
	Sets     int    // number_of_sets
	// CPUs are the online CPUs sharing the cache (shared_cpu_list).
	CPUs cpuset.Set
}

// Name is lscpu's name for the cache: "L" and the level, with "d" for a
// data and "i" for an instruction cache: L1d, L1i, L2, L3.
func (c Cache) Name() string {
	name := "L" + strconv.Itoa(c.Level)
	switch c.Type {
	case CacheData:
		name += "d"
	case CacheInstruction:
		name += "i"
	}
	return name
}

// CacheType is the kind of a cache, as the kernel names it in the type
// file. Its text form is the kernel's word; a word lx does not know is
// kept as it is.
type CacheType string

// The kernel's cache types (cache_type_show).
const (
	CacheData        CacheType = "Data"
	CacheInstruction CacheType = "Instruction"
	CacheUnified     CacheType = "Unified"
)

// String returns the kernel's word.
func (t CacheType) String() string { return string(t) }

// MarshalText returns the kernel's word.
func (t CacheType) MarshalText() ([]byte, error) { return []byte(t), nil }

// UnmarshalText accepts what ParseCacheType accepts.
func (t *CacheType) UnmarshalText(b []byte) error {
	v, err := ParseCacheType(b)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseCacheType parses the text of a cache's type file, with or without
// its newline. Any non-empty word without white space or control
// characters is accepted, so that a type newer than lx is kept; the
// kernel's three words are returned without allocating.
func ParseCacheType[T ~string | ~[]byte](text T) (CacheType, error) {
	b := value([]byte(text))
	switch string(b) {
	case "Data":
		return CacheData, nil
	case "Instruction":
		return CacheInstruction, nil
	case "Unified":
		return CacheUnified, nil
	}
	if len(b) == 0 {
		return "", &invalidError{errors.New("empty cache type")}
	}
	for _, c := range b {
		if c <= ' ' || c == 0x7f {
			return "", &invalidError{errors.New("cache type " + strconv.Quote(string(b)) + " holds white space or a control character")}
		}
	}
	return CacheType(b), nil
}

// readCaches reads the caches of the online CPUs. A cache is read once,
// from the first CPU that has it; every CPU of its shared_cpu_list gets
// it at the same index M.
func readCaches(r *sysReader, t *Topology, at []int32) error {
	// seen[M][c] is the cache at cpuc/cache/indexM, plus one.
	var seen [][]int32
	for i := range t.CPUs {
		cpu := &t.CPUs[i]
		if !cpu.Online {
			continue
		}
		for m := 0; ; m++ {
			if m < len(seen) && seen[m][cpu.CPU] != 0 {
				idx := int(seen[m][cpu.CPU] - 1)
				same, err := sameCacheID(r, cpu.CPU, m, t.Caches[idx].ID)
				if err != nil {
					return err
				}
				if same {
					cpu.Caches = append(cpu.Caches, idx)
					continue
				}
				// The first CPU's shared_cpu_list names this one, but
				// this CPU's id file says another cache (qemu's guests
				// with one core per socket do): the ids win, as they
				// name the hardware cache.
			}
			c, err := readCache(r, cpu.CPU, m)
			if errors.Is(err, fs.ErrNotExist) {
				break // no more caches, or none at all
			}
			if err != nil {
				return err
			}
			idx := len(t.Caches)
			t.Caches = append(t.Caches, c)
			cpu.Caches = append(cpu.Caches, idx)
			for m >= len(seen) {
				seen = append(seen, make([]int32, len(at)))
			}
			for s := range c.CPUs.All() {
				if s < len(at) && at[s] != 0 {
					seen[m][s] = int32(idx) + 1
				}
			}
		}
	}
	return nil
}

// sameCacheID reports whether cpuN/cache/indexM has the id id, or no id
// file to compare: the cache another CPU's shared_cpu_list gave it.
func sameCacheID(r *sysReader, cpu, m, id int) (bool, error) {
	b, err := r.reset().s("cpu").i(cpu).s("/cache/index").i(m).s("/id").read()
	if errors.Is(err, fs.ErrNotExist) || id < 0 {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	got, err := parseID(b)
	if err != nil {
		return false, parseErr(r.name(), err)
	}
	return got == id, nil
}

// readCache reads cpuN/cache/indexM. A missing level file (no such index)
// is an error matching fs.ErrNotExist; the other files are optional.
func readCache(r *sysReader, cpu, m int) (Cache, error) {
	dir := func(name string) *sysReader {
		return r.reset().s("cpu").i(cpu).s("/cache/index").i(m).s("/").s(name)
	}
	c := Cache{ID: -1}
	b, err := dir("level").read()
	if err != nil {
		return Cache{}, err
	}
	if c.Level, err = parseCount(b); err != nil {
		return Cache{}, parseErr(r.name(), err)
	}
	for _, f := range [...]struct {
		name  string
		parse func(b []byte) error
	}{
		{"type", func(b []byte) (err error) { c.Type, err = ParseCacheType(b); return err }},
		{"id", func(b []byte) (err error) { c.ID, err = parseID(b); return err }},
		{"size", func(b []byte) (err error) { c.Size, err = parseCacheSize(b); return err }},
		{"coherency_line_size", func(b []byte) (err error) { c.LineSize, err = parseCount(b); return err }},
		{"ways_of_associativity", func(b []byte) (err error) { c.Ways, err = parseCount(b); return err }},
		{"number_of_sets", func(b []byte) (err error) { c.Sets, err = parseCount(b); return err }},
		{"shared_cpu_list", func(b []byte) (err error) { c.CPUs, err = cpuset.ParseBytes(b); return err }},
	} {
		b, err := dir(f.name).read()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Cache{}, err
		}
		if err := f.parse(b); err != nil {
			return Cache{}, parseErr(r.name(), err)
		}
	}
	if c.CPUs.IsEmpty() {
		c.CPUs = cpuset.Of(cpu)
	}
	return c, nil
}
