package procfs

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestParseCPUInfoArchs parses one file per architecture and layout. Each
// of these failed or lost lines before cpuinfo was parsed by architecture.
func TestParseCPUInfoArchs(t *testing.T) {
	tests := []struct {
		file   string
		arch   CPUInfoArch
		procs  []int  // the CPU numbers
		model  string // every CPU's ModelName
		flags  []string
		shared int // shared lines
		check  func(t *testing.T, cpus []CPUInfo)
	}{
		{
			file: "x86_64-6.18", arch: CPUInfoArchX86, procs: []int{0, 1}, model: "Intel(R) Xeon(R) Processor",
			flags: []string{"fpu", "sse2", "avx512f", "arch_capabilities"},
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					if c.VendorID != "GenuineIntel" || c.CPUFamily != 6 || c.Model != 207 || c.Stepping != 2 ||
						c.Microcode != 1 || c.CacheSize != 307200<<10 || c.CoreID != i || c.APICID != i ||
						c.Siblings != 2 || c.CPUCores != 2 || c.Bogomips != 4200 || c.MHz == 0 {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
		{
			// Old layout with CONFIG_SMP: a model line, per CPU only
			// processor and BogoMIPS, then one block for all CPUs.
			file: "arm-3.4-smp", arch: CPUInfoArchARM, procs: []int{0, 1, 2, 3}, model: "ARMv7 Processor rev 10 (v7l)",
			flags: []string{"swp", "neon", "tls"}, shared: 10,
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					if c.CPUImplementer != 0x41 || c.CPUArchitecture != 7 || c.CPUVariant != 2 || c.CPUPart != 0xc09 ||
						c.CPURevision != 10 || len(c.Fields) != 2 || c.Fields[1].Key != "BogoMIPS" {
						t.Errorf("cpu %d: %+v", i, c)
					}
					if hw, _ := c.Field("Hardware"); hw != "Freescale i.MX 6Quad SABRE Smart Device Board" {
						t.Errorf("cpu %d: Hardware %q", i, hw)
					}
				}
				if cpus[0].Bogomips != 790.52 || cpus[3].Bogomips != 791.34 {
					t.Errorf("per-CPU BogoMIPS %v %v", cpus[0].Bogomips, cpus[3].Bogomips)
				}
				if &cpus[0].Flags[0] != &cpus[3].Flags[0] {
					t.Error("shared Features not one slice")
				}
			},
		},
		{
			// Old layout without CONFIG_SMP: no processor line at all.
			file: "arm-3.4-up", arch: CPUInfoArchARM, procs: []int{0}, model: "ARMv6-compatible processor rev 7 (v6l)",
			flags: []string{"swp", "java", "tls"}, shared: 11,
			check: func(t *testing.T, cpus []CPUInfo) {
				c := cpus[0]
				if c.Bogomips != 697.95 || c.CPUPart != 0xb76 || c.CPURevision != 7 || c.Fields != nil {
					t.Errorf("%+v", c)
				}
			},
		},
		{
			// New layout on ARMv5: the architecture is "5TEJ".
			file: "arm-5.10-armv5", arch: CPUInfoArchARM, procs: []int{0}, model: "ARM926EJ-S rev 5 (v5l)",
			flags: []string{"java", "edsp"}, shared: 3,
			check: func(t *testing.T, cpus []CPUInfo) {
				if c := cpus[0]; c.CPUArchitecture != 5 || c.CPUPart != 0x926 || c.Bogomips != 226.09 {
					t.Errorf("%+v", c)
				}
			},
		},
		{
			file: "arm64-6.1", arch: CPUInfoArchARM64, procs: []int{0, 1, 2, 3, 4, 5}, flags: []string{"fp", "asimd", "cpuid"},
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					part, rev := uint64(0xd03), 4
					if i >= 4 {
						part, rev = 0xd08, 2
					}
					if c.CPUPart != part || c.CPURevision != rev || c.CPUArchitecture != 8 || c.Bogomips != 48 {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
				if &cpus[0].Flags[0] != &cpus[5].Flags[0] {
					t.Error("identical flags not shared")
				}
			},
		},
		{
			// The trailer's "model" is the machine, not x86's number.
			file: "ppc64le-5.10", arch: CPUInfoArchPowerPC, procs: []int{0, 1, 2, 3},
			model: "POWER9 (architected), altivec supported", shared: 5,
			check: func(t *testing.T, cpus []CPUInfo) {
				want := CPUInfoPowerPC{Revision: "2.2", PVR: 0x004e0202, Timebase: 512000000, Platform: "pSeries",
					Model: "IBM,9009-42A", Machine: "CHRP IBM,9009-42A", MMU: "Radix"}
				for i, c := range cpus {
					if c.PowerPC != want || c.MHz != 2750 || c.Model != 0 || c.Bogomips != 0 || len(c.Fields) != 4 {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
		{
			file: "powerpc-4.19", arch: CPUInfoArchPowerPC, procs: []int{0, 1}, model: "7455, altivec supported", shared: 11,
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					p := c.PowerPC
					if p.PVR != 0x80010303 || p.Revision != "3.3" || p.Timebase != 41620997 || p.Platform != "PowerMac" ||
						p.Model != "PowerMac3,6" || p.MMU != "" || c.Bogomips != 83.28 || c.MHz != 1250 {
						t.Errorf("cpu %d: %+v", i, c)
					}
					if v, _ := c.Field("L2 cache"); v != "256K unified" {
						t.Errorf("cpu %d: L2 cache %q", i, v)
					}
				}
			},
		},
		{
			// Header, then one "cpu number" block per CPU.
			file: "s390x-6.1", arch: CPUInfoArchS390, procs: []int{0, 1},
			flags: []string{"esan3", "zarch", "vx", "nnpa", "sie"}, shared: 12,
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					want := CPUInfoS390{Processors: 2, MaxThreadID: 1, Version: 0, Identification: 0x0a1b2c, Machine: 0x3931,
						BookID: 2, DrawerID: 1, Address: i, MHzStatic: 5200}
					if c.S390 != want || c.VendorID != "IBM/S390" || c.Bogomips != 3331 || c.MHz != 5200 ||
						c.PhysicalID != 1 || c.CoreID != 0 || c.Siblings != 2 || c.CPUCores != 1 || len(c.Fields) != 14 {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
		{
			// Only the header: its "processor N" lines are the CPUs.
			file: "s390x-3.10", arch: CPUInfoArchS390, procs: []int{0, 1, 2, 3}, flags: []string{"esan3", "te"}, shared: 14,
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					want := CPUInfoS390{Processors: 4, Version: 0xff, Identification: 0x0133e8, Machine: 0x2827}
					if c.S390 != want || c.Bogomips != 2913 || c.Fields != nil {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
		{
			file: "riscv64-6.12", arch: CPUInfoArchRISCV, procs: []int{0, 1, 2, 3}, model: "sifive,u74-mc",
			check: func(t *testing.T, cpus []CPUInfo) {
				const isa = "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_zbb"
				for i, c := range cpus {
					want := CPUInfoRISCV{Hart: []uint64{2, 1, 3, 4}[i], ISA: isa, HartISA: isa, MMU: "sv39",
						MVendorID: 0x489, MArchID: 0x8000000000000007, MImpID: 0x4210427}
					if i == 3 {
						want.HartISA += "_zbs"
					}
					if c.RISCV != want || c.Flags != nil {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
		{
			file: "riscv64-5.15", arch: CPUInfoArchRISCV, procs: []int{0, 1, 2, 3}, model: "sifive,u74-mc",
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					if want := (CPUInfoRISCV{Hart: uint64(i + 1), ISA: "rv64imafdc", MMU: "sv39"}); c.RISCV != want {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
		{
			// "system type" and "machine" come once, before CPU 0.
			file: "mips-5.10", arch: CPUInfoArchMIPS, procs: []int{0, 1, 2, 3}, model: "MIPS 1004Kc V2.15",
			flags: []string{"mips16", "dsp", "mt"}, shared: 2,
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					m := c.MIPS
					if m.SystemType != "MediaTek MT7621 ver:1 eco:3" || m.Machine != "Ubiquiti EdgeRouter X SFP" ||
						m.TLBEntries != 32 || !m.ISA.Has("mips32r2") || !m.Options.Has("llsc") || len(m.Options) != 13 ||
						c.PhysicalID != 0 || c.CoreID != i/2 || c.Bogomips != 586.13 {
						t.Errorf("cpu %d: %+v", i, c)
					}
					if v, _ := c.Field("VPE"); v != strconv.Itoa(i%2) {
						t.Errorf("cpu %d: VPE %q", i, v)
					}
				}
			},
		},
		{
			file: "loongarch64-6.6", arch: CPUInfoArchLoongArch, procs: []int{0, 1, 2, 3}, model: "Loongson-3A6000",
			flags: []string{"cpucfg", "lsx", "lasx", "lbt_mips"}, shared: 1,
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					l := c.LoongArch
					if l.SystemType != "generic-loongson-machine" || l.CPUFamily != "Loongson-64bit" || l.GlobalID != i ||
						l.TLBEntries != 2112 || !l.ISA.Has("loongarch64") || c.CoreID != i || c.MHz != 2500 || c.Bogomips != 5000 {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
		{
			// Not modelled: CPUs from the processor lines, "cpu family"
			// and "model" are not x86's numbers and do not fail the file.
			file: "parisc64-6.1", arch: CPUInfoArchUnknown, procs: []int{0, 1}, model: "Storm Peak Fast DC-",
			check: func(t *testing.T, cpus []CPUInfo) {
				for i, c := range cpus {
					if fam, _ := c.Field("cpu family"); fam != "PA-RISC 2.0" || c.CPUFamily != 0 || c.Bogomips != 0 || len(c.Fields) != 18 {
						t.Errorf("cpu %d: %+v", i, c)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := cpuinfoFixture(t, tt.file)
			cpus, err := parseCPUInfo(b)
			if err != nil {
				t.Fatal(err)
			}
			checkCPUInfo(t, b, cpus)
			if len(cpus) != len(tt.procs) {
				t.Fatalf("%d CPUs, want %d", len(cpus), len(tt.procs))
			}
			for i, c := range cpus {
				if c.Processor != tt.procs[i] || c.Arch != tt.arch || c.ModelName != tt.model || len(c.Shared) != tt.shared {
					t.Errorf("cpu %d: Processor %d Arch %v ModelName %q, %d shared lines", i, c.Processor, c.Arch, c.ModelName, len(c.Shared))
				}
				for _, f := range tt.flags {
					if !c.Flags.Has(f) {
						t.Errorf("cpu %d: no flag %q in %v", i, f, c.Flags)
					}
				}
				if tt.flags == nil && c.Flags != nil {
					t.Errorf("cpu %d: Flags %v", i, c.Flags)
				}
			}
			tt.check(t, cpus)
		})
	}
}

func TestCPUInfoArchText(t *testing.T) {
	for a := CPUInfoArchUnknown; a <= CPUInfoArchLoongArch; a++ {
		b, err := a.MarshalText()
		var back CPUInfoArch
		if err != nil || string(b) != a.String() || back.UnmarshalText(b) != nil || back != a {
			t.Errorf("%d: %q, %v, back %v", a, b, err, back)
		}
	}
	if s := CPUInfoArchARM64.String(); s != "arm64" {
		t.Errorf("String %q", s)
	}
	bad := CPUInfoArch(200)
	if _, err := bad.MarshalText(); err == nil || bad.String() != "CPUInfoArch(200)" {
		t.Errorf("undefined value: %q, %v", bad.String(), err)
	}
	var a CPUInfoArch
	if err := a.UnmarshalText([]byte("sparc")); err == nil {
		t.Error("unknown name accepted")
	}
	j, err := json.Marshal(CPUInfo{Arch: CPUInfoArchS390})
	if err != nil || !strings.Contains(string(j), `"Arch":"s390"`) {
		t.Errorf("json %s, %v", j, err)
	}
}
