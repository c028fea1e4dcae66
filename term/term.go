// Package term is the terminal side of the kernel's tty layer (tty_ioctl(4),
// termios(3), pty(7)): today whether a file is a terminal and its window
// size; termios modes, pseudoterminals and serial lines come later.
//
// Every function takes an *os.File and reaches its descriptor through
// SyscallConn, never File.Fd (which would switch the file to blocking mode
// and lose its deadlines); the file stays the caller's. The ioctls used
// exist in every Linux version, need no privilege, and act on the
// terminal, not on the calling thread or process.
package term

import (
	"errors"
	"fmt"
	"os"

	"github.com/lxgo/lx/internal/sys"
)

// IsTerminal reports whether f is a terminal (a console, a serial line,
// either side of a pseudoterminal), as isatty(3) does: by asking the
// kernel for its termios attributes (the TCGETS ioctl), which only a
// terminal has. A nil or closed f is not a terminal.
func IsTerminal(f *os.File) bool {
	return control(f, sys.Tcgets) == nil
}

// Size returns the window size of the terminal f in character cells
// (TIOCGWINSZ, tty_ioctl(4)): what the terminal emulator, ssh or whoever
// opened the pseudoterminal last set, and what `stty size` prints. A
// terminal whose size nobody set, such as a serial line, reports 0
// columns and 0 rows; callers treat that as unknown. For a file that is
// not a terminal the error matches syscall.ENOTTY.
func Size(f *os.File) (cols, rows int, err error) {
	var ws sys.Winsize
	err = control(f, func(fd int) error {
		var err error
		ws, err = sys.GetWinsize(fd)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("terminal size: %w", err)
	}
	return int(ws.Cols), int(ws.Rows), nil
}

var errNilFile = errors.New("nil file")

// control runs fn with f's descriptor and returns fn's error, or the
// error of reaching the descriptor (f nil or closed).
func control(f *os.File, fn func(fd int) error) error {
	if f == nil {
		return errNilFile
	}
	return sys.Control(f, fn)
}
