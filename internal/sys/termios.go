package sys

// The terminal ioctls of tty_ioctl(4) and pty(7). Their request numbers
// differ between architectures (TCGETS is 0x5401 on x86 and the generic
// layout, 0x402c7413 on powerpc), so they come from x/sys, which has each
// architecture's value.

import (
	"golang.org/x/sys/unix"
)

// Tcgets checks that fd is a terminal: TCGETS (tcgetattr(3)) succeeds on
// a terminal and fails with ENOTTY on anything else, which is isatty(3)'s
// test. The attributes themselves are not returned.
func Tcgets(fd int) error {
	err := retry(func() error {
		_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		return err
	})
	return wrap("ioctl TCGETS", err)
}

// Winsize is struct winsize: a terminal's size in characters (and, rarely
// set, in pixels).
type Winsize struct {
	Rows, Cols, XPixel, YPixel uint16
}

// GetWinsize returns the window size of the terminal fd (TIOCGWINSZ). A
// terminal whose size nobody set (a serial line, a fresh pseudoterminal)
// reports 0 rows and 0 columns.
func GetWinsize(fd int) (Winsize, error) {
	ws, err := retry1(func() (*unix.Winsize, error) { return unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ) })
	if err != nil {
		return Winsize{}, wrap("ioctl TIOCGWINSZ", err)
	}
	return Winsize{Rows: ws.Row, Cols: ws.Col, XPixel: ws.Xpixel, YPixel: ws.Ypixel}, nil
}

// SetWinsize sets the window size of the terminal fd (TIOCSWINSZ); the
// kernel sends SIGWINCH to its foreground process group when it changes.
func SetWinsize(fd int, ws Winsize) error {
	uws := unix.Winsize{Row: ws.Rows, Col: ws.Cols, Xpixel: ws.XPixel, Ypixel: ws.YPixel}
	return wrap("ioctl TIOCSWINSZ", retry(func() error { return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &uws) }))
}

// Unlockpt unlocks the pseudoterminal pair of the master fd (a
// descriptor of /dev/ptmx), so that its peer can be opened: TIOCSPTLCK
// with 0, unlockpt(3).
func Unlockpt(fd int) error {
	return wrap("ioctl TIOCSPTLCK", retry(func() error { return unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0) }))
}

// PtyPeer opens the peer (slave) of the pseudoterminal master fd with
// flags (O_RDWR, O_NOCTTY, ...; O_CLOEXEC is added) and returns it as an
// owned FD:
// TIOCGPTPEER, Linux 4.13, which unlike opening /dev/pts/N by name cannot
// be fooled by another devpts mounted over the path. Before 4.13 it fails
// with EINVAL or ENOTTY.
func PtyPeer(fd int, flags int) (*FD, error) {
	peer, err := Ioctl(fd, IoctlReq(unix.TIOCGPTPEER), uintptr(flags|unix.O_CLOEXEC))
	if err != nil {
		return nil, err
	}
	return NewFD(peer), nil
}
