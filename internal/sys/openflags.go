package sys

import "golang.org/x/sys/unix"

// Open flags as the kernel stores them in a file's f_flags and prints them
// in /proc/PID/fdinfo (octal "flags:" line). They differ between
// architectures, so they come from x/sys; O_LARGEFILE_KERNEL is the one
// exception (openflags_*.go).
const (
	O_ACCMODE = unix.O_ACCMODE
	O_CREAT   = unix.O_CREAT
	O_EXCL    = unix.O_EXCL
	O_NOCTTY  = unix.O_NOCTTY
	O_TRUNC   = unix.O_TRUNC
	O_APPEND  = unix.O_APPEND
	O_DSYNC   = unix.O_DSYNC
	O_ASYNC   = unix.O_ASYNC
	O_DIRECT  = unix.O_DIRECT
	O_NOATIME = unix.O_NOATIME
	O_SYNC    = unix.O_SYNC    // __O_SYNC|O_DSYNC
	O_TMPFILE = unix.O_TMPFILE // __O_TMPFILE|O_DIRECTORY
)
