package vm_test

import (
	"fmt"
	"log"
	"os"

	"github.com/lxgo/lx/vm"
)

// Map anonymous memory, use it, give it back.
func ExampleMap() {
	r, err := vm.Map(4*vm.Pagesize(), &vm.MapOptions{NoReserve: true})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	b := r.Bytes()
	copy(b, "hello")
	fmt.Println(string(b[:5]), r.Len() == 4*vm.Pagesize())
	// Output: hello true
}

// Which pages of a mapping are in RAM: the pagemap file, one entry per
// page.
func ExamplePagemap_Read() {
	r, err := vm.Map(4*vm.Pagesize(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	r.Advise(vm.AdviceNoHugePage)
	r.Bytes()[0] = 1 // touch the first page only
	pm, err := vm.OpenPagemap(os.Getpid(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer pm.Close()
	entries := make([]vm.Entry, 4)
	if _, err := pm.Read(r.Addr(), entries); err != nil {
		log.Fatal(err)
	}
	for i, e := range entries {
		fmt.Println(i, e.Present())
	}
	// Output:
	// 0 true
	// 1 false
	// 2 false
	// 3 false
}

// The runs of present pages, one PAGEMAP_SCAN ioctl for the whole range
// (Linux 6.7).
func ExamplePagemap_Ranges() {
	r, err := vm.Map(1<<30, &vm.MapOptions{NoReserve: true})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	pm, err := vm.OpenPagemap(os.Getpid(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer pm.Close()
	for rg, err := range pm.Ranges(r.Addr(), r.Addr()+uintptr(r.Len()), &vm.ScanOptions{Require: vm.PagePresent}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%#x-%#x %v\n", rg.Start, rg.End, rg.Categories)
	}
}

// Read another process's memory at an address it uses, such as one
// read from its /proc/PID/maps.
func ExampleMemory_ReadAt() {
	pid, addr := os.Getpid(), int64(0x400000)
	m, err := vm.OpenMemory(pid, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	buf := make([]byte, 64)
	n, err := m.ReadAt(buf, addr)
	fmt.Println(n, err)
}
