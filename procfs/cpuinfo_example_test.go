package procfs_test

import (
	"fmt"
	"log"

	"github.com/lxgo/lx/procfs"
)

// What /proc/cpuinfo says about the machine, whatever its architecture:
// the typed fields that architecture prints, then any line by its name.
func ExampleCPUInfo_Field() {
	cpus, err := procfs.Default().CPUInfo()
	if err != nil {
		log.Fatal(err)
	}
	c := cpus[0]
	fmt.Printf("%d CPUs, %s layout, model %q\n", len(cpus), c.Arch, c.ModelName)
	switch c.Arch {
	case procfs.CPUInfoArchX86:
		fmt.Println(c.VendorID, "family", c.CPUFamily, "model", c.Model, "avx2:", c.Flags.Has("avx2"))
	case procfs.CPUInfoArchARM, procfs.CPUInfoArchARM64:
		fmt.Printf("implementer %#x part %#x\n", c.CPUImplementer, c.CPUPart)
		if hw, ok := c.Field("Hardware"); ok { // 32-bit arm's trailer, shared by all CPUs
			fmt.Println("board:", hw)
		}
	case procfs.CPUInfoArchPowerPC:
		fmt.Printf("%s %s, PVR %#08x\n", c.PowerPC.Platform, c.PowerPC.Model, c.PowerPC.PVR)
	case procfs.CPUInfoArchS390:
		fmt.Printf("machine type %X\n", c.S390.Machine)
	case procfs.CPUInfoArchRISCV:
		fmt.Println("hart", c.RISCV.Hart, c.RISCV.ISA)
	}
	// Every line is kept: the CPU's own, then those printed once for all.
	for _, f := range c.Fields {
		fmt.Printf("  %s: %s\n", f.Key, f.Value)
	}
	for _, f := range c.Shared {
		fmt.Printf("  (all CPUs) %s: %s\n", f.Key, f.Value)
	}
}
