package landlock

import (
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// AccessFS is a set of filesystem access rights, the LANDLOCK_ACCESS_FS_*
// bits of include/uapi/linux/landlock.h. Its text form is the kernel's:
// the names that Landlock's audit records give the rights in their
// "blockers=" field ("fs.read_file,fs.read_dir", Linux 6.15), with bits
// lx does not name as one hexadecimal number at the end and "none" for
// the empty set.
type AccessFS uint64

// Filesystem rights, with the Landlock ABI (and kernel) that brought each.
const (
	Execute    AccessFS = sys.LANDLOCK_ACCESS_FS_EXECUTE     // ABI 1 (5.13): execute a file
	WriteFile  AccessFS = sys.LANDLOCK_ACCESS_FS_WRITE_FILE  // ABI 1: open a file for writing
	ReadFile   AccessFS = sys.LANDLOCK_ACCESS_FS_READ_FILE   // ABI 1: open a file for reading
	ReadDir    AccessFS = sys.LANDLOCK_ACCESS_FS_READ_DIR    // ABI 1: list a directory
	RemoveDir  AccessFS = sys.LANDLOCK_ACCESS_FS_REMOVE_DIR  // ABI 1: remove or rename away a directory
	RemoveFile AccessFS = sys.LANDLOCK_ACCESS_FS_REMOVE_FILE // ABI 1: unlink or rename away a file
	MakeChar   AccessFS = sys.LANDLOCK_ACCESS_FS_MAKE_CHAR   // ABI 1: create a character device
	MakeDir    AccessFS = sys.LANDLOCK_ACCESS_FS_MAKE_DIR    // ABI 1: create a directory
	MakeReg    AccessFS = sys.LANDLOCK_ACCESS_FS_MAKE_REG    // ABI 1: create a regular file
	MakeSock   AccessFS = sys.LANDLOCK_ACCESS_FS_MAKE_SOCK   // ABI 1: create a unix socket
	MakeFifo   AccessFS = sys.LANDLOCK_ACCESS_FS_MAKE_FIFO   // ABI 1: create a named pipe
	MakeBlock  AccessFS = sys.LANDLOCK_ACCESS_FS_MAKE_BLOCK  // ABI 1: create a block device
	MakeSym    AccessFS = sys.LANDLOCK_ACCESS_FS_MAKE_SYM    // ABI 1: create a symbolic link
	Refer      AccessFS = sys.LANDLOCK_ACCESS_FS_REFER       // ABI 2 (5.19): link or rename into another directory
	Truncate   AccessFS = sys.LANDLOCK_ACCESS_FS_TRUNCATE    // ABI 3 (6.2): truncate(2), ftruncate(2), O_TRUNC
	IoctlDev   AccessFS = sys.LANDLOCK_ACCESS_FS_IOCTL_DEV   // ABI 5 (6.10): ioctl(2) on a device file
)

// FileAccess are the rights that apply to a file that is not a directory.
// A path rule on such a file may hold only these (the kernel answers
// EINVAL otherwise).
const FileAccess = Execute | WriteFile | ReadFile | Truncate | IoctlDev

// AccessNet is a set of network access rights, the LANDLOCK_ACCESS_NET_*
// bits (Landlock ABI 4, Linux 6.7). Its text form is the audit records'
// ("net.bind_tcp,net.connect_tcp"), as for AccessFS.
type AccessNet uint64

// Network rights (ABI 4, 6.7). They apply to TCP sockets only, not to
// Multipath TCP (IPPROTO_MPTCP) sockets, which a 2025 kernel fix
// ("landlock: Fix non-TCP sockets restriction") excluded from them
// although such a socket can bind and connect to plain TCP endpoints
// (github.com/landlock-lsm/linux/issues/54; so on this 6.18 machine). Go's
// net.Listen makes MPTCP sockets by default since Go 1.24 (GODEBUG
// multipathtcp), so a Go program that relies on these rights listens
// with a net.ListenConfig on which SetMultipathTCP(false) was called, and
// a sandbox for other code also refuses socket(2) with IPPROTO_MPTCP (a
// seccomp rule).
const (
	BindTCP    AccessNet = sys.LANDLOCK_ACCESS_NET_BIND_TCP    // bind(2) a TCP socket to a port
	ConnectTCP AccessNet = sys.LANDLOCK_ACCESS_NET_CONNECT_TCP // connect(2) a TCP socket to a port
)

// Scope is a set of IPC scopes, the LANDLOCK_SCOPE_* bits (Landlock ABI 6,
// Linux 6.12): a restricted thread may not reach beyond its Landlock
// domain through them. The text form is the audit records'
// ("scope.signal"), as for AccessFS.
type Scope uint64

// Scopes (ABI 6, 6.12).
const (
	// AbstractUnixSocket refuses connecting to an abstract unix socket
	// created outside the domain.
	AbstractUnixSocket Scope = sys.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
	// Signal refuses sending a signal to a process outside the domain
	// (kill(2), pidfd_send_signal(2), F_SETOWN's SIGIO/SIGURG).
	Signal Scope = sys.LANDLOCK_SCOPE_SIGNAL
)

// The text forms. Names are security/landlock/audit.c's.
var (
	fsText = flagtext.Format[AccessFS]{Sep: ',', None: "none", Flags: []flagtext.Flag[AccessFS]{
		{Bits: Execute, Name: "fs.execute"},
		{Bits: WriteFile, Name: "fs.write_file"},
		{Bits: ReadFile, Name: "fs.read_file"},
		{Bits: ReadDir, Name: "fs.read_dir"},
		{Bits: RemoveDir, Name: "fs.remove_dir"},
		{Bits: RemoveFile, Name: "fs.remove_file"},
		{Bits: MakeChar, Name: "fs.make_char"},
		{Bits: MakeDir, Name: "fs.make_dir"},
		{Bits: MakeReg, Name: "fs.make_reg"},
		{Bits: MakeSock, Name: "fs.make_sock"},
		{Bits: MakeFifo, Name: "fs.make_fifo"},
		{Bits: MakeBlock, Name: "fs.make_block"},
		{Bits: MakeSym, Name: "fs.make_sym"},
		{Bits: Refer, Name: "fs.refer"},
		{Bits: Truncate, Name: "fs.truncate"},
		{Bits: IoctlDev, Name: "fs.ioctl_dev"},
	}}
	netText = flagtext.Format[AccessNet]{Sep: ',', None: "none", Flags: []flagtext.Flag[AccessNet]{
		{Bits: BindTCP, Name: "net.bind_tcp"},
		{Bits: ConnectTCP, Name: "net.connect_tcp"},
	}}
	scopeText = flagtext.Format[Scope]{Sep: ',', None: "none", Flags: []flagtext.Flag[Scope]{
		{Bits: AbstractUnixSocket, Name: "scope.abstract_unix_socket"},
		{Bits: Signal, Name: "scope.signal"},
	}}
)

// String returns the text form, "fs.read_file,fs.read_dir".
func (a AccessFS) String() string { return fsText.String(a) }

// MarshalText returns String's text.
func (a AccessFS) MarshalText() ([]byte, error) { return fsText.Append(nil, a), nil }

// UnmarshalText sets *a from ParseAccessFS's form.
func (a *AccessFS) UnmarshalText(text []byte) error {
	return fsText.Unmarshal(a, text, "landlock: invalid filesystem access")
}

// ParseAccessFS reads String's form: "none", or names and "0x" numbers
// separated by commas, in any order. An unknown name is an error wrapping
// strconv.ErrSyntax.
func ParseAccessFS(s string) (AccessFS, error) {
	var a AccessFS
	err := a.UnmarshalText([]byte(s))
	return a, err
}

// String returns the text form, "net.bind_tcp".
func (a AccessNet) String() string { return netText.String(a) }

// MarshalText returns String's text.
func (a AccessNet) MarshalText() ([]byte, error) { return netText.Append(nil, a), nil }

// UnmarshalText sets *a from ParseAccessNet's form.
func (a *AccessNet) UnmarshalText(text []byte) error {
	return netText.Unmarshal(a, text, "landlock: invalid network access")
}

// ParseAccessNet reads String's form, as ParseAccessFS does.
func ParseAccessNet(s string) (AccessNet, error) {
	var a AccessNet
	err := a.UnmarshalText([]byte(s))
	return a, err
}

// String returns the text form, "scope.signal".
func (s Scope) String() string { return scopeText.String(s) }

// MarshalText returns String's text.
func (s Scope) MarshalText() ([]byte, error) { return scopeText.Append(nil, s), nil }

// UnmarshalText sets *s from ParseScope's form.
func (s *Scope) UnmarshalText(text []byte) error {
	return scopeText.Unmarshal(s, text, "landlock: invalid scope")
}

// ParseScope reads String's form, as ParseAccessFS does.
func ParseScope(s string) (Scope, error) {
	var v Scope
	err := v.UnmarshalText([]byte(s))
	return v, err
}
