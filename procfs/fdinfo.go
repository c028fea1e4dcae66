package procfs

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// OpenFlags are a file's status and access-mode flags as the kernel keeps
// them (f_flags) and prints them in fdinfo: the open(2) O_* flags. Their
// values are the kernel's for the architecture lx is built for. The kernel
// clears O_CREAT, O_EXCL, O_NOCTTY and O_TRUNC after open, so fdinfo never
// shows them; they are here for String and for callers that build flags.
type OpenFlags uint32

const (
	OpenReadOnly   OpenFlags = 0                      // O_RDONLY (access mode 0)
	OpenWriteOnly  OpenFlags = sys.O_WRONLY           // O_WRONLY
	OpenReadWrite  OpenFlags = sys.O_RDWR             // O_RDWR
	OpenAccessMode OpenFlags = sys.O_ACCMODE          // mask of the access mode
	OpenCreate     OpenFlags = sys.O_CREAT            // O_CREAT
	OpenExclusive  OpenFlags = sys.O_EXCL             // O_EXCL; on a pidfd: PIDFD_THREAD
	OpenNoCTTY     OpenFlags = sys.O_NOCTTY           // O_NOCTTY
	OpenTruncate   OpenFlags = sys.O_TRUNC            // O_TRUNC
	OpenAppend     OpenFlags = sys.O_APPEND           // O_APPEND
	OpenNonblock   OpenFlags = sys.O_NONBLOCK         // O_NONBLOCK
	OpenDSync      OpenFlags = sys.O_DSYNC            // O_DSYNC
	OpenAsync      OpenFlags = sys.O_ASYNC            // O_ASYNC (FASYNC): signal-driven I/O
	OpenDirect     OpenFlags = sys.O_DIRECT           // O_DIRECT
	OpenLargefile  OpenFlags = sys.O_LARGEFILE_KERNEL // O_LARGEFILE: set on every file a 64-bit process opens
	OpenDirectory  OpenFlags = sys.O_DIRECTORY        // O_DIRECTORY
	OpenNoFollow   OpenFlags = sys.O_NOFOLLOW         // O_NOFOLLOW
	OpenNoAtime    OpenFlags = sys.O_NOATIME          // O_NOATIME
	OpenCloexec    OpenFlags = sys.O_CLOEXEC          // O_CLOEXEC: the descriptor's close-on-exec flag
	OpenSync       OpenFlags = sys.O_SYNC             // O_SYNC: includes O_DSYNC
	OpenPath       OpenFlags = sys.O_PATH             // O_PATH (2.6.39)
	OpenTmpfile    OpenFlags = sys.O_TMPFILE          // O_TMPFILE: includes O_DIRECTORY (3.11)
)

// openFlagText is the text form of OpenFlags without the access mode,
// in the order String prints. Multi-bit flags come before the single
// bits they include. Unknown bits print in octal, as fdinfo prints
// flags.
var openFlagText = flagtext.Format[OpenFlags]{
	Flags: []flagtext.Flag[OpenFlags]{
		{Bits: OpenTmpfile, Name: "O_TMPFILE"},
		{Bits: OpenSync, Name: "O_SYNC"},
		{Bits: OpenCreate, Name: "O_CREAT"},
		{Bits: OpenExclusive, Name: "O_EXCL"},
		{Bits: OpenNoCTTY, Name: "O_NOCTTY"},
		{Bits: OpenTruncate, Name: "O_TRUNC"},
		{Bits: OpenAppend, Name: "O_APPEND"},
		{Bits: OpenNonblock, Name: "O_NONBLOCK"},
		{Bits: OpenDSync, Name: "O_DSYNC"},
		{Bits: OpenAsync, Name: "O_ASYNC"},
		{Bits: OpenDirect, Name: "O_DIRECT"},
		{Bits: OpenLargefile, Name: "O_LARGEFILE"},
		{Bits: OpenDirectory, Name: "O_DIRECTORY"},
		{Bits: OpenNoFollow, Name: "O_NOFOLLOW"},
		{Bits: OpenNoAtime, Name: "O_NOATIME"},
		{Bits: OpenCloexec, Name: "O_CLOEXEC"},
		{Bits: OpenPath, Name: "O_PATH"},
	},
	Sep:   '|',
	None:  "0",
	Octal: true,
}

// accessModeNames are the names of the four access modes, by value.
var accessModeNames = [4]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}

