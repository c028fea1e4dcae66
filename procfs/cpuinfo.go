package procfs

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CPUInfo is one logical CPU of /proc/cpuinfo (proc(5)).
//
// The file's format is each architecture's own (show_cpuinfo or c_show in
// arch/*/kernel/), so it is parsed by architecture, and the architecture is
// detected from the content (Arch), never from the running machine: a
// capture from another machine parses the same way. Understood layouts:
//
//   - x86 (arch/x86/kernel/cpu/proc.c): one block per CPU.
//   - arm64 (arch/arm64/kernel/cpuinfo.c): one block per CPU; before 3.19
//     a "Processor" model line, the "processor" lines, then one block for
//     all CPUs.
//   - arm (arch/arm/kernel/setup.c): since 3.8 one block per CPU with
//     "model name"; before, a "Processor" model line, per CPU only
//     "processor" and "BogoMIPS", then one Features/CPU ... block for all
//     CPUs. Without CONFIG_SMP the old layout prints no "processor" line
//     at all: that file yields one CPU, number 0.
//   - powerpc (arch/powerpc/kernel/setup-common.c): one block per CPU,
//     then a trailer (timebase, platform, model, machine, ...).
//   - s390 (arch/s390/kernel/processor.c): a header (vendor_id, features,
//     caches, "processor N: version = ..." lines), then one "cpu number"
//     block per CPU on newer kernels; older kernels print only the header,
//     and its "processor N" lines give the CPUs.
//   - riscv (arch/riscv/kernel/cpu.c), mips (arch/mips/kernel/proc.c) and
//     loongarch (arch/loongarch/kernel/proc.c): one block per CPU; mips and
//     loongarch print "system type" (mips also "machine") once, first.
//
// Lines printed once for all CPUs (a header, a trailer, or old arm's shared
// block) are applied to every CPU: their typed values are set on each CPU
// (a CPU's own line wins over a shared one of the same name) and the lines
// themselves are in Shared, the same slice for every CPU. Typed fields the
// architecture does not print stay zero; a key means the same thing only
// within one architecture (powerpc's "model" is a machine name, x86's a
// number), so numbers are parsed only where the kernel prints a number.
// Lines lx has no field for (and files of other architectures, whose CPUs
// are found by their "processor" lines) are kept: every non-blank line is
// in exactly one CPU's Fields or in Shared, with its exact bytes.
type CPUInfo struct {
	// Processor is the logical CPU number: "processor" (s390: "cpu
	// number", or the N of the header's "processor N" lines).
	Processor int
	// Arch is the layout the file was read as.
	Arch CPUInfoArch

	// ModelName names the processor model: "model name" (x86, arm,
	// arm64 for 32-bit tasks), the "Processor" line (old arm and arm64),
	// "cpu" (powerpc), "uarch" (riscv), "cpu model" (mips), "Model Name"
	// (loongarch).
	ModelName string
	// VendorID is "vendor_id" (x86, e.g. "GenuineIntel"; s390: "IBM/S390").
	VendorID string
	// Flags are the CPU features in the kernel's order: "flags" (x86),
	// "Features" (arm, arm64, loongarch), "features" (s390), "ASEs
	// implemented" (mips). riscv's "isa" string is in RISCV. CPUs with
	// identical lists share the slice.
	Flags CPUFlags
	// Bogomips is "bogomips" (x86, 32-bit powerpc), "BogoMIPS" (arm, arm64,
	// mips, loongarch) or "bogomips per cpu" (s390).
	Bogomips float64
	// MHz is the clock: "cpu MHz" (x86: the current or last measured
	// frequency), "clock" (powerpc), "cpu MHz dynamic" (s390), "CPU MHz"
	// (loongarch).
	MHz float64
	// PhysicalID is the package (socket): "physical id" (x86, s390),
	// "package" (mips, loongarch).
	PhysicalID int
	// CoreID is "core id" (x86, s390) or "core" (mips, loongarch).
	CoreID int
	// Siblings is "siblings" (x86, s390): logical CPUs in the package.
	Siblings int
	// CPUCores is "cpu cores" (x86, s390): cores in the package.
	CPUCores int

	// x86
	CPUFamily int    // "cpu family"
	Model     int    // "model"
	Stepping  int    // "stepping"; 0 when the kernel prints "unknown"
	Microcode uint64 // "microcode" revision
	CacheSize uint64 // "cache size" in bytes (the file prints KB)
	APICID    int    // "apicid"

	// arm and arm64: the MIDR fields.
	CPUImplementer  uint64 // "CPU implementer", e.g. 0x41 (Arm), 0x61 (Apple)
	CPUArchitecture int    // "CPU architecture": 8 on arm64 ("AArch64" before 3.19); arm's number without its suffix ("5TEJ" is 5)
	CPUVariant      uint64 // "CPU variant"
	CPUPart         uint64 // "CPU part", e.g. 0xd0c (Neoverse N1)
	CPURevision     int    // "CPU revision"

	PowerPC   CPUInfoPowerPC   // powerpc only
	S390      CPUInfoS390      // s390 only
	RISCV     CPUInfoRISCV     // riscv only
	MIPS      CPUInfoMIPS      // mips only
	LoongArch CPUInfoLoongArch // loongarch only

	// Fields are the lines of this CPU's own block, in file order.
	Fields []CPUInfoField
	// Shared are the lines printed once for all CPUs, in file order. All
	// CPUs of one file share this slice.
	Shared []CPUInfoField
}

