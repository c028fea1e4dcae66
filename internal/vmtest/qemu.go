package vmtest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// QemuPath finds qemu-system-x86_64: $LX_VMTEST_QEMU, else $PATH. The
// error names the Debian package to install.
func QemuPath() (string, error) {
	if p := os.Getenv("LX_VMTEST_QEMU"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return "", fmt.Errorf("vmtest: qemu-system-x86_64 not found (apt-get install --no-install-recommends qemu-system-x86): %w", err)
	}
	return p, nil
}

// baseCmdline is the kernel command line every guest gets: console on the
// first serial port, reboot (which -no-reboot turns into qemu's exit) right
// away on a panic, our /init, and only warnings on the console.
var baseCmdline = []string{"console=ttyS0", "panic=-1", "rdinit=/init", "quiet"}

// qemuArgs is qemu-system-x86_64's command line for o. TCG is the only
// accelerator that boots a Linux guest on these machines (their KVM is
// PVM), and it runs single-threaded (thread=single): with one host
// thread per vCPU (MTTCG) the 6.12 guests died now and then in a kernel
// oops executing the middle of a 5-byte NOP ("0f <1f> 44 00 00" at
// get_page_from_freelist+0xa1), a jump label the other vCPU was
// patching: cross-modifying code that multi-threaded TCG mishandled. A
// CI run lost both boots of one guest to it. Single-threaded TCG runs
// the vCPUs in turn, which costs the matrix about twice its time (7
// minutes instead of 3 here). -cpu max gives the guest every feature TCG emulates, RDRAND
// included, so the guest's CRNG is ready early. The first serial port is
// the console on standard output, the second one carries the results into
// the file results. -nodefaults drops the NIC and VGA the guest does not
// need.
func qemuArgs(o *Options, initrd, results string) []string {
	args := []string{
		"-nodefaults", "-no-user-config", "-nographic", "-monitor", "none",
		"-accel", "tcg,thread=single", "-cpu", "max",
		"-smp", fmt.Sprint(o.CPUs),
		"-m", fmt.Sprintf("%dM", o.MemoryMB),
	}
	if o.NUMANodes > 1 {
		// qemu 7.2 refuses -numa node,mem= on current machine types, so
		// each node gets its own memory backend. CPUs go to nodes in
		// contiguous ranges; a node may have none (memory-only node).
		per := o.MemoryMB / o.NUMANodes
		for n := range o.NUMANodes {
			mem := per
			if n == o.NUMANodes-1 {
				mem = o.MemoryMB - per*(o.NUMANodes-1)
			}
			args = append(args, "-object", fmt.Sprintf("memory-backend-ram,id=lxmem%d,size=%dM", n, mem))
			node := fmt.Sprintf("node,nodeid=%d,memdev=lxmem%d", n, n)
			first, last := n*o.CPUs/o.NUMANodes, (n+1)*o.CPUs/o.NUMANodes-1
			if last >= first {
				node += fmt.Sprintf(",cpus=%d-%d", first, last)
			}
			args = append(args, "-numa", node)
		}
	}
	cmdline := append(append([]string{}, baseCmdline...), o.Cmdline...)
	args = append(args,
		"-kernel", o.Kernel.Vmlinuz,
		"-initrd", initrd,
		"-append", strings.Join(cmdline, " "),
		"-serial", "stdio",
		"-serial", "file:"+results,
		"-no-reboot",
	)
	return args
}
