package procfs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CPUInfoArch is the architecture whose /proc/cpuinfo layout a file has,
// named like the kernel's arch/ directory. It is detected from the file's
// content, so it describes the machine the file came from.
type CPUInfoArch uint8

// The layouts parseCPUInfo understands. CPUInfoArchUnknown is any other
// (sparc, ia64, parisc, ...): its CPUs come from the "processor" lines,
// with only ModelName ("model name") typed and every line in Fields and
// Shared.
const (
	CPUInfoArchUnknown   CPUInfoArch = iota // "unknown"
	CPUInfoArchX86                          // "x86" (32 and 64 bit)
	CPUInfoArchARM                          // "arm" (32-bit kernel)
	CPUInfoArchARM64                        // "arm64"
	CPUInfoArchPowerPC                      // "powerpc" (32 and 64 bit)
	CPUInfoArchS390                         // "s390"
	CPUInfoArchRISCV                        // "riscv"
	CPUInfoArchMIPS                         // "mips"
	CPUInfoArchLoongArch                    // "loongarch"
)

var cpuinfoArchNames = [...]string{"unknown", "x86", "arm", "arm64", "powerpc", "s390", "riscv", "mips", "loongarch"}

// String returns the architecture's name, e.g. "arm64".
func (a CPUInfoArch) String() string {
	if int(a) < len(cpuinfoArchNames) {
		return cpuinfoArchNames[a]
	}
	return "CPUInfoArch(" + strconv.Itoa(int(a)) + ")"
}

// MarshalText returns the name String returns; an undefined value is an
// error.
func (a CPUInfoArch) MarshalText() ([]byte, error) {
	if int(a) >= len(cpuinfoArchNames) {
		return nil, fmt.Errorf("cpuinfo arch %d: %w", a, errors.ErrUnsupported)
	}
	return []byte(cpuinfoArchNames[a]), nil
}

// UnmarshalText accepts the names MarshalText returns.
func (a *CPUInfoArch) UnmarshalText(b []byte) error {
	for i, n := range cpuinfoArchNames {
		if n == string(b) {
			*a = CPUInfoArch(i)
			return nil
		}
	}
	return fmt.Errorf("cpuinfo arch %q: unknown name", b)
}

// detectCPUInfoArch returns the layout of a cpuinfo file from the first
// key that only one architecture prints.
func detectCPUInfoArch(s string) CPUInfoArch {
	arm := false
	for rest := s; len(rest) > 0; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		key, val, _ := cpuinfoSplit(line)
		switch key {
		case "vendor_id":
			if val == "IBM/S390" {
				return CPUInfoArchS390
			}
			return CPUInfoArchX86
		case "# processors", "bogomips per cpu":
			return CPUInfoArchS390
		case "timebase":
			return CPUInfoArchPowerPC
		case "revision":
			if strings.Contains(val, "(pvr ") {
				return CPUInfoArchPowerPC
			}
		case "CPU Family", "Model Name", "global_id":
			return CPUInfoArchLoongArch
		case "cpu model", "ASEs implemented":
			return CPUInfoArchMIPS
		case "hart":
			return CPUInfoArchRISCV
		case "CPU architecture":
			if val == "8" || val == "AArch64" {
				return CPUInfoArchARM64
			}
			return CPUInfoArchARM
		case "Processor", "CPU implementer":
			arm = true
		default:
			if _, ok, _ := s390HeaderCPU(key); ok {
				return CPUInfoArchS390
			}
		}
	}
	if arm {
		return CPUInfoArchARM
	}
	return CPUInfoArchUnknown
}

// startsCPU reports whether the line key: val starts a CPU's block.
func (a CPUInfoArch) startsCPU(key, val string) bool {
	switch a {
	case CPUInfoArchS390:
		return key == "cpu number"
	case CPUInfoArchARM, CPUInfoArchARM64:
		// Before 2.6.2x arm's SMP loop printed "Processor\t: %d".
		return key == "processor" || (key == "Processor" && cpuinfoDigits(val))
	}
	return key == "processor"
}

// cpuinfoDigits reports whether s is a non-empty string of decimal digits.
func cpuinfoDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// cpuinfoNone stands for the missing previous CPU of the first one.
var cpuinfoNone CPUInfo

