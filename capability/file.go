package capability

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/sys"
)

// xattrName is the extended attribute that holds a file's capabilities.
const xattrName = "security.capability"

// FileVersion is the revision of a security.capability attribute
// (VFS_CAP_REVISION_*).
type FileVersion uint8

const (
	// FileVersion1 holds 32-bit sets (12 bytes; Linux 2.6.24). The
	// kernel still reads it; nothing writes it any more.
	FileVersion1 FileVersion = 1
	// FileVersion2 holds 64-bit sets (20 bytes; Linux 2.6.25): the
	// capabilities apply in every user namespace.
	FileVersion2 FileVersion = 2
	// FileVersion3 adds the root uid of the user namespace the
	// capabilities apply in (24 bytes; Linux 4.14): they apply to a
	// process in a user namespace whose uid 0 is that uid, or below it.
	FileVersion3 FileVersion = 3
)

// FileCaps are a file's capabilities (capabilities(7), "File
// capabilities"): the security.capability extended attribute, which
// execve(2) reads to compute the new program's sets. Effective is one
// flag, not a set: when it is set, every capability the program gains
// in its permitted set is also effective.
type FileCaps struct {
	Permitted   Set
	Inheritable Set
	Effective   bool // VFS_CAP_FLAGS_EFFECTIVE
	// Version is the attribute's revision. ParseFileCaps sets it; for
	// MarshalBinary 0 means FileVersion3 when RootUID is not 0 and
	// FileVersion2 otherwise.
	Version FileVersion
	// RootUID is the uid (a cred.UID) that is root in the user
	// namespace the capabilities belong to, in FileVersion3 only. The
	// kernel translates it: it reads and writes it as the caller's user
	// namespace sees it, and shows a version 3 attribute whose root is
	// the caller's own root as version 2.
	RootUID uint32
}

// State returns fc as libcap's cap_get_file(3) does: the permitted and
// inheritable sets, and as the effective set their union when Effective
// is set, nothing otherwise.
func (fc FileCaps) State() State {
	st := State{Permitted: fc.Permitted, Inheritable: fc.Inheritable}
	if fc.Effective {
		st.Effective = fc.Permitted | fc.Inheritable
	}
	return st
}

// String returns State's libcap text, as getcap(8) prints it
// ("cap_net_raw=ep"), followed for a version 3 attribute by its root
// uid as getcap -n prints it ("cap_net_raw=ep [rootid=1000]").
func (fc FileCaps) String() string {
	s := fc.State().String()
	if fc.version() == FileVersion3 {
		s += " [rootid=" + strconv.FormatUint(uint64(fc.RootUID), 10) + "]"
	}
	return s
}

// version returns the revision MarshalBinary writes.
func (fc FileCaps) version() FileVersion {
	switch {
	case fc.Version != 0:
		return fc.Version
	case fc.RootUID != 0:
		return FileVersion3
	}
	return FileVersion2
}