// CPUInfoPowerPC is what powerpc prints (arch/powerpc/kernel/setup-common.c).
// Revision and PVR are per CPU; the rest comes from the trailer printed
// after the last CPU, and so is the same on every CPU.
type CPUInfoPowerPC struct {
	Revision string // "revision" without the PVR part, e.g. "2.2"
	PVR      uint32 // the processor version register, from "revision"'s "(pvr 004e 1202)"
	Timebase uint64 // "timebase": the time base frequency in Hz
	Platform string // "platform", e.g. "pSeries", "PowerNV", "PowerMac"
	Model    string // "model": the machine's device-tree model, e.g. "IBM,9009-22A"
	Machine  string // "machine" (pseries, powernv, pmac), e.g. "CHRP IBM,9009-22A"
	MMU      string // "MMU" (pseries, powernv): "Radix" or "Hash"
}

// CPUInfoS390 is what s390 prints (arch/s390/kernel/processor.c). The
// header's fields (Processors, MaxThreadID) are the same on every CPU.
// Version, Identification and Machine come from the header's "processor N:
// version = ..." line or the CPU's own block; the topology fields only from
// the CPU's block (CONFIG_SCHED_TOPOLOGY kernels that print per-CPU blocks).
type CPUInfoS390 struct {
	Processors     int     // "# processors": online CPUs
	MaxThreadID    int     // "max thread id": SMT threads per core minus one
	Version        uint8   // "version" (hex in the file)
	Identification uint32  // "identification" (hex in the file)
	Machine        uint16  // "machine": the machine type, printed in hex (0x3931 prints as 3931: z16)
	BookID         int     // "book id"
	DrawerID       int     // "drawer id"
	Dedicated      bool    // "dedicated": the CPU is not shared with other guests
	Address        int     // "address": the CPU address
	MHzStatic      float64 // "cpu MHz static" (the dynamic clock is MHz)
}

// CPUInfoRISCV is what riscv prints (arch/riscv/kernel/cpu.c).
type CPUInfoRISCV struct {
	Hart      uint64 // "hart": the hart ID
	ISA       string // "isa": the extensions all harts have, e.g. "rv64imafdc_zicsr_zifencei"
	HartISA   string // "hart isa" (newer kernels): this hart's extensions
	MMU       string // "mmu": "sv39", "sv48", "sv57"
	MVendorID uint64 // "mvendorid" (newer kernels)
	MArchID   uint64 // "marchid"
	MImpID    uint64 // "mimpid"
}

