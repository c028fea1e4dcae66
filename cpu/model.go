package cpu

import (
	"fmt"
	"io/fs"

	"github.com/lxgo/lx/procfs"
)

// Model names the processor and its features, as /proc/cpuinfo reports
// them (procfs parses the file for every architecture).
type Model struct {
	// Name is the model name ("Intel(R) Xeon(R) Processor"); see
	// procfs.CPUInfo.ModelName for where each architecture prints it.
	// Empty where the architecture prints none.
	Name string
	// Vendor is the vendor id (x86: "GenuineIntel", "AuthenticAMD").
	Vendor string
	// Flags are the CPU's features in the kernel's order.
	Flags procfs.CPUFlags
}

// Model reads root/proc/cpuinfo (proc(5); no privilege) and returns the
// first CPU's model. CPUs of one machine usually agree; on hybrid
// machines (big.LITTLE, Intel's P- and E-cores) they may differ in name
// or flags, and procfs.FS.CPUInfo gives each CPU's own.
func (fsys FS) Model() (Model, error) {
	pfs, err := procfs.NewFS(fsys.fs.Root)
	if err != nil {
		return Model{}, fmt.Errorf("cpu model read: %w", err)
	}
	infos, err := pfs.CPUInfo()
	if err != nil {
		return Model{}, fmt.Errorf("cpu model read: %w", err)
	}
	if len(infos) == 0 {
		return Model{}, fmt.Errorf("cpu model read: /proc/cpuinfo lists no CPU: %w", fs.ErrNotExist)
	}
	i := infos[0]
	return Model{Name: i.ModelName, Vendor: i.VendorID, Flags: i.Flags}, nil
}