// AppendBinary appends the security.capability attribute of fc to b:
// the little-endian struct vfs_cap_data (version 1 and 2) or
// vfs_ns_cap_data (version 3). A version 1 attribute cannot hold a
// capability above 31, nor version 1 or 2 a RootUID: those are errors,
// as is an unknown Version.
func (fc FileCaps) AppendBinary(b []byte) ([]byte, error) {
	v := fc.version()
	var magic uint32
	switch v {
	case FileVersion1:
		if (fc.Permitted|fc.Inheritable)>>32 != 0 {
			return nil, fmt.Errorf("capability: file capabilities %v: version 1 holds capabilities 0 to 31 only: %w", fc, fs.ErrInvalid)
		}
		magic = abi.VFS_CAP_REVISION_1
	case FileVersion2:
		magic = abi.VFS_CAP_REVISION_2
	case FileVersion3:
		magic = abi.VFS_CAP_REVISION_3
	default:
		return nil, fmt.Errorf("capability: file capabilities: unknown version %d: %w", v, fs.ErrInvalid)
	}
	if v != FileVersion3 && fc.RootUID != 0 {
		return nil, fmt.Errorf("capability: file capabilities %v: a root uid needs version 3: %w", fc, fs.ErrInvalid)
	}
	if fc.Effective {
		magic |= abi.VFS_CAP_FLAGS_EFFECTIVE
	}
	b = binary.LittleEndian.AppendUint32(b, magic)
	b = binary.LittleEndian.AppendUint32(b, uint32(fc.Permitted))
	b = binary.LittleEndian.AppendUint32(b, uint32(fc.Inheritable))
	if v == FileVersion1 {
		return b, nil
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(fc.Permitted>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(fc.Inheritable>>32))
	if v == FileVersion3 {
		b = binary.LittleEndian.AppendUint32(b, fc.RootUID)
	}
	return b, nil
}

// MarshalBinary returns AppendBinary's attribute.
func (fc FileCaps) MarshalBinary() ([]byte, error) { return fc.AppendBinary(nil) }

// UnmarshalBinary sets *fc from an attribute ParseFileCaps accepts.
func (fc *FileCaps) UnmarshalBinary(b []byte) error {
	v, err := ParseFileCaps(b)
	if err != nil {
		return err
	}
	*fc = v
	return nil
}

// ParseFileCaps parses a security.capability attribute as the kernel's
// get_vfs_caps_from_disk reads it: revision 1 (12 bytes), 2 (20 bytes)
// or 3 (24 bytes) by its first little-endian word, whose only flag is
// VFS_CAP_FLAGS_EFFECTIVE. A size that does not match the revision, an
// unknown revision or another flag is an error wrapping fs.ErrInvalid.
func ParseFileCaps(b []byte) (FileCaps, error) {
	if len(b) < 4 {
		return FileCaps{}, fmt.Errorf("capability: file capabilities of %d bytes: %w", len(b), fs.ErrInvalid)
	}
	magic := binary.LittleEndian.Uint32(b)
	var fc FileCaps
	var size int
	switch magic & abi.VFS_CAP_REVISION_MASK {
	case abi.VFS_CAP_REVISION_1:
		fc.Version, size = FileVersion1, abi.XATTR_CAPS_SZ_1
	case abi.VFS_CAP_REVISION_2:
		fc.Version, size = FileVersion2, abi.XATTR_CAPS_SZ_2
	case abi.VFS_CAP_REVISION_3:
		fc.Version, size = FileVersion3, abi.XATTR_CAPS_SZ_3
	default:
		return FileCaps{}, fmt.Errorf("capability: file capabilities: unknown revision %#x: %w", magic&abi.VFS_CAP_REVISION_MASK, fs.ErrInvalid)
	}
	if len(b) != size {
		return FileCaps{}, fmt.Errorf("capability: file capabilities version %d of %d bytes, not %d: %w", fc.Version, len(b), size, fs.ErrInvalid)
	}
	if flags := magic &^ abi.VFS_CAP_REVISION_MASK; flags&^abi.VFS_CAP_FLAGS_EFFECTIVE != 0 {
		return FileCaps{}, fmt.Errorf("capability: file capabilities: unknown flags %#x: %w", flags, fs.ErrInvalid)
	}
	fc.Effective = magic&abi.VFS_CAP_FLAGS_EFFECTIVE != 0
	word := func(i int) Set { return Set(binary.LittleEndian.Uint32(b[4+4*i:])) }
	fc.Permitted, fc.Inheritable = word(0), word(1)
	if fc.Version >= FileVersion2 {
		fc.Permitted |= word(2) << 32
		fc.Inheritable |= word(3) << 32
	}
	if fc.Version == FileVersion3 {
		fc.RootUID = binary.LittleEndian.Uint32(b[20:])
	}
	return fc, nil
}

// ErrNoFileCaps is the error of reading the capabilities of a file that
// has none (the kernel's ENODATA, which it also wraps).
var ErrNoFileCaps = errors.New("file has no capabilities")

// readBuf is larger than any revision, so that a larger attribute is
// read whole and refused by ParseFileCaps rather than ERANGE.
const readBuf = 64

// ReadFileCaps returns the capabilities of the file at path (getxattr(2)
// of security.capability, following symbolic links as getcap(8) does).
// A file without them gives an error matching ErrNoFileCaps. Reading
// needs no privilege beyond search access to the path.
func ReadFileCaps(path string) (FileCaps, error) {
	buf := make([]byte, readBuf)
	n, err := sys.Getxattr(path, xattrName, buf)
	return fileCaps(buf, n, err, path)
}

// ReadFileCapsFrom is ReadFileCaps on an open file (fgetxattr(2)); f
// stays the caller's.
func ReadFileCapsFrom(f *os.File) (FileCaps, error) {
	buf := make([]byte, readBuf)
	var n int
	err := sys.Control(f, func(fd int) error {
		var err error
		n, err = sys.Fgetxattr(fd, xattrName, buf)
		return err
	})
	return fileCaps(buf, n, err, f.Name())
}

// fileCaps parses what a getxattr returned.
func fileCaps(buf []byte, n int, err error, name string) (FileCaps, error) {
	if sys.Errno(err) == sys.ENODATA {
		return FileCaps{}, fmt.Errorf("capability: read file capabilities of %s: %w: %w", name, ErrNoFileCaps, err)
	}
	if err != nil {
		return FileCaps{}, fmt.Errorf("capability: read file capabilities: %w", err)
	}
	fc, err := ParseFileCaps(buf[:n])
	if err != nil {
		return FileCaps{}, fmt.Errorf("%s: %w", name, err)
	}
	return fc, nil
}

// WriteFileCaps sets the capabilities of the file at path to fc
// (setxattr(2) of security.capability, following symbolic links as
// setcap(8) does). It needs CAP_SETFCAP over the file's owner, and a
// file system with security.* attributes (ext4, xfs, btrfs, tmpfs, ...).
// In a user namespace the kernel stores a version 2 fc as version 3
// with that namespace's root; a version 3 fc's RootUID is read in the
// caller's user namespace. Every capability of fc must be one the
// running kernel has (see Last): one it lacks is an error naming it,
// before any system call.
func WriteFileCaps(path string, fc FileCaps) error {
	b, err := writable(fc)
	if err != nil {
		return fmt.Errorf("capability: write file capabilities of %s: %w", path, err)
	}
	if err := sys.Setxattr(path, xattrName, b); err != nil {
		return fmt.Errorf("capability: write file capabilities: %w", err)
	}
	return nil
}

// WriteFileCapsTo is WriteFileCaps on an open file (fsetxattr(2)); f
// stays the caller's.
func WriteFileCapsTo(f *os.File, fc FileCaps) error {
	b, err := writable(fc)
	if err == nil {
		err = sys.Control(f, func(fd int) error { return sys.Fsetxattr(fd, xattrName, b) })
	}
	if err != nil {
		return fmt.Errorf("capability: write file capabilities of %s: %w", f.Name(), err)
	}
	return nil
}

// writable checks fc's capabilities against the running kernel and
// encodes it.
func writable(fc FileCaps) ([]byte, error) {
	if err := checkKnown(fc.Permitted | fc.Inheritable); err != nil {
		return nil, err
	}
	return fc.MarshalBinary()
}

// RemoveFileCaps removes the capabilities of the file at path
// (removexattr(2) of security.capability), with the privilege
// WriteFileCaps needs (without it the kernel refuses with EPERM even a
// file that has none). A file without them gives an error matching
// ErrNoFileCaps.
func RemoveFileCaps(path string) error {
	return removed(sys.Removexattr(path, xattrName), path)
}

// RemoveFileCapsFrom is RemoveFileCaps on an open file
// (fremovexattr(2)); f stays the caller's.
func RemoveFileCapsFrom(f *os.File) error {
	return removed(sys.Control(f, func(fd int) error { return sys.Fremovexattr(fd, xattrName) }), f.Name())
}

func removed(err error, name string) error {
	switch {
	case sys.Errno(err) == sys.ENODATA:
		return fmt.Errorf("capability: remove file capabilities of %s: %w: %w", name, ErrNoFileCaps, err)
	case err != nil:
		return fmt.Errorf("capability: remove file capabilities: %w", err)
	}
	return nil
}
