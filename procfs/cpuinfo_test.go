package procfs

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// cpuinfoFixture reads testdata/cpuinfo/name.
func cpuinfoFixture(t testing.TB, name string) []byte {
	t.Helper()
	return systemFixture(t, filepath.Join("cpuinfo", name))
}

// checkCPUInfo checks what must hold for every parsed file: CPU numbers
// increase, all CPUs share one Arch and one Shared slice, every non-blank
// line of b is in exactly one CPU's Fields or in Shared (in file order),
// and no list holds an empty word or one with a separator.
func checkCPUInfo(t *testing.T, b []byte, cpus []CPUInfo) {
	t.Helper()
	if len(cpus) == 0 {
		t.Fatal("no CPU and no error")
	}
	lines := map[int]string{}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Trim(l, " \t") != "" {
			lines[i+1] = l
		}
	}
	seen := 0
	see := func(fs []CPUInfoField) {
		last := 0
		for _, f := range fs {
			l, ok := lines[f.Line]
			if !ok || f.Line <= last || !strings.Contains(l, f.Value) || !strings.HasPrefix(strings.TrimLeft(l, " \t"), f.Key) {
				t.Errorf("field %+v: line %q", f, l)
			}
			last = f.Line
			seen++
		}
	}
	see(cpus[0].Shared)
	for i, c := range cpus {
		if c.Processor < 0 || (i > 0 && c.Processor <= cpus[i-1].Processor) {
			t.Errorf("cpu %d: Processor %d", i, c.Processor)
		}
		if c.Arch != cpus[0].Arch || len(c.Shared) != len(cpus[0].Shared) ||
			(len(c.Shared) > 0 && &c.Shared[0] != &cpus[0].Shared[0]) {
			t.Errorf("cpu %d: Arch %v, Shared %p/%d, cpu 0 %v %p/%d", i, c.Arch, c.Shared, len(c.Shared),
				cpus[0].Arch, cpus[0].Shared, len(cpus[0].Shared))
		}
		see(c.Fields)
		for _, list := range []CPUFlags{c.Flags, c.MIPS.ISA, c.MIPS.Options, c.LoongArch.ISA} {
			for _, w := range list {
				if w == "" || strings.ContainsAny(w, " \t\n") {
					t.Errorf("cpu %d: bad word %q in %q", i, w, list)
				}
			}
		}
		if c.CacheSize%1024 != 0 {
			t.Errorf("cpu %d: CacheSize %d", i, c.CacheSize)
		}
	}
	if seen != len(lines) {
		t.Errorf("%d of %d non-blank lines reachable", seen, len(lines))
	}
}