// set stores the typed value of one line, as c's architecture defines the
// key. prev is the previous CPU (nil for the shared lines), whose lists
// are shared when equal. Keys without a field are left to Fields.
func (c *CPUInfo) set(f CPUInfoField, prev *CPUInfo) error {
	if prev == nil {
		prev = &cpuinfoNone
	}
	var err error
	switch c.Arch {
	case CPUInfoArchX86:
		err = c.setX86(f.Key, f.Value, prev)
	case CPUInfoArchARM, CPUInfoArchARM64:
		err = c.setARM(f.Key, f.Value, prev)
	case CPUInfoArchPowerPC:
		err = c.setPowerPC(f.Key, f.Value)
	case CPUInfoArchS390:
		err = c.setS390(f.Key, f.Value, prev)
	case CPUInfoArchRISCV:
		err = c.setRISCV(f.Key, f.Value)
	case CPUInfoArchMIPS:
		err = c.setMIPS(f.Key, f.Value, prev)
	case CPUInfoArchLoongArch:
		err = c.setLoongArch(f.Key, f.Value, prev)
	default:
		if f.Key == "model name" {
			c.ModelName = f.Value
		}
	}
	if err != nil {
		return parseErr(f.Line, f.Key, err)
	}
	return nil
}

// setX86 follows show_cpuinfo in arch/x86/kernel/cpu/proc.c.
func (c *CPUInfo) setX86(key, v string, prev *CPUInfo) (err error) {
	switch key {
	case "vendor_id":
		c.VendorID = v
	case "model name":
		c.ModelName = v
	case "cpu family":
		c.CPUFamily, err = cpuinfoCount(v)
	case "model":
		c.Model, err = cpuinfoCount(v)
	case "stepping":
		if v != "unknown" {
			c.Stepping, err = cpuinfoCount(v)
		}
	case "microcode":
		c.Microcode, err = cpuinfoHex(v, 64)
	case "cpu MHz":
		c.MHz, err = cpuinfoDecimal(v)
	case "cache size":
		c.CacheSize, err = cpuinfoCacheSize(v)
	case "physical id":
		c.PhysicalID, err = cpuinfoCount(v)
	case "siblings":
		c.Siblings, err = cpuinfoCount(v)
	case "core id":
		c.CoreID, err = cpuinfoCount(v)
	case "cpu cores":
		c.CPUCores, err = cpuinfoCount(v)
	case "apicid":
		c.APICID, err = cpuinfoCount(v)
	case "flags":
		c.Flags = cpuinfoList(v, prev.Flags)
	case "bogomips":
		c.Bogomips, err = cpuinfoDecimal(v)
	}
	return err
}

// setARM follows c_show in arch/arm/kernel/setup.c and
// arch/arm64/kernel/cpuinfo.c (arch/arm64/kernel/setup.c before 3.19).
func (c *CPUInfo) setARM(key, v string, prev *CPUInfo) (err error) {
	var x uint64
	switch key {
	case "Processor":
		if !cpuinfoDigits(v) {
			c.ModelName = v
		}
	case "model name":
		c.ModelName = v
	case "BogoMIPS":
		c.Bogomips, err = cpuinfoDecimal(v)
	case "Features":
		c.Flags = cpuinfoList(v, prev.Flags)
	case "CPU implementer":
		c.CPUImplementer, err = cpuinfoHex(v, 32)
	case "CPU architecture":
		c.CPUArchitecture, err = cpuinfoARMArch(v)
	case "CPU variant":
		c.CPUVariant, err = cpuinfoHex(v, 32)
	case "CPU part":
		// Pre-ARM7 cores print the part as "%07x", without "0x".
		c.CPUPart, err = cpuinfoHex(v, 32)
	case "CPU revision":
		x, err = strconv.ParseUint(v, 10, 31)
		c.CPURevision = int(x)
	}
	return err
}

// cpuinfoARMArch parses "CPU architecture": arm64's "8" (before 3.19
// "AArch64"), or one of arm's proc_arch names ("4T", "5TEJ", "6TEJ", "7",
// "7M", "undefined/unknown", "?(12)"), whose number it returns.
func cpuinfoARMArch(v string) (int, error) {
	if v == "AArch64" {
		return 8, nil
	}
	if v == "undefined/unknown" || strings.HasPrefix(v, "?(") {
		return 0, nil
	}
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	for j := i; j < len(v); j++ {
		if v[j] < 'A' || v[j] > 'Z' {
			i = 0
			break
		}
	}
	if i == 0 {
		return 0, fmt.Errorf("unknown architecture %q", v)
	}
	return cpuinfoCount(v[:i])
}

