package seccomp

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestArch(t *testing.T) {
	for a, want := range map[Arch]string{Arch386: "386", ArchAMD64: "amd64", ArchARM: "arm", ArchARM64: "arm64", ArchRISCV64: "riscv64", 0xc0000016: "0xc0000016", 0: "0x0"} {
		if got := a.String(); got != want {
			t.Errorf("Arch(%#x).String() = %q, want %q", uint32(a), got, want)
		}
		if back, err := ParseArch(want); err != nil || back != a {
			t.Errorf("ParseArch(%q) = %v, %v", want, back, err)
		}
	}
	for _, bad := range []string{"", "x86_64", "AMD64", "0x", "0xC0000016", "0x00", "0xc000003e", "0x100000000", " amd64"} {
		if a, err := ParseArch(bad); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "\""+bad+"\"") {
			t.Errorf("ParseArch(%q) = %v, %v; want an error naming it", bad, a, err)
		}
	}
	if !ArchAMD64.Is64Bit() || Arch386.Is64Bit() || ArchARM.Is64Bit() || !ArchRISCV64.Is64Bit() {
		t.Error("Is64Bit is wrong")
	}
	b, err := json.Marshal([]Arch{ArchARM64})
	if err != nil || string(b) != `["arm64"]` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back []Arch
	if err := json.Unmarshal(b, &back); err != nil || back[0] != ArchARM64 {
		t.Errorf("Unmarshal = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`["sparc"]`), &back); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Unmarshal sparc = %v", err)
	}
}

func TestNativeArch(t *testing.T) {
	a, err := NativeArch()
	switch runtime.GOARCH {
	case "386", "amd64", "arm", "arm64", "riscv64":
		if err != nil || a.String() != runtime.GOARCH {
			t.Fatalf("NativeArch() = %v, %v", a, err)
		}
	default:
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("NativeArch() = %v, %v; want ErrUnsupported", a, err)
		}
	}
}

func TestLookup(t *testing.T) {
	// Numbers from each architecture's unistd table in the kernel tree.
	for _, c := range []struct {
		arch Arch
		name string
		nr   Syscall
	}{
		{ArchAMD64, "read", 0}, {ArchAMD64, "openat", 257}, {ArchAMD64, "mkdirat", 258}, {ArchAMD64, "getpid", 39},
		{ArchARM64, "openat", 56}, {ArchARM64, "newfstatat", 79}, {ArchRISCV64, "riscv_flush_icache", 259},
		{Arch386, "_llseek", 140}, {Arch386, "openat", 295}, {ArchARM, "openat", 322}, {ArchARM, "restart_syscall", 0},
		{ArchAMD64, "seccomp", 317}, {ArchARM64, "seccomp", 277}, {Arch386, "seccomp", 354},
	} {
		nr, err := c.arch.Lookup(c.name)
		if err != nil || nr != c.nr {
			t.Errorf("%v.Lookup(%q) = %v, %v; want %d", c.arch, c.name, nr, err, c.nr)
		}
		if name, ok := c.arch.Name(c.nr); !ok || name != c.name {
			t.Errorf("%v.Name(%d) = %q, %v; want %q", c.arch, c.nr, name, ok, c.name)
		}
	}
	for _, c := range []struct {
		arch Arch
		name string
	}{{ArchAMD64, "open\n"}, {ArchARM64, "open"}, {ArchAMD64, "OPENAT"}, {ArchAMD64, ""}, {0x1234, "openat"}, {ArchAMD64, "syscall_mask"}, {ArchARM, "syscall_mask"}} {
		if nr, err := c.arch.Lookup(c.name); !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), strings.ReplaceAll(c.name, "\n", `\n`)) {
			t.Errorf("%v.Lookup(%q) = %v, %v; want an error naming it", c.arch, c.name, nr, err)
		}
	}
	for _, a := range Arches() {
		max, ok := a.MaxSyscall()
		if !ok || max < 400 {
			t.Errorf("%v.MaxSyscall() = %d, %v", a, max, ok)
		}
		if _, ok := a.Name(max + 1); ok {
			t.Errorf("%v.Name(%d) exists", a, max+1)
		}
		if name, ok := a.Name(max); !ok || name == "" {
			t.Errorf("%v.Name(max) = %q, %v", a, name, ok)
		}
		n := 0
		for nr := Syscall(0); nr <= max; nr++ {
			if name, ok := a.Name(nr); ok {
				n++
				if back, err := a.Lookup(name); err != nil || back != nr {
					t.Errorf("%v: %q is %d, Lookup = %d, %v", a, name, nr, back, err)
				}
			}
		}
		if n < 300 {
			t.Errorf("%v has %d system calls", a, n)
		}
	}
	if _, ok := Arch(0).Name(0); ok {
		t.Error("Arch(0).Name(0) exists")
	}
}

// TestSysnumSource checks that zsysnum.go came from the x/sys version
// go.mod requires: after an upgrade, go generate must run again.
func TestSysnumSource(t *testing.T) {
	if os.Getenv("LX_VMTEST_GUEST") == "1" {
		t.Skip("a source check: the kernel-matrix guests have the test binary, not the module")
	}
	b, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\n\t"+sysnumSource+"\n") && !strings.Contains(string(b), "require "+sysnumSource+"\n") {
		t.Fatalf("zsysnum.go is from %s, which go.mod does not require: run go generate ./seccomp", sysnumSource)
	}
}
