package sys

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// uname(2) and sethostname(2): the UTS names.

// Utsname is uname(2)'s answer as Go strings.
type Utsname struct {
	Sysname, Nodename, Release, Version, Machine, Domainname string
}

// Uname calls uname(2).
func Uname() (Utsname, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return Utsname{}, wrap("uname", err)
	}
	s := func(b []byte) string {
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		return string(b)
	}
	return Utsname{s(u.Sysname[:]), s(u.Nodename[:]), s(u.Release[:]), s(u.Version[:]), s(u.Machine[:]), s(u.Domainname[:])}, nil
}

// Sethostname sets the hostname of the calling thread's UTS namespace.
func Sethostname(name string) error { return wrap("sethostname", unix.Sethostname([]byte(name))) }
