package parse

import "bytes"

// NulEntry returns the next NUL-terminated entry of b, as found in
// /proc/PID/cmdline and /proc/PID/environ, and the bytes after its NUL. Empty
// entries are kept ("a\x00\x00b\x00" yields "a", "", "b"); a last entry
// without a terminating NUL (a process that rewrote its argv) is still
// returned. ok is false only when b is empty.
func NulEntry(b []byte) (entry, rest []byte, ok bool) {
	entry, rest, _ = bytes.Cut(b, nul)
	return entry, rest, len(b) > 0
}

var nul = []byte{0}