// String returns the flags as "O_RDWR|O_CLOEXEC", access mode first
// (O_ACCMODE for the access mode 3, which open(2) reserves). Bits
// without a name are printed in octal at the end ("O_RDONLY|02000000"),
// as fdinfo prints flags.
func (f OpenFlags) String() string {
	b, _ := f.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (f OpenFlags) AppendText(b []byte) ([]byte, error) {
	b = append(b, accessModeNames[f&OpenAccessMode]...)
	if rest := f &^ OpenAccessMode; rest != 0 {
		b = openFlagText.Append(append(b, '|'), rest)
	}
	return b, nil
}

// MarshalText returns String's text.
func (f OpenFlags) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// UnmarshalText sets *f from String's form: an access mode name
// ("O_RDONLY", "O_WRONLY", "O_RDWR" or "O_ACCMODE") optionally followed
// by "|" and the other flags' names (as String prints them, in any
// order) or octal numbers with a leading 0 ("02000000"). The names are
// this architecture's values. Anything else, and a number with access
// mode bits, is an error wrapping strconv.ErrSyntax (strconv.ErrRange
// for a number beyond 32 bits).
func (f *OpenFlags) UnmarshalText(text []byte) error {
	mode, rest, more := strings.Cut(string(text), "|")
	i := slices.Index(accessModeNames[:], mode)
	if i < 0 {
		return fmt.Errorf("procfs: invalid open flags %q: want O_RDONLY, O_WRONLY, O_RDWR or O_ACCMODE first: %w",
			text, strconv.ErrSyntax)
	}
	var v OpenFlags
	if more {
		if rest == openFlagText.None { // "0" alone is the text of no flags, not of more flags
			return fmt.Errorf("procfs: invalid open flags %q: %w", text, strconv.ErrSyntax)
		}
		var err error
		if v, err = openFlagText.Parse(rest); err != nil {
			return fmt.Errorf("procfs: invalid open flags %q: %w", text, err)
		}
		if v&OpenAccessMode != 0 {
			return fmt.Errorf("procfs: invalid open flags %q: access mode bits after the access mode: %w",
				text, strconv.ErrSyntax)
		}
	}
	*f = v | OpenFlags(i)
	return nil
}

// FDInfo is /proc/PID/fdinfo/FD (proc(5) "/proc/pid/fdinfo"): the state
// of one open file description.
type FDInfo struct {
	Pos   int64     // file offset
	Flags OpenFlags // file status flags and access mode, with O_CLOEXEC of the descriptor
	MntID int       // id of the mount holding the file, as in mountinfo (3.15)
	Ino   uint64    // inode number of the file (5.14)

	// Pidfd reports that the descriptor is a pidfd: the file has a "Pid:"
	// line (5.4). PidfdPID is then the process's pid in the reader's pid
	// namespace, 0 when the process is not visible there, and -1 once it
	// has exited and been reaped. NSpid lists its pid in each pid
	// namespace from the reader's down to the process's own (absent
	// without CONFIG_PID_NS); when PidfdPID is 0 or -1 the kernel prints
	// only that value.
	Pidfd    bool
	PidfdPID int
	NSpid    []int

	// Extra holds the remaining lines, which depend on the kind of file,
	// in order and as printed: "eventfd-count:  5", "tfd: 3 events: 19
	// ...", "inotify wd:1 ...", "lock:\t1: FLOCK ...", "sigmask:\t...".
	Extra []string
}

// FDInfo reads /proc/PID/fdinfo/FD. Reading another user's process needs
// PTRACE_MODE_READ access; a descriptor that is not open gives an error
// matching fs.ErrNotExist; fd must be 0..2^31-1 (else the error matches
// fs.ErrInvalid).
func (p Proc) FDInfo(fd int) (FDInfo, error) {
	if err := checkFD(fd); err != nil {
		return FDInfo{}, fmt.Errorf("fdinfo read: %w", err)
	}
	var name [32]byte
	return read(p, string(strconv.AppendInt(append(name[:0], "fdinfo/"...), int64(fd), 10)), parseFDInfo)
}

// checkFD checks a descriptor number from a caller: the kernel's fds are
// non-negative C ints.
func checkFD(fd int) error {
	if fd < 0 || fd > 1<<31-1 {
		return &kernel.RangeError{What: "fd", Value: int64(fd), Min: 0, Max: 1<<31 - 1}
	}
	return nil
}

var errFDInfoLine = errors.New("line without ':'")

// parseFDInfo parses an fdinfo file.
func parseFDInfo(b []byte) (FDInfo, error) {
	var info FDInfo
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(line) == 0 {
			continue
		}
		key, val, ok := parse.KeyValue(line, ':')
		if !ok {
			return FDInfo{}, parseErr(n, "", errFDInfoLine)
		}
		var err error
		switch string(key) {
		case "pos":
			info.Pos, err = parse.Int(val)
		case "flags":
			var v uint64
			v, err = parse.UintBase(val, 8)
			if err == nil && v > 1<<32-1 {
				err = errRange("flags", val)
			}
			info.Flags = OpenFlags(v)
		case "mnt_id":
			var v int64
			v, err = parse.Int(val)
			if err == nil && (v < 0 || v > 1<<31-1) {
				err = errRange("mnt_id", val)
			}
			info.MntID = int(v)
		case "ino":
			info.Ino, err = parse.Uint(val)
		case "Pid":
			var v int64
			v, err = parse.Int(val)
			if err == nil && (v < -1 || v > kernel.MaxPID) {
				err = errRange("pid", val)
			}
			info.Pidfd, info.PidfdPID = true, int(v)
		case "NSpid":
			info.NSpid, err = parse.AppendInts(nil, val)
		default:
			info.Extra = append(info.Extra, string(line))
		}
		if err != nil {
			return FDInfo{}, parseErr(n, string(key), err)
		}
	}
	return info, nil
}
