package procfs

import "github.com/lxgo/lx/internal/parse"

// IO is /proc/PID/io: I/O counters of a process (all its threads, and
// its waited-for children) or of one thread. The *Bytes fields count
// storage I/O; RChar and WChar count every byte passed to read/write-like
// calls, including tty and pipe I/O and page-cache hits.
type IO struct {
	RChar               uint64 // bytes read by read(2), pread(2), sendfile, ...
	WChar               uint64 // bytes written by write(2) and friends
	SyscR               uint64 // read-like system calls
	SyscW               uint64 // write-like system calls
	ReadBytes           uint64 // bytes fetched from storage
	WriteBytes          uint64 // bytes sent (or to be sent) to storage
	CancelledWriteBytes uint64 // bytes of WriteBytes truncated away before writeback
}

// IO reads /proc/PID/io. It needs CONFIG_TASK_IO_ACCOUNTING and ptrace read
// access to the process (PTRACE_MODE_READ_FSCREDS: the same user, or
// CAP_SYS_PTRACE); without it the error matches fs.ErrPermission. It
// allocates nothing in steady state.
func (p Proc) IO() (IO, error) {
	var io IO
	err := readInto(p, "io", &io, parseIO)
	return io, err
}

func parseIO(b []byte, io *IO) error {
	*io = IO{}
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		key, v, ok := parse.KeyValue(line, ':')
		if !ok {
			continue
		}
		var dst *uint64
		switch string(key) {
		case "rchar":
			dst = &io.RChar
		case "wchar":
			dst = &io.WChar
		case "syscr":
			dst = &io.SyscR
		case "syscw":
			dst = &io.SyscW
		case "read_bytes":
			dst = &io.ReadBytes
		case "write_bytes":
			dst = &io.WriteBytes
		case "cancelled_write_bytes":
			dst = &io.CancelledWriteBytes
		default:
			continue
		}
		x, err := parse.Uint(v)
		if err != nil {
			return parseErr(n, string(key), err)
		}
		*dst = x
	}
	return nil
}