// CPUInfoMIPS is what mips prints (arch/mips/kernel/proc.c). SystemType and
// Machine are printed once, before the first CPU.
type CPUInfoMIPS struct {
	SystemType string   // "system type", e.g. "MediaTek MT7621 ver:1 eco:3"
	Machine    string   // "machine" (device-tree boards)
	ISA        CPUFlags // "isa", e.g. mips1 mips2 mips32r1 mips32r2
	Options    CPUFlags // "Options implemented" (newer kernels)
	TLBEntries int      // "tlb_entries"
}

// CPUInfoLoongArch is what loongarch prints (arch/loongarch/kernel/proc.c).
// SystemType is printed once, before the first CPU.
type CPUInfoLoongArch struct {
	SystemType  string   // "system type"
	CPUFamily   string   // "CPU Family", e.g. "Loongson-64bit"
	GlobalID    int      // "global_id" (newer kernels)
	CPURevision uint8    // "CPU Revision"
	FPURevision uint8    // "FPU Revision"
	TLBEntries  int      // "TLB Entries"
	ISA         CPUFlags // "ISA", e.g. loongarch32r loongarch32s loongarch64
}

// CPUInfoField is one "key : value" line of /proc/cpuinfo. Key and Value
// are the bytes before and after the first ':', without the spaces and
// tabs around them; a line without ':' has an empty Key and the line as
// Value.
type CPUInfoField struct {
	Line  int // 1-based line number in the file
	Key   string
	Value string
}

