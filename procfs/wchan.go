package procfs

import (
	"fmt"

	"github.com/lxgo/lx/internal/parse"
)

// WChan reads /proc/PID/wchan: the name of the kernel function the
// process is sleeping in ("do_epoll_wait", "hrtimer_nanosleep"), or ""
// when it is running, not blocked, or the reader lacks PTRACE_MODE_READ
// access to it (the kernel then prints "0", as it does for a running
// process). For a multithreaded process it describes the main thread; use
// a thread's Proc for the others. Needs CONFIG_KALLSYMS for names.
func (p Proc) WChan() (string, error) {
	var s string
	err := p.readSingle("wchan", func(b []byte) error {
		s = parseWChan(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("wchan read: %w", err)
	}
	return s, nil
}

// parseWChan returns the symbol of a wchan file, "" for "0".
func parseWChan(b []byte) string {
	b = parse.Trim(b)
	if len(b) == 0 || string(b) == "0" {
		return ""
	}
	return string(b)
}
