package landlock_test

import (
	"fmt"
	"os"

	"github.com/lxgo/lx/landlock"
)

// A thread that may read only under /usr: reading /etc is refused, and so
// it is for any program the function starts.
func ExampleRuleset_Do() {
	rs, err := landlock.New(&landlock.Options{
		HandledFS: landlock.ReadFile | landlock.ReadDir,
		Paths:     []landlock.PathRule{{Path: "/usr", Access: landlock.ReadFile | landlock.ReadDir}},
		Mode:      landlock.BestEffort,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rs.Close()
	err = rs.Do(func() error {
		_, err := os.ReadDir("/etc")
		return err
	})
	fmt.Println(err)
}

// What each Landlock ABI version added to the filesystem rights.
func ExampleABI_AccessFS() {
	for v := landlock.ABI(2); v <= landlock.MaxABI; v++ {
		fmt.Printf("%s (Linux %s): %s\n", v, v.MinKernel(), v.AccessFS()&^(v-1).AccessFS())
	}
	// Output:
	// ABI 2 (Linux 5.19): fs.refer
	// ABI 3 (Linux 6.2): fs.truncate
	// ABI 4 (Linux 6.7): none
	// ABI 5 (Linux 6.10): fs.ioctl_dev
	// ABI 6 (Linux 6.12): none
	// ABI 7 (Linux 6.15): none
}

// Rights print and parse as the kernel's audit records name them.
func ExampleParseAccessFS() {
	a, err := landlock.ParseAccessFS("fs.read_file,fs.execute")
	fmt.Println(a, err)
	fmt.Println(a&landlock.FileAccess == a)
	// Output:
	// fs.execute,fs.read_file <nil>
	// true
}

// BestEffort mode says what the running kernel could not enforce.
func ExampleRuleset_Dropped() {
	rs, err := landlock.New(&landlock.Options{
		HandledFS:  landlock.MaxABI.AccessFS(),
		HandledNet: landlock.BindTCP | landlock.ConnectTCP,
		Ports:      []landlock.PortRule{{Port: 443, Access: landlock.ConnectTCP}},
		Mode:       landlock.BestEffort,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rs.Close()
	if d := rs.Dropped(); !d.IsZero() {
		fmt.Printf("%s lacks %s %s; dropped port rules %v\n", rs.ABI(), d.FS, d.Net, d.Ports)
	}
}
