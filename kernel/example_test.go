package kernel_test

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/lxgo/lx/kernel"
)

func ExampleParseVersion() {
	v, err := kernel.ParseVersion("6.1.0-56-amd64")
	if err != nil {
		panic(err)
	}
	fmt.Println(v, v.AtLeast(kernel.V(5, 10)), v.AtLeast(kernel.V(6, 9)))
	// Output: 6.1 true false
}

func ExampleFeatureError() {
	err := fmt.Errorf("pidfd info: %w", &kernel.FeatureError{
		Feature:   "PIDFD_GET_INFO",
		MinKernel: kernel.V(6, 13),
		Err:       os.NewSyscallError("ioctl", syscall.ENOTTY),
	})
	fmt.Println(errors.Is(err, errors.ErrUnsupported), errors.Is(err, syscall.ENOTTY))
	fmt.Println(err)
	// Output:
	// true true
	// pidfd info: PIDFD_GET_INFO is not supported by this kernel (needs Linux 6.13 or newer): ioctl: inappropriate ioctl for device
}

func ExampleRunning() {
	v, err := kernel.Running()
	if err != nil {
		panic(err)
	}
	fmt.Println("running Linux", v)
}

func ExampleBootTime() {
	boot, err := kernel.BootTime()
	if err != nil {
		panic(err)
	}
	fmt.Println("up for", time.Since(boot).Round(time.Second))
}