// Field returns the value of the line named key: the CPU's own line if it
// has one, else the first shared line of that name. ok is false when the
// kernel printed no such line.
func (c *CPUInfo) Field(key string) (value string, ok bool) {
	for _, f := range c.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	for _, f := range c.Shared {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// CPUFlags is a feature list of a CPU, in the kernel's order.
type CPUFlags []string

// Has reports whether flag (e.g. "avx2", "sse4_2", "atomics") is present.
func (f CPUFlags) Has(flag string) bool { return slices.Contains(f, flag) }

// String returns the flags separated by spaces, as the kernel prints them.
func (f CPUFlags) String() string { return strings.Join(f, " ") }

// CPUInfo reads /proc/cpuinfo: one CPUInfo per online CPU, in the kernel's
// order. Any user can read it. A file from which no CPU can be read is an
// error, never an empty list. On x86 the read is slow (milliseconds on
// large machines): the kernel queries every CPU's frequency with an IPI.
func (fs FS) CPUInfo() ([]CPUInfo, error) { return readFS(fs, "cpuinfo", parseCPUInfo) }

// errNoCPU is the error for a file that names no CPU.
var errNoCPU = errors.New("no CPU found")

// parseCPUInfo parses the contents of /proc/cpuinfo.
//
// It copies b into one string once: every string it returns (values,
// flags, fields) is a substring of that copy, so a file costs a handful of
// allocations however many lines it has.
//
// The first pass puts every non-blank line either into a CPU's own block
// (from the line that starts the CPU to the next blank line) or into the
// shared lines; the second parses the shared lines into a template CPU;
// the third gives each CPU the template and then its own lines.
func parseCPUInfo(b []byte) ([]CPUInfo, error) {
	s := string(b)
	arch := detectCPUInfoArch(s)

	// One array holds every line: own lines fill it from the front (each
	// CPU's are contiguous), shared lines from the back, reversed at the end.
	fields := make([]CPUInfoField, strings.Count(s, "\n")+1)
	nOwn, sharedAt := 0, len(fields)
	// The CPUs' numbers and own lines, on the stack for up to 64 CPUs, so
	// that the CPUs themselves are allocated once, at their final count.
	var buf [64]cpuinfoBlock
	blocks := buf[:0]
	in := false     // inside the current CPU's block
	armOld := false // arm's layout before 3.8 (arm64's before 3.19)
	for n, rest := 1, s; len(rest) > 0; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		key, val, colon := cpuinfoSplit(line)
		if !colon && val == "" {
			in = false // the blank line that ends a block
			continue
		}
		f := CPUInfoField{Line: n, Key: key, Value: val}
		if arch.startsCPU(key, val) {
			p, err := cpuinfoCount(val)
			if err != nil {
				return nil, parseErr(n, key, err)
			}
			if k := len(blocks); k > 0 {
				if last := blocks[k-1].processor; p <= last {
					return nil, parseErr(n, key, fmt.Errorf("CPU %d after CPU %d", p, last))
				}
			}
			blocks = append(blocks, cpuinfoBlock{processor: p, start: nOwn})
			in = true
		} else if arch == CPUInfoArchARM || arch == CPUInfoArchARM64 {
			if key == "Processor" {
				armOld = true // the model line; a numeric one started a CPU above
			}
			// In the old layout a CPU's block has only "processor" and
			// "BogoMIPS"; arm64 before 3.19 has no blank line after its
			// "processor" lines, so the shared block follows the last one.
			in = in && !(armOld && key != "BogoMIPS")
		}
		if in {
			fields[nOwn] = f
			nOwn++
			blocks[len(blocks)-1].end = nOwn
		} else {
			sharedAt--
			fields[sharedAt] = f
		}
	}
	shared := fields[sharedAt:len(fields):len(fields)]
	slices.Reverse(shared)
	if len(shared) == 0 {
		shared = nil
	}

	if len(blocks) == 0 {
		var err error
		if blocks, err = cpuinfoHeaderCPUs(arch, shared, blocks); err != nil {
			return nil, err
		}
	}
	if len(blocks) == 0 {
		return nil, parseErr(0, "", errNoCPU)
	}

	tmpl := CPUInfo{Arch: arch}
	for _, f := range shared {
		if err := tmpl.set(f, nil); err != nil {
			return nil, err
		}
	}
	cpus := make([]CPUInfo, len(blocks))
	hdr := 0 // s390: the next header line to look at for a CPU's ids
	for i, blk := range blocks {
		c := &cpus[i]
		*c = tmpl
		c.Processor, c.Shared = blk.processor, shared
		if blk.end > blk.start {
			c.Fields = fields[blk.start:blk.end:blk.end]
		}
		if arch == CPUInfoArchS390 {
			if err := c.setS390Header(shared, &hdr); err != nil {
				return nil, err
			}
		}
		var prev *CPUInfo
		if i > 0 {
			prev = &cpus[i-1]
		}
		for _, f := range c.Fields {
			if err := c.set(f, prev); err != nil {
				return nil, err
			}
		}
	}
	return cpus, nil
}

// cpuinfoBlock is a CPU found by the first pass: its number and its own
// lines, fields[start:end].
type cpuinfoBlock struct {
	processor, start, end int
}

// cpuinfoHeaderCPUs appends to blocks the CPUs of a file without a line
// that starts a CPU's block: s390 before the per-CPU blocks names its CPUs
// in the header's "processor N" lines, and arm without CONFIG_SMP has one
// CPU.
func cpuinfoHeaderCPUs(arch CPUInfoArch, shared []CPUInfoField, blocks []cpuinfoBlock) ([]cpuinfoBlock, error) {
	switch arch {
	case CPUInfoArchS390:
		for _, f := range shared {
			p, ok, err := s390HeaderCPU(f.Key)
			if err != nil {
				return nil, parseErr(f.Line, f.Key, err)
			}
			if !ok {
				continue
			}
			if k := len(blocks); k > 0 && p <= blocks[k-1].processor {
				return nil, parseErr(f.Line, f.Key, fmt.Errorf("CPU %d after CPU %d", p, blocks[k-1].processor))
			}
			blocks = append(blocks, cpuinfoBlock{processor: p})
		}
	case CPUInfoArchARM, CPUInfoArchARM64:
		if len(shared) > 0 {
			blocks = append(blocks, cpuinfoBlock{processor: 0})
		}
	}
	return blocks, nil
}

// cpuinfoSplit splits a line at its first ':' into key and value, each
// without surrounding spaces and tabs. Without ':' the whole line, trimmed,
// is the value and colon is false.
func cpuinfoSplit(line string) (key, val string, colon bool) {
	k, v, colon := strings.Cut(line, ":")
	if !colon {
		return "", cpuinfoTrim(k), false
	}
	return cpuinfoTrim(k), cpuinfoTrim(v), true
}

// cpuinfoTrim removes spaces and tabs (only those: the kernel's padding)
// from both ends of s.
func cpuinfoTrim(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// cpuinfoList splits a space-separated list (flags, ISA names), reusing
// prev when it holds the same words, so that 128 CPUs do not hold 128
// copies of one flag list. The words are substrings of val.
func cpuinfoList(val string, prev CPUFlags) CPUFlags {
	if prev != nil && cpuinfoListEqual(prev, val) {
		return prev
	}
	n := 0
	for w, rest := cpuinfoWord(val); w != ""; w, rest = cpuinfoWord(rest) {
		n++
	}
	if n == 0 {
		return nil
	}
	f := make(CPUFlags, 0, n)
	for w, rest := cpuinfoWord(val); w != ""; w, rest = cpuinfoWord(rest) {
		f = append(f, w)
	}
	return f
}

// cpuinfoListEqual reports whether f is the list val.
func cpuinfoListEqual(f CPUFlags, val string) bool {
	w, rest := cpuinfoWord(val)
	for _, s := range f {
		if s != w {
			return false
		}
		w, rest = cpuinfoWord(rest)
	}
	return w == ""
}

// cpuinfoWord returns the next word of s (separated by spaces and tabs)
// and what follows it; w is empty at the end.
func cpuinfoWord(s string) (w, rest string) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	j := i
	for j < len(s) && s[j] != ' ' && s[j] != '\t' {
		j++
	}
	return s[i:j], s[j:]
}

// cpuinfoCount parses a non-negative decimal that fits an int32 (a CPU or
// core number, a count).
func cpuinfoCount(v string) (int, error) {
	n, err := strconv.ParseUint(v, 10, 31)
	return int(n), err
}

// cpuinfoHex parses a hexadecimal number of at most bits bits, with or
// without "0x" (the kernel prints both).
func cpuinfoHex(v string, bits int) (uint64, error) {
	if len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') {
		v = v[2:]
	}
	return strconv.ParseUint(v, 16, bits)
}

