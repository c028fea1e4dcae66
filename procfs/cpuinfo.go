package procfs

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/lxgo/lx/internal/parse"
)

// CPUInfo is one processor's block of /proc/cpuinfo (proc(5)). The file's
// format is architecture specific: x86 fills the Intel/AMD fields, arm64
// the CPU* identification registers. Fields the architecture does not
// print stay zero. Lines lx does not know are ignored. Other architectures
// (powerpc, s390, riscv) yield Processor and whatever common fields they
// print.
type CPUInfo struct {
	Processor int // logical CPU number ("processor")

	// x86
	VendorID   string  // "vendor_id", e.g. "GenuineIntel", "AuthenticAMD"
	ModelName  string  // "model name" (also on 32-bit arm)
	CPUFamily  int     // "cpu family"
	Model      int     // "model"
	Stepping   int     // "stepping"; 0 when the kernel prints "unknown"
	Microcode  uint64  // "microcode" revision
	MHz        float64 // "cpu MHz": the current (or last measured) frequency
	CacheSize  uint64  // "cache size" in bytes (the file prints KB)
	PhysicalID int     // "physical id": the package (socket)
	Siblings   int     // "siblings": logical CPUs in the package
	CoreID     int     // "core id"
	CPUCores   int     // "cpu cores": cores in the package
	APICID     int     // "apicid"

	// arm64 (and 32-bit arm): the MIDR_EL1 fields
	CPUImplementer  uint64 // "CPU implementer", e.g. 0x41 (Arm), 0x61 (Apple)
	CPUArchitecture int    // "CPU architecture" (8 on arm64)
	CPUVariant      uint64 // "CPU variant"
	CPUPart         uint64 // "CPU part", e.g. 0xd0c (Neoverse N1)
	CPURevision     int    // "CPU revision"

	// Flags are the CPU features: x86 "flags", arm "Features", riscv "isa"
	// extensions are not split. CPUs with identical flags share the slice.
	Flags CPUFlags
	// Bogomips is "bogomips" (x86) or "BogoMIPS" (arm).
	Bogomips float64
}

// CPUFlags is the feature list of a CPU, in the kernel's order.
type CPUFlags []string

// Has reports whether flag (e.g. "avx2", "sse4_2", "atomics") is present.
func (f CPUFlags) Has(flag string) bool { return slices.Contains(f, flag) }

// String returns the flags separated by spaces, as the kernel prints them.
func (f CPUFlags) String() string { return strings.Join(f, " ") }

