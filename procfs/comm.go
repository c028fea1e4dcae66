package procfs

import (
	"errors"
	"fmt"
	"strconv"
)

// commMax is the capacity of Comm. A task's comm is at most 15 bytes
// (TASK_COMM_LEN 16 with its NUL), but for kernel threads the kernel shows
// a longer name in /proc/PID/{stat,status,comm} ("kworker/u8:2-events_unbound":
// the workqueue a worker serves, or the full name given to kthread_create),
// built in a 64-byte buffer (fs/proc/array.c proc_task_name). Names longer
// than commMax are truncated.
const commMax = 64

// Comm is a task's command name (comm, proc(5) /proc/PID/comm), held in a
// fixed-size array so that reading it allocates nothing. The name is the
// kernel's raw bytes: it may contain spaces, parentheses, newlines and
// invalid UTF-8, and may be empty. Compare with Equal, convert with String.
type Comm struct {
	n uint8
	b [commMax]byte
}

// MakeComm returns the Comm holding s (truncated to 64 bytes).
func MakeComm(s string) Comm {
	var c Comm
	c.n = uint8(copy(c.b[:], s))
	return c
}

// String returns the name as a string (it allocates).
func (c Comm) String() string { return string(c.b[:c.n]) }

// Bytes returns the name; the slice aliases c.
func (c *Comm) Bytes() []byte { return c.b[:c.n] }

// Len returns the length of the name in bytes.
func (c Comm) Len() int { return int(c.n) }

// Equal reports whether the name is s, without allocating.
func (c Comm) Equal(s string) bool { return string(c.b[:c.n]) == s }

// MarshalText returns the raw name, for encoding/json and friends.
func (c Comm) MarshalText() ([]byte, error) { return append([]byte(nil), c.b[:c.n]...), nil }

// UnmarshalText sets *c to exactly the bytes of text, which may be any
// bytes (MarshalText's raw name) up to what a Comm holds, 64 bytes: a
// user task's comm is at most 15 (TASK_COMM_LEN 16 less its NUL), a
// kernel thread's name as /proc shows it at most 63. Longer text is an
// error wrapping strconv.ErrRange, never truncated as MakeComm truncates.
func (c *Comm) UnmarshalText(text []byte) error {
	if len(text) > commMax {
		return fmt.Errorf("procfs: command name of %d bytes: longer than %d: %w", len(text), commMax, strconv.ErrRange)
	}
	*c = Comm{} // no bytes of the old name beyond the new one: == compares the whole array
	c.set(text)
	return nil
}

// set stores b, truncated to commMax bytes.
func (c *Comm) set(b []byte) { c.n = uint8(copy(c.b[:], b)) }

// Comm reads /proc/PID/comm (or /proc/PID/task/TID/comm), the task's
// command name: the executable's base name truncated to 15 bytes, or what
// the task set with prctl(PR_SET_NAME) or by writing the file (kernel
// threads show longer names, see Comm). For a process it is the name of the
// main thread. Available since Linux 2.6.33; any user may read it. It
// allocates nothing.
func (p Proc) Comm() (Comm, error) {
	var c Comm
	err := readInto(p, "comm", &c, parseComm)
	return c, err
}

var errCommNewline = errors.New("no trailing newline")

// parseComm parses the contents of a comm file: the raw name followed by one
// newline. Only that last newline is removed: a name may itself end in one.
func parseComm(b []byte, c *Comm) error {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return errCommNewline
	}
	c.set(b[:len(b)-1])
	return nil
}
