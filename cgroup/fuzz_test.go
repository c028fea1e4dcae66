package cgroup

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lxgo/lx/procfs"
)

// seedFiles adds the fixtures' copies of the files named name to f.
func seedFiles(f *testing.F, name string) {
	paths, _ := filepath.Glob("testdata/*/sys/fs/cgroup/" + name)
	more, _ := filepath.Glob("testdata/*/sys/fs/cgroup/*/" + name)
	for _, p := range append(paths, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func FuzzParseMax(f *testing.F) {
	for _, s := range []string{"max", "0", "18446744073709551615", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMax(s)
		if err != nil {
			return
		}
		back, err := ParseMax(m.String())
		if err != nil || back != m {
			t.Fatalf("%q -> %v -> %v, %v", s, m, back, err)
		}
	})
}

func FuzzParseControllers(f *testing.F) {
	seedFiles(f, "cgroup.controllers")
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ParseControllers(b)
		if err != nil {
			return
		}
		back, err := ParseControllers(cs.String())
		if err != nil || !reflect.DeepEqual(back, cs) {
			t.Fatalf("%q -> %v -> %v, %v", b, cs, back, err)
		}
	})
}

func FuzzParseType(f *testing.F) {
	seedFiles(f, "cgroup.type")
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, err := ParseType(b)
		if err == nil && typ.String() != string(b) {
			t.Fatalf("%q -> %v", b, typ)
		}
	})
}

func FuzzParseCPUMax(f *testing.F) {
	seedFiles(f, "cpu.max")
	f.Add([]byte("50000 100000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseCPUMax(b)
		if err != nil {
			return
		}
		back, err := ParseCPUMax(m.String())
		if err != nil || back != m {
			t.Fatalf("%q -> %v -> %v, %v", b, m, back, err)
		}
	})
}

func FuzzParsePartition(f *testing.F) {
	seedFiles(f, "cpuset.cpus.partition")
	f.Add([]byte("isolated invalid (Parent is not a partition root)"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePartition(b)
		if err != nil {
			return
		}
		back, err := ParsePartition(p.String())
		if err != nil || back != p {
			t.Fatalf("%q -> %+v -> %+v, %v", b, p, back, err)
		}
	})
}

func FuzzParseTriggerSpec(f *testing.F) {
	f.Add([]byte("some 150000 1000000"))
	f.Add([]byte("full 1 500000\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseTriggerSpec(b)
		if err != nil {
			return
		}
		back, err := ParseTriggerSpec(s.String())
		if err != nil || back != s {
			t.Fatalf("%q -> %v -> %v, %v", b, s, back, err)
		}
	})
}

func FuzzParseIOMax(f *testing.F) {
	seedFiles(f, "io.max")
	f.Add([]byte("8:16 rbps=2097152 wbps=max riops=max wiops=120\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, err := parseIOMax(b)
		if err != nil {
			return
		}
		var text []byte
		for _, l := range ls {
			text = append(l.appendText(text), '\n')
		}
		back, err := parseIOMax(text)
		if err != nil || !reflect.DeepEqual(back, ls) {
			t.Fatalf("%q -> %v -> %v, %v", b, ls, back, err)
		}
	})
}

// FuzzParseFiles feeds one input to every parser without a formatter:
// none may panic.
func FuzzParseFiles(f *testing.F) {
	for _, name := range []string{"cpu.stat", "memory.stat", "memory.events", "io.stat", "io.weight", "cgroup.stat",
		"cgroup.events", "cgroup.procs", "pids.events", "cpu.pressure", "memory.pressure", "hugetlb.2MB.events", "memory.max"} {
		seedFiles(f, name)
	}
	f.Add([]byte("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var cst CPUStat
		parseCPUStat(b, &cst)
		var mst MemoryStat
		parseMemoryStat(b, &mst)
		parseMemoryStat(b, &mst)
		parseMemoryEvents(b)
		parseIOStat(b)
		parseIOWeight(b)
		parseStat(b)
		parseState(b)
		parsePIDs(b)
		parsePidsEvents(b)
		parseHugeEvents(b)
		parseMaxLine(b)
		parsePageCounterLine(b)
		parseSwitch(b)
		parseUintLine(b)
	})
}

// The parsers a monitor calls on every sample allocate nothing.
func TestParseAllocs(t *testing.T) {
	mem, err := os.ReadFile("testdata/v2-6.12/sys/fs/cgroup/memory.stat")
	if err != nil {
		t.Fatal(err)
	}
	cpu, err := os.ReadFile("testdata/v2-6.12/sys/fs/cgroup/cpu.stat")
	if err != nil {
		t.Fatal(err)
	}
	psi, err := os.ReadFile("testdata/v2-6.1/sys/fs/cgroup/cpu.pressure")
	if err != nil {
		t.Fatal(err)
	}
	var mst MemoryStat
	var cst CPUStat
	parseMemoryStat(mem, &mst)
	for name, fn := range map[string]func(){
		"memory.stat":  func() { parseMemoryStat(mem, &mst) },
		"cpu.stat":     func() { parseCPUStat(cpu, &cst) },
		"cpu.pressure": func() { procfs.ParsePressure(psi) },
		"memory.max":   func() { parseMaxLine([]byte("max\n")) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocations per parse", name, n)
		}
	}
}

func BenchmarkParseMemoryStat(b *testing.B) {
	mem, err := os.ReadFile("testdata/v2-6.12/sys/fs/cgroup/memory.stat")
	if err != nil {
		b.Fatal(err)
	}
	var st MemoryStat
	b.ReportAllocs()
	for b.Loop() {
		if err := parseMemoryStat(mem, &st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCPUStat(b *testing.B) {
	c, err := mustFS(b, "testdata/v2-6.12").Open("/")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var st CPUStat
	b.ReportAllocs()
	for b.Loop() {
		if err := c.ReadCPUStat(&st); err != nil {
			b.Fatal(err)
		}
	}
}
