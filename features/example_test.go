package features_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/lxgo/lx/features"
)

func ExampleList() {
	for _, f := range features.List() {
		fmt.Printf("%s (Linux %s)\n", f.Name, f.MinKernel)
	}
	// Output:
	// pidfd_open (Linux 5.3)
	// pidfs (Linux 6.9)
	// PIDFD_GET_INFO (Linux 6.13)
	// clone3 (Linux 5.3)
	// openat2 (Linux 5.6)
	// statmount/listmount (Linux 6.8)
	// io_uring (Linux 5.1)
	// landlock (Linux 5.13)
	// seccomp user notification (Linux 5.0)
	// userfaultfd (Linux 4.3)
	// memfd_secret (Linux 6.5)
	// MPOL_WEIGHTED_INTERLEAVE (Linux 6.9)
	// PAGEMAP_SCAN (Linux 6.7)
	// fanotify FAN_REPORT_FID (Linux 5.1)
}

// Probe everything and print a table: yes, no (the kernel lacks it) or
// unknown (the probe was not allowed to tell).
func ExampleProbe() {
	for _, s := range features.Probe(context.Background()) {
		switch {
		case s.Available:
			fmt.Printf("%-26s yes %s\n", s.Feature.Name, s.Detail)
		case errors.Is(s.Err, errors.ErrUnsupported):
			fmt.Printf("%-26s no  (needs Linux %s)\n", s.Feature.Name, s.Feature.MinKernel)
		default:
			fmt.Printf("%-26s ?   %v\n", s.Feature.Name, s.Err)
		}
	}
}

func ExampleCheck() {
	s, err := features.Check("landlock")
	if err != nil {
		panic(err) // only for a name not in List
	}
	if s.Available {
		fmt.Println("Landlock", s.Detail)
	}
}