func TestParseCPUInfoFixtures(t *testing.T) {
	t.Run("amd64-epyc", func(t *testing.T) {
		b := systemFixture(t, "cpuinfo-amd64-epyc")
		cpus, err := parseCPUInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		checkCPUInfo(t, b, cpus)
		if len(cpus) != 2 {
			t.Fatalf("%d CPUs", len(cpus))
		}
		c := cpus[1]
		want := CPUInfo{Processor: 1, Arch: CPUInfoArchX86, VendorID: "AuthenticAMD", ModelName: "AMD EPYC", CPUFamily: 25, Model: 1,
			Stepping: 1, Microcode: 0x1000065, MHz: 2445.430, CacheSize: 512 << 10, PhysicalID: 0, Siblings: 2,
			CoreID: 1, CPUCores: 2, APICID: 1, Bogomips: 4890.86}
		want.Flags, want.Fields = c.Flags, c.Fields
		if !reflect.DeepEqual(c, want) {
			t.Errorf("got  %+v\nwant %+v", c, want)
		}
		if !c.Flags.Has("avx2") || !c.Flags.Has("fpu") || !c.Flags.Has("fsrm") || c.Flags.Has("avx512f") || c.Flags.Has("") {
			t.Errorf("Flags %v", c.Flags)
		}
		if len(c.Flags) != 92 {
			t.Errorf("%d flags", len(c.Flags))
		}
		if &cpus[0].Flags[0] != &cpus[1].Flags[0] {
			t.Error("identical flag lists are not shared")
		}
		if len(c.Fields) != 27 || c.Fields[0] != (CPUInfoField{Line: 29, Key: "processor", Value: "1"}) ||
			c.Fields[26] != (CPUInfoField{Line: 55, Key: "power management", Value: ""}) || c.Shared != nil {
			t.Errorf("Fields %+v, Shared %+v", c.Fields, c.Shared)
		}
		if v, ok := c.Field("TLB size"); !ok || v != "2560 4K pages" {
			t.Errorf("Field(TLB size) = %q, %v", v, ok)
		}
		if v, ok := c.Field("no such key"); ok || v != "" {
			t.Errorf("Field(no such key) = %q, %v", v, ok)
		}
	})
	t.Run("amd64-intel-ht", func(t *testing.T) {
		b := systemFixture(t, "cpuinfo-amd64-intel-ht")
		cpus, err := parseCPUInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		checkCPUInfo(t, b, cpus)
		if len(cpus) != 4 {
			t.Fatalf("%d CPUs", len(cpus))
		}
		for i, c := range cpus {
			if c.Processor != i || c.CoreID != i/2 || c.APICID != i || c.Siblings != 4 || c.CPUCores != 2 ||
				c.VendorID != "GenuineIntel" || c.Model != 106 || c.CPUFamily != 6 || c.Microcode != 0xffffffff ||
				c.CacheSize != 55296<<10 || c.MHz != 2899.998 || c.Bogomips != 5799.99 ||
				c.ModelName != "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz" {
				t.Errorf("cpu %d: %+v", i, c)
			}
		}
		if cpus[2].Stepping != 0 || cpus[1].Stepping != 6 {
			t.Errorf("stepping %d %d", cpus[1].Stepping, cpus[2].Stepping)
		}
		if !cpus[3].Flags.Has("extra_on_cpu3") || cpus[2].Flags.Has("extra_on_cpu3") || !cpus[3].Flags.Has("avx512dq") {
			t.Errorf("flags of cpu 3 %v", cpus[3].Flags)
		}
		if &cpus[1].Flags[0] != &cpus[2].Flags[0] || &cpus[2].Flags[0] == &cpus[3].Flags[0] {
			t.Error("flag sharing wrong")
		}
		if cpus[0].Flags.Has("vnmi") {
			t.Error("vmx flags mixed into flags")
		}
		if v, _ := cpus[0].Field("vmx flags"); v != "vnmi preemption_timer" {
			t.Errorf("vmx flags %q", v)
		}
	})
	t.Run("arm64-neoverse-n1", func(t *testing.T) {
		b := systemFixture(t, "cpuinfo-arm64-neoverse-n1")
		cpus, err := parseCPUInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		checkCPUInfo(t, b, cpus)
		if len(cpus) != 4 {
			t.Fatalf("%d CPUs", len(cpus))
		}
		for i, c := range cpus {
			if c.Processor != i || c.Arch != CPUInfoArchARM64 || c.CPUImplementer != 0x41 || c.CPUArchitecture != 8 ||
				c.CPUVariant != 3 || c.CPUPart != 0xd0c || c.CPURevision != 1 || c.Bogomips != 243.75 ||
				!c.Flags.Has("atomics") || c.VendorID != "" || c.MHz != 0 {
				t.Errorf("cpu %d: %+v", i, c)
			}
		}
	})
	t.Run("arm-rpi3", func(t *testing.T) {
		b := systemFixture(t, "cpuinfo-arm-rpi3")
		cpus, err := parseCPUInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		checkCPUInfo(t, b, cpus)
		if len(cpus) != 2 || cpus[1].ModelName != "ARMv7 Processor rev 4 (v7l)" || cpus[1].CPUArchitecture != 7 ||
			cpus[1].CPUPart != 0xd03 || cpus[1].CPURevision != 4 || !cpus[1].Flags.Has("neon") || cpus[1].Flags.Has("") ||
			cpus[1].Arch != CPUInfoArchARM {
			t.Errorf("got %+v", cpus)
		}
		// The trailer after the last CPU is shared by all.
		if v, _ := cpus[0].Field("Model"); v != "Raspberry Pi 3 Model B Rev 1.2" || len(cpus[0].Shared) != 4 {
			t.Errorf("Model %q, Shared %+v", v, cpus[0].Shared)
		}
	})
	t.Run("arm64-3.10-oldformat", func(t *testing.T) {
		b := systemFixture(t, "cpuinfo-arm64-3.10-oldformat")
		cpus, err := parseCPUInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		checkCPUInfo(t, b, cpus)
		if len(cpus) != 2 {
			t.Fatalf("%d CPUs", len(cpus))
		}
		for i, c := range cpus {
			// Before 3.19 the block after the processor lines is every CPU's.
			if c.Processor != i || c.Arch != CPUInfoArchARM64 || c.CPUArchitecture != 8 || c.CPUPart != 0xd03 ||
				!c.Flags.Has("crc32") || c.ModelName != "AArch64 Processor rev 4 (aarch64)" || len(c.Fields) != 1 {
				t.Errorf("cpu %d: shared block not applied: %+v", i, c)
			}
		}
	})
	t.Run("riscv64", func(t *testing.T) {
		b := systemFixture(t, "cpuinfo-riscv64")
		cpus, err := parseCPUInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		checkCPUInfo(t, b, cpus)
		if len(cpus) != 2 || cpus[1].Processor != 1 || cpus[0].Flags != nil || cpus[1].RISCV.Hart != 1 ||
			cpus[1].ModelName != "sifive,u74-mc" || cpus[1].RISCV.MMU != "sv39" {
			t.Errorf("got %+v", cpus)
		}
	})
}