// setPowerPC follows show_cpuinfo and show_cpuinfo_summary in
// arch/powerpc/kernel/setup-common.c.
func (c *CPUInfo) setPowerPC(key, v string) (err error) {
	p := &c.PowerPC
	switch key {
	case "cpu":
		c.ModelName = v
	case "clock":
		mhz, ok := strings.CutSuffix(v, "MHz")
		if !ok {
			return fmt.Errorf("clock %q without MHz", v)
		}
		c.MHz, err = cpuinfoDecimal(mhz)
	case "revision":
		p.Revision, p.PVR, err = cpuinfoPVR(v)
	case "bogomips":
		c.Bogomips, err = cpuinfoDecimal(v)
	case "timebase":
		p.Timebase, err = strconv.ParseUint(v, 10, 64)
	case "platform":
		p.Platform = v
	case "model":
		p.Model = v
	case "machine":
		p.Machine = v
	case "MMU":
		p.MMU = v
	}
	return err
}

// cpuinfoPVR splits powerpc's "2.2 (pvr 004e 1202)" into the revision and
// the PVR (version and revision halves, "%04x %04x").
func cpuinfoPVR(v string) (rev string, pvr uint32, err error) {
	rev, p, ok := strings.Cut(v, " (pvr ")
	if !ok {
		return v, 0, nil
	}
	p, ok = strings.CutSuffix(p, ")")
	hi, lo, ok2 := strings.Cut(p, " ")
	if !ok || !ok2 {
		return "", 0, fmt.Errorf("malformed pvr in %q", v)
	}
	h, err := strconv.ParseUint(hi, 16, 16)
	if err != nil {
		return "", 0, err
	}
	l, err := strconv.ParseUint(lo, 16, 16)
	if err != nil {
		return "", 0, err
	}
	return rev, uint32(h<<16 | l), nil
}

// setS390 follows show_cpu_summary and show_cpuinfo in
// arch/s390/kernel/processor.c.
func (c *CPUInfo) setS390(key, v string, prev *CPUInfo) (err error) {
	s := &c.S390
	switch key {
	case "vendor_id":
		c.VendorID = v
	case "# processors":
		s.Processors, err = cpuinfoCount(v)
	case "bogomips per cpu":
		c.Bogomips, err = cpuinfoDecimal(v)
	case "max thread id":
		s.MaxThreadID, err = cpuinfoCount(v)
	case "features":
		c.Flags = cpuinfoList(v, prev.Flags)
	case "physical id":
		c.PhysicalID, err = cpuinfoCount(v)
	case "core id":
		c.CoreID, err = cpuinfoCount(v)
	case "book id":
		s.BookID, err = cpuinfoCount(v)
	case "drawer id":
		s.DrawerID, err = cpuinfoCount(v)
	case "dedicated":
		switch v {
		case "0", "1":
			s.Dedicated = v == "1"
		default:
			err = fmt.Errorf("want 0 or 1, got %q", v)
		}
	case "address":
		s.Address, err = cpuinfoCount(v)
	case "siblings":
		c.Siblings, err = cpuinfoCount(v)
	case "cpu cores":
		c.CPUCores, err = cpuinfoCount(v)
	case "version", "identification", "machine":
		err = s.setID(key, v)
	case "cpu MHz dynamic":
		c.MHz, err = cpuinfoDecimal(v)
	case "cpu MHz static":
		s.MHzStatic, err = cpuinfoDecimal(v)
	default:
		// The header's "processor N: version = ..." lines belong to CPU
		// N (setS390Header); here they are only checked.
		if _, ok, herr := s390HeaderCPU(key); herr != nil {
			err = herr
		} else if ok {
			var ids CPUInfoS390
			err = ids.setIDs(v)
		}
	}
	return err
}

// s390HeaderCPU returns N of a header key "processor N"; ok is false for
// any other key.
func s390HeaderCPU(key string) (n int, ok bool, err error) {
	num, ok := strings.CutPrefix(key, "processor ")
	if !ok {
		return 0, false, nil
	}
	n, err = cpuinfoCount(num)
	return n, err == nil, err
}

// setS390Header gives c the ids of its header line "processor N:
// version = ..., identification = ..., machine = ...". Both the header
// lines and the CPUs are in increasing order, so *next, the index of the
// next shared line to look at, only moves forward.
func (c *CPUInfo) setS390Header(shared []CPUInfoField, next *int) error {
	for ; *next < len(shared); *next++ {
		f := shared[*next]
		n, ok, _ := s390HeaderCPU(f.Key)
		if !ok || n < c.Processor {
			continue
		}
		if n > c.Processor {
			return nil
		}
		if err := c.S390.setIDs(f.Value); err != nil {
			return parseErr(f.Line, f.Key, err)
		}
	}
	return nil
}

