package procfs

// Cmdline reads /proc/PID/cmdline: the process's argument vector as it is
// now in the process's memory. Every argument is kept exactly: empty ones,
// and bytes that are not UTF-8 (Go strings hold any bytes). A process that
// rewrote its argument area (setproctitle) shows what it wrote, which may
// be one string with spaces. Kernel threads and zombies have no command
// line: the result is empty. Any user may read it, unless the mount has
// hidepid. The strings share one allocation.
func (p Proc) Cmdline() ([]string, error) {
	args, err := read(p, "cmdline", func(b []byte) ([]string, error) { return parseCmdline(b), nil })
	if noMemory(err) {
		return nil, nil // no user memory: no command line
	}
	return args, err
}

// parseCmdline splits NUL-terminated strings. The last one may lack its
// NUL (the kernel shows a rewritten argument area up to its first NUL).
func parseCmdline(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	n := 0
	for _, c := range b {
		if c == 0 {
			n++
		}
	}
	if b[len(b)-1] != 0 {
		n++
	}
	s := string(b)
	args := make([]string, 0, n)
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != 0 {
			i++
		}
		args = append(args, s[:i])
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return args
}

// appendCmdline is the inverse of parseCmdline: it formats args as the
// kernel stores them (each one NUL-terminated).
func appendCmdline(b []byte, args []string) []byte {
	for _, a := range args {
		b = append(append(b, a...), 0)
	}
	return b
}