// cpuinfoDecimal parses the kernel's "%u.%02u" numbers (BogoMIPS, MHz):
// digits with at most one '.', no sign, exponent, NaN or infinity.
func cpuinfoDecimal(v string) (float64, error) {
	ok, dot := v != "" && v != ".", false
	for i := 0; ok && i < len(v); i++ {
		if v[i] == '.' && !dot {
			dot = true
			continue
		}
		ok = v[i] >= '0' && v[i] <= '9'
	}
	if !ok {
		return 0, &strconv.NumError{Func: "cpuinfoDecimal", Num: v, Err: strconv.ErrSyntax}
	}
	return strconv.ParseFloat(v, 64)
}

// cpuinfoCacheSize parses x86's "512 KB" (also "kB" and "MB") into bytes.
func cpuinfoCacheSize(v string) (uint64, error) {
	num, unit, _ := strings.Cut(v, " ")
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, err
	}
	var shift uint
	switch cpuinfoTrim(unit) {
	case "KB", "kB", "K":
		shift = 10
	case "MB", "M":
		shift = 20
	default:
		return 0, fmt.Errorf("unknown unit %q", unit)
	}
	if n > (1<<64-1)>>shift {
		return 0, fmt.Errorf("cache size %q out of range", v)
	}
	return n << shift, nil
}