// setIDs parses "version = 00,  identification = 4729E7,  machine = 2964".
func (s *CPUInfoS390) setIDs(v string) error {
	rest := v
	for _, name := range [...]string{"version", "identification", "machine"} {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		k, val, ok := strings.Cut(part, "=")
		if !ok || cpuinfoTrim(k) != name {
			return fmt.Errorf("want %s = ..., got %q", name, v)
		}
		if err := s.setID(name, cpuinfoTrim(val)); err != nil {
			return err
		}
	}
	if rest != "" {
		return fmt.Errorf("trailing %q", rest)
	}
	return nil
}

// setID parses one of the hexadecimal CPU ids "%02X", "%06X", "%04X".
func (s *CPUInfoS390) setID(name, v string) error {
	var x uint64
	var err error
	switch name {
	case "version":
		x, err = strconv.ParseUint(v, 16, 8)
		s.Version = uint8(x)
	case "identification":
		x, err = strconv.ParseUint(v, 16, 24)
		s.Identification = uint32(x)
	default:
		x, err = strconv.ParseUint(v, 16, 16)
		s.Machine = uint16(x)
	}
	return err
}

// setRISCV follows c_show in arch/riscv/kernel/cpu.c.
func (c *CPUInfo) setRISCV(key, v string) (err error) {
	r := &c.RISCV
	switch key {
	case "hart":
		r.Hart, err = strconv.ParseUint(v, 10, 64)
	case "isa":
		r.ISA = v
	case "hart isa":
		r.HartISA = v
	case "mmu":
		r.MMU = v
	case "uarch":
		c.ModelName = v
	case "mvendorid":
		r.MVendorID, err = cpuinfoHex(v, 64)
	case "marchid":
		r.MArchID, err = cpuinfoHex(v, 64)
	case "mimpid":
		r.MImpID, err = cpuinfoHex(v, 64)
	}
	return err
}

// setMIPS follows show_cpuinfo in arch/mips/kernel/proc.c.
func (c *CPUInfo) setMIPS(key, v string, prev *CPUInfo) (err error) {
	m := &c.MIPS
	switch key {
	case "system type":
		m.SystemType = v
	case "machine":
		m.Machine = v
	case "cpu model":
		c.ModelName = v
	case "BogoMIPS":
		c.Bogomips, err = cpuinfoDecimal(v)
	case "tlb_entries":
		m.TLBEntries, err = cpuinfoCount(v)
	case "isa":
		m.ISA = cpuinfoList(v, prev.MIPS.ISA)
	case "ASEs implemented":
		c.Flags = cpuinfoList(v, prev.Flags)
	case "Options implemented":
		m.Options = cpuinfoList(v, prev.MIPS.Options)
	case "package":
		c.PhysicalID, err = cpuinfoCount(v)
	case "core":
		c.CoreID, err = cpuinfoCount(v)
	}
	return err
}

// setLoongArch follows show_cpuinfo in arch/loongarch/kernel/proc.c.
func (c *CPUInfo) setLoongArch(key, v string, prev *CPUInfo) (err error) {
	l := &c.LoongArch
	var x uint64
	switch key {
	case "system type":
		l.SystemType = v
	case "package":
		c.PhysicalID, err = cpuinfoCount(v)
	case "core":
		c.CoreID, err = cpuinfoCount(v)
	case "global_id":
		l.GlobalID, err = cpuinfoCount(v)
	case "CPU Family":
		l.CPUFamily = v
	case "Model Name":
		c.ModelName = v
	case "CPU Revision":
		x, err = cpuinfoHex(v, 8)
		l.CPURevision = uint8(x)
	case "FPU Revision":
		x, err = cpuinfoHex(v, 8)
		l.FPURevision = uint8(x)
	case "CPU MHz":
		c.MHz, err = cpuinfoDecimal(v)
	case "BogoMIPS":
		c.Bogomips, err = cpuinfoDecimal(v)
	case "TLB Entries":
		l.TLBEntries, err = cpuinfoCount(v)
	case "ISA":
		l.ISA = cpuinfoList(v, prev.LoongArch.ISA)
	case "Features":
		c.Flags = cpuinfoList(v, prev.Flags)
	}
	return err
}
