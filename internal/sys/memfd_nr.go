//go:build linux && !arm

package sys

import "golang.org/x/sys/unix"

// sysMemfdSecret is memfd_secret(2)'s number.
const sysMemfdSecret = unix.SYS_MEMFD_SECRET
