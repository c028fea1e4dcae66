package procfs

import "github.com/lxgo/lx/internal/parse"

// WChan reads /proc/PID/wchan: the name of the kernel function the
// process is sleeping in ("do_epoll_wait", "hrtimer_nanosleep"), or ""
// when it is running, not blocked, or the reader lacks PTRACE_MODE_READ
// access to it (the kernel then prints "0", as it does for a running
// process). For a multithreaded process it describes the main thread; use
// a thread's Proc for the others. Needs CONFIG_KALLSYMS for names.
func (p Proc) WChan() (string, error) {
	var s string
	err := readInto(p, "wchan", &s, parseWChan)
	return s, err
}

// parseWChan stores the symbol of a wchan file, "" for "0".
func parseWChan(b []byte, s *string) error {
	b = parse.Trim(b)
	if len(b) == 0 || string(b) == "0" {
		*s = ""
		return nil
	}
	*s = string(b)
	return nil
}