// CPUInfo reads /proc/cpuinfo: one CPUInfo per online CPU. Any user can
// read it. On x86 the read is slow (milliseconds on large machines): the
// kernel queries every CPU's frequency with an IPI.
func (fs FS) CPUInfo() ([]CPUInfo, error) {
	var cpus []CPUInfo
	var perr error
	err := fs.readFile("cpuinfo", func(b []byte) error {
		cpus, perr = parseCPUInfo(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cpuinfo read: %w", err)
	}
	return cpus, perr
}

// parseCPUInfo parses the contents of /proc/cpuinfo. Each "processor" line
// starts a CPU; lines before the first one (32-bit arm's "Processor" model
// line) are skipped, as are lines lx does not know. Old arm64 kernels
// (before 3.19) print all "processor" lines first and one shared block
// after them; that block is given to every CPU.
func parseCPUInfo(b []byte) ([]CPUInfo, error) {
	var cpus []CPUInfo
	var c *CPUInfo
	fields := 0            // fields of the current CPU
	earlierFields := false // an earlier CPU had fields of its own
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		key, val, ok := parse.KeyValue(line, ':')
		if !ok {
			continue // the blank line between CPUs
		}
		if string(key) == "processor" {
			p, err := parseCount(val)
			if err != nil {
				return nil, fmt.Errorf("cpuinfo parse: line %d: processor: %w", n, err)
			}
			earlierFields = earlierFields || fields > 0
			fields = 0
			cpus = append(cpus, CPUInfo{Processor: p})
			c = &cpus[len(cpus)-1]
			continue
		}
		if c == nil {
			continue
		}
		var prev *CPUInfo
		if len(cpus) > 1 {
			prev = &cpus[len(cpus)-2]
		}
		known, err := c.set(key, val, prev)
		if err != nil {
			return nil, fmt.Errorf("cpuinfo parse: line %d: %s: %w", n, key, err)
		}
		if known {
			fields++
		}
	}
	if !earlierFields && fields > 0 && len(cpus) > 1 {
		shared := cpus[len(cpus)-1]
		for i := range cpus[:len(cpus)-1] {
			p := cpus[i].Processor
			cpus[i] = shared
			cpus[i].Processor = p
		}
	}
	return cpus, nil
}

// set stores one "key : value" line. prev is the previous CPU, whose
// strings are shared when equal, so a 128-CPU machine does not hold 128
// copies of its flag list.
func (c *CPUInfo) set(key, val []byte, prev *CPUInfo) (known bool, err error) {
	known = true
	switch string(key) {
	case "vendor_id":
		c.VendorID = cpuinfoShare(val, prev, func(p *CPUInfo) string { return p.VendorID })
	case "model name":
		c.ModelName = cpuinfoShare(val, prev, func(p *CPUInfo) string { return p.ModelName })
	case "cpu family":
		c.CPUFamily, err = parseCount(val)
	case "model":
		c.Model, err = parseCount(val)
	case "stepping":
		if string(val) != "unknown" {
			c.Stepping, err = parseCount(val)
		}
	case "microcode":
		c.Microcode, err = parseHex0x(val)
	case "cpu MHz":
		c.MHz, err = parseFloat(val)
	case "cache size":
		c.CacheSize, err = parseCacheSize(val)
	case "physical id":
		c.PhysicalID, err = parseCount(val)
	case "siblings":
		c.Siblings, err = parseCount(val)
	case "core id":
		c.CoreID, err = parseCount(val)
	case "cpu cores":
		c.CPUCores, err = parseCount(val)
	case "apicid":
		c.APICID, err = parseCount(val)
	case "flags", "Features":
		c.Flags = cpuinfoFlags(val, prev)
	case "bogomips", "BogoMIPS":
		c.Bogomips, err = parseFloat(val)
	case "CPU implementer":
		c.CPUImplementer, err = parseHex0x(val)
	case "CPU architecture":
		// 32-bit arm prints "7", old kernels "AArch64".
		if string(val) == "AArch64" {
			c.CPUArchitecture = 8
		} else {
			c.CPUArchitecture, err = parseCount(val)
		}
	case "CPU variant":
		c.CPUVariant, err = parseHex0x(val)
	case "CPU part":
		c.CPUPart, err = parseHex0x(val)
	case "CPU revision":
		c.CPURevision, err = parseCount(val)
	default:
		known = false
	}
	return known, err
}

// cpuinfoShare returns prev's string when it equals val, else a new string.
func cpuinfoShare(val []byte, prev *CPUInfo, get func(*CPUInfo) string) string {
	if prev != nil {
		if s := get(prev); s == string(val) {
			return s
		}
	}
	return string(val)
}

// cpuinfoFlags splits a flag list, reusing prev's slice when identical.
func cpuinfoFlags(val []byte, prev *CPUInfo) CPUFlags {
	if prev != nil && cpuinfoFlagsEqual(prev.Flags, val) {
		return prev.Flags
	}
	var f CPUFlags
	for {
		var w []byte
		w, val = parse.Field(val)
		if len(w) == 0 {
			return f
		}
		f = append(f, string(w))
	}
}

// cpuinfoFlagsEqual reports whether f is the space-separated list val.
func cpuinfoFlagsEqual(f CPUFlags, val []byte) bool {
	for _, s := range f {
		var w []byte
		w, val = parse.Field(val)
		if s != string(w) {
			return false
		}
	}
	w, _ := parse.Field(val)
	return len(w) == 0
}

// parseHex0x parses "0x1000065" (the prefix is optional).
func parseHex0x(b []byte) (uint64, error) {
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		b = b[2:]
	}
	return parse.Hex(b)
}

// parseCacheSize parses x86's "512 KB" (also "kB" and "MB").
func parseCacheSize(b []byte) (uint64, error) {
	num, unit, _ := bytes.Cut(b, []byte{' '})
	v, err := parse.Uint(num)
	if err != nil {
		return 0, err
	}
	var shift int
	switch string(parse.Trim(unit)) {
	case "KB", "kB", "K":
		shift = 10
	case "MB", "M":
		shift = 20
	default:
		return 0, fmt.Errorf("unknown unit %q", unit)
	}
	if v > (1<<64-1)>>shift {
		return 0, fmt.Errorf("cache size %q out of range", b)
	}
	return v << shift, nil
}
