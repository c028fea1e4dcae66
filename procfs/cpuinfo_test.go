package procfs

import (
	"errors"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestParseCPUInfoFixtures(t *testing.T) {
	t.Run("amd64-epyc", func(t *testing.T) {
		cpus, err := parseCPUInfo(systemFixture(t, "cpuinfo-amd64-epyc"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cpus) != 2 {
			t.Fatalf("%d CPUs", len(cpus))
		}
		c := cpus[1]
		want := CPUInfo{Processor: 1, VendorID: "AuthenticAMD", ModelName: "AMD EPYC", CPUFamily: 25, Model: 1,
			Stepping: 1, Microcode: 0x1000065, MHz: 2445.430, CacheSize: 512 << 10, PhysicalID: 0, Siblings: 2,
			CoreID: 1, CPUCores: 2, APICID: 1, Bogomips: 4890.86}
		want.Flags = c.Flags
		if !equalCPUInfo(c, want) {
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
	})
	t.Run("amd64-intel-ht", func(t *testing.T) {
		cpus, err := parseCPUInfo(systemFixture(t, "cpuinfo-amd64-intel-ht"))
		if err != nil {
			t.Fatal(err)
		}
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
	})
	t.Run("arm64-neoverse-n1", func(t *testing.T) {
		cpus, err := parseCPUInfo(systemFixture(t, "cpuinfo-arm64-neoverse-n1"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cpus) != 4 {
			t.Fatalf("%d CPUs", len(cpus))
		}
		for i, c := range cpus {
			if c.Processor != i || c.CPUImplementer != 0x41 || c.CPUArchitecture != 8 || c.CPUVariant != 3 ||
				c.CPUPart != 0xd0c || c.CPURevision != 1 || c.Bogomips != 243.75 || !c.Flags.Has("atomics") ||
				c.VendorID != "" || c.MHz != 0 {
				t.Errorf("cpu %d: %+v", i, c)
			}
		}
	})
	t.Run("arm-rpi3", func(t *testing.T) {
		cpus, err := parseCPUInfo(systemFixture(t, "cpuinfo-arm-rpi3"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cpus) != 2 || cpus[1].ModelName != "ARMv7 Processor rev 4 (v7l)" || cpus[1].CPUArchitecture != 7 ||
			cpus[1].CPUPart != 0xd03 || cpus[1].CPURevision != 4 || !cpus[1].Flags.Has("neon") || cpus[1].Flags.Has("") {
			t.Errorf("got %+v", cpus)
		}
	})
	t.Run("arm64-3.10-oldformat", func(t *testing.T) {
		cpus, err := parseCPUInfo(systemFixture(t, "cpuinfo-arm64-3.10-oldformat"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cpus) != 2 {
			t.Fatalf("%d CPUs", len(cpus))
		}
		for i, c := range cpus {
			if c.Processor != i || c.CPUArchitecture != 8 || c.CPUPart != 0xd03 || !c.Flags.Has("crc32") {
				t.Errorf("cpu %d: shared block not applied: %+v", i, c)
			}
		}
	})
	t.Run("riscv64", func(t *testing.T) {
		cpus, err := parseCPUInfo(systemFixture(t, "cpuinfo-riscv64"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cpus) != 2 || cpus[1].Processor != 1 || cpus[0].Flags != nil {
			t.Errorf("got %+v", cpus)
		}
	})
}

func equalCPUInfo(a, b CPUInfo) bool { return reflect.DeepEqual(a, b) }

func TestParseCPUInfoErrors(t *testing.T) {
	for _, in := range []string{
		"processor\t: x\n",
		"processor\t: 0\ncpu family\t: -6\n",
		"processor\t: 0\nmicrocode\t: 0xzz\n",
		"processor\t: 0\ncpu MHz\t\t: fast\n",
		"processor\t: 0\ncache size\t: 512 GB\n",
		"processor\t: 0\ncache size\t: 99999999999999999999 KB\n",
		"processor\t: 0\ncache size\t: 18014398509481984 KB\n",
		"processor\t: 0\nCPU architecture: AArch32\n",
	} {
		if cpus, err := parseCPUInfo([]byte(in)); err == nil {
			t.Errorf("parseCPUInfo(%q) = %+v, want an error", in, cpus)
		}
	}
	// Lines before the first processor and unknown lines are ignored.
	cpus, err := parseCPUInfo([]byte("vendor_id : X\nprocessor : 3\nfuture : 1\ncache size : 2 MB\n"))
	if err != nil || len(cpus) != 1 || cpus[0].VendorID != "" || cpus[0].Processor != 3 || cpus[0].CacheSize != 2<<20 {
		t.Errorf("got %+v, %v", cpus, err)
	}
	if cpus, err := parseCPUInfo(nil); err != nil || len(cpus) != 0 {
		t.Errorf("empty: %+v, %v", cpus, err)
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
	if n := onlineCPUs(t); len(cpus) != n {
		t.Errorf("%d CPUs in cpuinfo, %d online", len(cpus), n)
	}
	seen := map[int]bool{}
	for _, c := range cpus {
		if seen[c.Processor] {
			t.Errorf("processor %d twice", c.Processor)
		}
		seen[c.Processor] = true
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
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(raw)) {
		if k, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "processor" {
			n++
		}
	}
	if n != len(cpus) {
		t.Errorf("%d processor lines, %d CPUs parsed", n, len(cpus))
	}
	if _, err := systemRoot(t, nil).CPUInfo(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseCPUInfo(f *testing.F) {
	seedSystemFixtures(f, "cpuinfo-")
	f.Fuzz(func(t *testing.T, b []byte) {
		cpus, err := parseCPUInfo(b)
		if err != nil {
			return
		}
		for _, c := range cpus {
			if c.Processor < 0 || c.Siblings < 0 || c.CPUCores < 0 || c.CacheSize%1024 != 0 {
				t.Errorf("bad: %+v", c)
			}
			for _, fl := range c.Flags {
				if fl == "" || strings.ContainsAny(fl, " \t\n") {
					t.Errorf("bad flag %q", fl)
				}
			}
		}
	})
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
