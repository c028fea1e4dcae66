// Package abi holds the kernel UAPI structs and constants that
// golang.org/x/sys/unix lacks, in the kernel's own memory layout, for
// internal/sys to pass to raw system calls and ioctls.
//
// Whatever a release of x/sys adds is dropped from here in favour of x/sys
// (internal/sys then re-exports it): lx keeps no second copy.
//
// There is one Go file per uapi header, named after it (linux/io_uring.h is
// io_uring.go), and each file names its header in a comment. Names follow
// the kernel: constants keep their C spelling (IORING_REGISTER_PROBE),
// structs are the C name in Go case (struct io_uring_params is
// IOUringParams). Only what lx code uses lives here.
//
// Every struct has a size/offset test. A struct that the installed headers
// (linux-libc-dev 6.1 on the build machines) define is compared with what
// gcc computes from the header; a newer one is pinned to the offsets in the
// upstream header, which the test cites with the kernel version. See
// abi_c_test.go for the harness.
//
// The package has no dependencies; it is the bottom layer of lx.
package abi
