package cpu_test

import (
	"fmt"
	"log"

	"github.com/lxgo/lx/cpu"
)

// How many CPUs the machine has online and could have.
func Example() {
	online, err := cpu.Online()
	if err != nil {
		log.Fatal(err)
	}
	possible, err := cpu.Possible()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d possible CPUs online (%v)\n", online.Count(), possible.Count(), online)
}

// Reading a sysfs tree other than the host's: here a test fixture of a
// machine with CPUs taken offline.
func ExampleFS_Online() {
	fsys, err := cpu.NewFS("testdata/hotplug")
	if err != nil {
		log.Fatal(err)
	}
	online, err := fsys.Online()
	if err != nil {
		log.Fatal(err)
	}
	present, err := fsys.Present()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("online: ", online)
	fmt.Println("offline:", present.Difference(online))
	// Output:
	// online:  0-3,8-11,16
	// offline: 4-7,12-15,17-31
}