func TestParseCPUInfoShared(t *testing.T) {
	// A shared line applies to every CPU; a CPU's own line of the same
	// name wins. Unknown and colon-less lines are kept.
	in := "vendor_id : Shared\nmodel name : all\n\nprocessor : 3\nfuture key : 1\n\nprocessor : 5\nmodel name : own\nno colon here\n\ntrailer : x\n"
	cpus, err := parseCPUInfo([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	checkCPUInfo(t, []byte(in), cpus)
	if len(cpus) != 2 || cpus[0].VendorID != "Shared" || cpus[1].VendorID != "Shared" ||
		cpus[0].ModelName != "all" || cpus[1].ModelName != "own" {
		t.Fatalf("got %+v", cpus)
	}
	wantShared := []CPUInfoField{{1, "vendor_id", "Shared"}, {2, "model name", "all"}, {11, "trailer", "x"}}
	if !reflect.DeepEqual(cpus[0].Shared, wantShared) {
		t.Errorf("Shared %+v", cpus[0].Shared)
	}
	want1 := []CPUInfoField{{7, "processor", "5"}, {8, "model name", "own"}, {9, "", "no colon here"}}
	if !reflect.DeepEqual(cpus[1].Fields, want1) {
		t.Errorf("Fields %+v", cpus[1].Fields)
	}
	if v, ok := cpus[0].Field("future key"); !ok || v != "1" {
		t.Errorf("future key %q %v", v, ok)
	}
	if v, _ := cpus[1].Field("model name"); v != "own" {
		t.Errorf("own line does not win in Field: %q", v)
	}
	// Values keep their bytes, invalid UTF-8 included.
	cpus, err = parseCPUInfo([]byte("processor\t: 0\nvendor_id\t: \xff\x00x \t\nflags\t\t: a\xfe  b\n"))
	if err != nil || cpus[0].VendorID != "\xff\x00x" || !reflect.DeepEqual(cpus[0].Flags, CPUFlags{"a\xfe", "b"}) {
		t.Errorf("got %+v, %v", cpus, err)
	}
	// An empty list is nil, and "stepping : unknown" is 0.
	cpus, err = parseCPUInfo([]byte("processor\t: 0\nvendor_id\t: unknown\nstepping\t: unknown\nflags\t\t:\n"))
	if err != nil || cpus[0].Flags != nil || cpus[0].Stepping != 0 {
		t.Errorf("got %+v, %v", cpus, err)
	}
	// Before 2.6.2x arm's SMP loop printed "Processor : N".
	cpus, err = parseCPUInfo([]byte("Processor\t: XScale rev 1 (v5l)\nProcessor\t: 0\nBogoMIPS\t: 1.00\n\nProcessor\t: 1\nBogoMIPS\t: 2.00\n\nFeatures\t: swp half \nCPU architecture: 5TE\n"))
	if err != nil || len(cpus) != 2 || cpus[1].Bogomips != 2 || cpus[1].ModelName != "XScale rev 1 (v5l)" || cpus[0].CPUArchitecture != 5 {
		t.Errorf("got %+v, %v", cpus, err)
	}
}

func TestParseCPUInfoErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"\n\n",
		"vendor_id\t: GenuineIntel\n", // x86 without a processor line
		"cpu\t\t: TI UltraSparc IIi\nncpus active\t: 1\n", // another architecture without processor lines
		"vendor_id       : IBM/S390\n# processors    : 0\n",
		"processor\t: x\n",
		"processor\t: -1\n",
		"processor\t: 2147483648\n",
		"processor\t: 1\n\nprocessor\t: 0\n",
		"processor\t: 1\n\nprocessor\t: 1\n",
		"processor\t: 0\nvendor_id\t: X\ncpu family\t: -6\n",
		"processor\t: 0\nvendor_id\t: X\nmicrocode\t: 0xzz\n",
		"processor\t: 0\nvendor_id\t: X\ncpu MHz\t\t: fast\n",
		"processor\t: 0\nvendor_id\t: X\ncpu MHz\t\t: NaN\n",
		"processor\t: 0\nvendor_id\t: X\ncpu MHz\t\t: 1e9\n",
		"processor\t: 0\nvendor_id\t: X\nbogomips\t: .\n",
		"processor\t: 0\nvendor_id\t: X\ncache size\t: 512 GB\n",
		"processor\t: 0\nvendor_id\t: X\ncache size\t: 99999999999999999999 KB\n",
		"processor\t: 0\nvendor_id\t: X\ncache size\t: 18014398509481984 KB\n",
		"vendor_id\t: X\nprocessor\t: 0\nstepping\t: 2147483648\n",
		"processor\t: 0\nCPU architecture: AArch32\n",
		"processor\t: 0\nCPU architecture: \n",
		"processor\t: 0\nCPU architecture: 7x\n",
		"processor\t: 0\nCPU implementer\t: 0x100000000\nCPU architecture: 8\n",
		"processor\t: 0\ncpu\t\t: POWER9\nrevision\t: 2.2 (pvr 004e 1202\ntimebase\t: 1\n",
		"processor\t: 0\ncpu\t\t: POWER9\nrevision\t: 2.2 (pvr 1004e 1202)\n",
		"processor\t: 0\ncpu\t\t: POWER9\nrevision\t: 2.2 (pvr 004e)\n",
		"processor\t: 0\nclock\t\t: 2200.000000\ntimebase\t: 1\n",
		"processor\t: 0\n\ntimebase\t: x\n",
		"vendor_id       : IBM/S390\nprocessor 0: version = 00\n",
		"vendor_id       : IBM/S390\nprocessor 0: version = 00,  identification = 1,  machine = 10000\n",
		"vendor_id       : IBM/S390\nprocessor 0: version = 00,  identification = 1,  machine = 1, x\n",
		"vendor_id       : IBM/S390\nprocessor 0: identification = 1,  version = 00,  machine = 1\n",
		"vendor_id       : IBM/S390\nprocessor x: version = 00,  identification = 1,  machine = 1\n",
		"vendor_id       : IBM/S390\nprocessor 1: version = 00,  identification = 1,  machine = 1\nprocessor 0: version = 00,  identification = 1,  machine = 1\n",
		"vendor_id       : IBM/S390\n\ncpu number      : 0\ndedicated       : 2\n",
		"vendor_id       : IBM/S390\n\ncpu number      : 0\nversion         : 100\n",
		"processor\t: 0\nhart\t\t: -1\n",
		"processor\t: 0\nhart\t\t: 0\nmvendorid\t: 0xg\n",
		"system type\t: x\nprocessor\t: 0\ncpu model\t: y\ntlb_entries\t: many\n",
		"processor\t\t: 0\nCPU Family\t\t: Loongson-64bit\nCPU Revision\t\t: 0x100\n",
	} {
		if cpus, err := parseCPUInfo([]byte(in)); err == nil {
			t.Errorf("parseCPUInfo(%q) = %+v, want an error", in, cpus)
		}
	}
	// Errors name the line and the key.
	_, err := parseCPUInfo([]byte("processor\t: 0\nvendor_id\t: X\n\nprocessor\t: 1\ncpu family\t: six\n"))
	if err == nil || !strings.Contains(err.Error(), "line 5: cpu family:") || !errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("error %v", err)
	}
	if _, err := parseCPUInfo([]byte("hello\n")); !errors.Is(err, errNoCPU) {
		t.Errorf("no CPU: %v", err)
	}
}

