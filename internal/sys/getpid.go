package sys

import "golang.org/x/sys/unix"

// getpid(2) and gettid(2).

// Gettid returns the calling thread's id.
func Gettid() int { return unix.Gettid() }

// Getpid returns the process id.
func Getpid() int { return unix.Getpid() }