func TestCPUFlags(t *testing.T) {
	f := CPUFlags{"fpu", "sse2"}
	if !f.Has("sse2") || f.Has("sse") || f.String() != "fpu sse2" {
		t.Errorf("%v", f)
	}
	var none CPUFlags
	if none.Has("fpu") || none.String() != "" {
		t.Error("nil flags")
	}
}

func TestCPUInfoKernel(t *testing.T) {
	cpus, err := Default().CPUInfo()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Fatal(err)
	}
	checkCPUInfo(t, raw, cpus)
	if n := onlineCPUs(t); len(cpus) != n {
		t.Errorf("%d CPUs in cpuinfo, %d online", len(cpus), n)
	}
	want := map[string]CPUInfoArch{"amd64": CPUInfoArchX86, "386": CPUInfoArchX86, "arm64": CPUInfoArchARM64,
		"arm": CPUInfoArchARM, "ppc64": CPUInfoArchPowerPC, "ppc64le": CPUInfoArchPowerPC, "s390x": CPUInfoArchS390,
		"riscv64": CPUInfoArchRISCV, "mips": CPUInfoArchMIPS, "mipsle": CPUInfoArchMIPS, "mips64": CPUInfoArchMIPS,
		"mips64le": CPUInfoArchMIPS, "loong64": CPUInfoArchLoongArch}[runtime.GOARCH]
	for _, c := range cpus {
		if c.Arch != want {
			t.Errorf("cpu %d: Arch %v on %s", c.Processor, c.Arch, runtime.GOARCH)
		}
		switch runtime.GOARCH {
		case "amd64", "386":
			if c.VendorID == "" || c.ModelName == "" || c.CPUFamily == 0 || len(c.Flags) == 0 || c.Bogomips <= 0 {
				t.Errorf("x86 fields missing: %+v", c)
			}
			if runtime.GOARCH == "amd64" && !c.Flags.Has("sse2") {
				t.Errorf("amd64 without sse2: %v", c.Flags)
			}
		case "arm64":
			if c.CPUImplementer == 0 || c.CPUArchitecture != 8 || len(c.Flags) == 0 {
				t.Errorf("arm64 fields missing: %+v", c)
			}
		}
	}
	if runtime.GOARCH != "s390x" {
		n := 0
		for line := range strings.Lines(string(raw)) {
			if k, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "processor" {
				n++
			}
		}
		if n != len(cpus) {
			t.Errorf("%d processor lines, %d CPUs parsed", n, len(cpus))
		}
	}
	if _, err := systemRoot(t, nil).CPUInfo(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := systemRoot(t, map[string]string{"cpuinfo": "\n"}).CPUInfo(); !errors.Is(err, errNoCPU) {
		t.Errorf("empty file: %v", err)
	}
}

func FuzzParseCPUInfo(f *testing.F) {
	seedSystemFixtures(f, "cpuinfo-")
	seedSystemFixtures(f, "cpuinfo/")
	f.Fuzz(func(t *testing.T, b []byte) {
		cpus, err := parseCPUInfo(b)
		if err != nil {
			if cpus != nil {
				t.Errorf("CPUs %+v with error %v", cpus, err)
			}
			return
		}
		checkCPUInfo(t, b, cpus)
	})
}

// BenchmarkParseCPUInfo parses x86 files: the common case, and the one
// whose allocations must stay few (a handful per file, not one per flag).
func BenchmarkParseCPUInfo(b *testing.B) {
	for _, name := range []string{"cpuinfo-amd64-epyc", "cpuinfo-amd64-intel-ht", "cpuinfo/x86_64-6.18"} {
		in := systemFixture(b, name)
		b.Run(filepath.Base(name), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := parseCPUInfo(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCPUInfo(b *testing.B) {
	fs := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fs.CPUInfo(); err != nil {
			b.Fatal(err)
		}
	}
}
