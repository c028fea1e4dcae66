package fanotify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"os"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/sys"
)

// FSID is the filesystem id of a file id record (__kernel_fsid_t, what
// statfs(2) reports as f_fsid).
type FSID [2]int32

// String returns the id as stat -f prints it: 16 hexadecimal digits,
// val[1] then val[0].
func (f FSID) String() string {
	b := make([]byte, 0, 16)
	for _, v := range [2]uint32{uint32(f[1]), uint32(f[0])} {
		s := strconv.FormatUint(uint64(v), 16)
		for range 8 - len(s) {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	return string(b)
}

// Handle is a file handle (struct file_handle, name_to_handle_at(2)): an
// opaque, filesystem-specific identifier of an inode that stays valid
// across renames and, on most filesystems, reboots.
type Handle struct {
	// Type is the filesystem's handle type (handle_type).
	Type int32
	// Bytes is f_handle. In an Event it shares memory with the other
	// events of the same read: do not modify it.
	Bytes []byte
}

// Open opens the file the handle identifies with open_by_handle_at(2)
// (Linux 2.6.39) and the given flags (O_CLOEXEC is added). mount is any
// open file on the same filesystem; it is borrowed. It needs
// CAP_DAC_READ_SEARCH (EPERM otherwise); a file that no longer exists
// gives ESTALE.
func (h Handle) Open(mount syscall.Conn, flags FileFlags) (*os.File, error) {
	var fd *sys.FD
	err := sys.Control(mount, func(mfd int) error {
		var err error
		fd, err = sys.OpenByHandleAt(mfd, h.Type, h.Bytes, int(flags))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fanotify open handle: %w", err)
	}
	return fd.File("fanotify-handle"), nil
}

// FileID is a file id record of an event: the filesystem and the file
// handle of an object.
type FileID struct {
	FSID   FSID
	Handle Handle
	valid  bool
}

// Valid reports whether the event carried this record.
func (id FileID) Valid() bool { return id.valid }

// Range is the byte range of a pre-content access (PreAccess).
type Range struct {
	Offset, Count uint64
}

// Event is one fanotify event with its info records. Which fields are set
// depends on the group's InitFlags and on the event.
type Event struct {
	// Mask says what happened: one or more events, with OnDir when the
	// subject is a directory.
	Mask Mask
	// PID is the process (thread, with ReportTID) that caused the event,
	// in the group's PID namespace; 0 when the group is unprivileged and
	// the process is not its own, or the process is in no namespace the
	// group sees.
	PID int

	// Dir is the directory of a directory entry event or of a file
	// (ReportDirFID; for Rename, the old directory), and Name the entry
	// (ReportName; "." for an event on a directory itself). Name holds
	// the exact bytes the kernel reported.
	Dir  FileID
	Name string
	// Object is the object the event is about (ReportFID, or the child
	// of a directory entry event with ReportTarget).
	Object FileID
	// NewDir and NewName are the new directory and name of a Rename.
	NewDir  FileID
	NewName string

	// ErrorErrno and ErrorCount are the first error and the number of
	// errors of an FSError event.
	ErrorErrno syscall.Errno
	ErrorCount uint32
	// Range is the byte range of a PreAccess event; HasRange reports
	// whether the event carried one.
	Range    Range
	HasRange bool
	// MountID is the mount of a MntAttach or MntDetach event (the
	// 64-bit unique mount id of statmount(2)).
	MountID uint64

	fd, pidfd       int32 // as the kernel wrote them
	hasPidfd        bool
	fdErrors        bool // the group has ReportFDError: negative fds are -errno
	file, pidfdFile *os.File
}

// File returns the descriptor of the event's object, opened with the
// group's FileFlags, owned by the event. It is nil, with an error, in a
// group that reports file ids (no descriptor) and, with ReportFDError,
// when the kernel could not open the object (the error is its errno).
func (e Event) File() (*os.File, error) {
	switch {
	case e.file != nil:
		return e.file, nil
	case e.fdErrors && e.fd != -int32(syscall.EBADF):
		// With ReportFDError an event without a descriptor has
		// -EBADF; other negative values are why the open failed.
		return nil, fmt.Errorf("fanotify: event file: %w", syscall.Errno(-int64(e.fd)))
	}
	return nil, errors.New("fanotify: event has no file descriptor")
}

// PidFD returns a pidfd for the process that caused the event
// (ReportPIDFD), owned by the event. It is a blocking, close-on-exec
// pidfd (PIDFD_THREAD with ReportTID); pidfd.FromFileWithPID(f, e.PID)
// adopts it (the event's Close then has nothing left to close). When the
// process had exited the error matches syscall.ESRCH.
func (e Event) PidFD() (*os.File, error) {
	switch {
	case e.pidfdFile != nil:
		return e.pidfdFile, nil
	case !e.hasPidfd:
		return nil, errors.New("fanotify: event has no pidfd record")
	case e.fdErrors:
		// ReportFDError: the errno of pidfd creation (ESRCH for a
		// process that has exited or that the group cannot see).
		return nil, fmt.Errorf("fanotify: event pidfd: %w", syscall.Errno(-int64(e.pidfd)))
	case e.pidfd == sys.FAN_NOPIDFD:
		return nil, fmt.Errorf("fanotify: event pidfd: %w", syscall.ESRCH)
	}
	return nil, errors.New("fanotify: event pidfd: the kernel could not create it (FAN_EPIDFD)")
}

// Close closes the event's descriptors. Answer a permission event before
// closing it: Respond needs its descriptor. Close is idempotent, also
// across copies of the event.
func (e Event) Close() error {
	var err error
	for _, f := range [...]*os.File{e.file, e.pidfdFile} {
		if f != nil {
			if cerr := f.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) && err == nil {
				err = cerr
			}
		}
	}
	return err
}

// Sizes of the fixed parts of the records (include/uapi/linux/fanotify.h).
const (
	metadataLen  = sys.FAN_EVENT_METADATA_LEN // struct fanotify_event_metadata
	metadataVers = 3                          // FANOTIFY_METADATA_VERSION
	infoHdrLen   = 4                          // struct fanotify_event_info_header
	fidHdrLen    = infoHdrLen + 8 + 8         // + fsid + struct file_handle
	pidfdLen     = infoHdrLen + 4             // struct fanotify_event_info_pidfd
	errorLen     = infoHdrLen + 8             // struct fanotify_event_info_error
	rangeLen     = 24                         // struct fanotify_event_info_range
	mntLen       = 16                         // struct fanotify_event_info_mnt
)

// parseError describes a malformed event.
type parseError struct {
	what string
}

func (e *parseError) Error() string { return "fanotify: malformed event: " + e.what }

// parseEvent decodes the event at the start of b: struct
// fanotify_event_metadata and its info records. Handles alias b; names
// are copied. The descriptors stay raw numbers (fd, pidfd) for the caller
// to adopt. It never panics; unknown record types are skipped.
func parseEvent(b []byte) (ev Event, size int, err error) {
	if len(b) < metadataLen {
		return Event{}, 0, &parseError{"short metadata"}
	}
	eventLen := binary.NativeEndian.Uint32(b[0:])
	vers := b[4]
	metaLen := binary.NativeEndian.Uint16(b[6:])
	if vers != metadataVers {
		return Event{}, 0, &parseError{"metadata version " + strconv.Itoa(int(vers))}
	}
	if metaLen < metadataLen || uint64(eventLen) < uint64(metaLen) || uint64(eventLen) > uint64(len(b)) {
		return Event{}, 0, &parseError{"lengths"}
	}
	ev.Mask = Mask(binary.NativeEndian.Uint64(b[8:]))
	ev.fd = int32(binary.NativeEndian.Uint32(b[16:]))
	ev.PID = int(int32(binary.NativeEndian.Uint32(b[20:])))
	ev.pidfd = sys.FAN_NOPIDFD
	for rec := b[metaLen:eventLen]; len(rec) > 0; {
		if len(rec) < infoHdrLen {
			return Event{}, 0, &parseError{"short record header"}
		}
		typ := rec[0]
		n := int(binary.NativeEndian.Uint16(rec[2:]))
		if n < infoHdrLen || n > len(rec) {
			return Event{}, 0, &parseError{"record length"}
		}
		r := rec[:n]
		rec = rec[n:]
		switch typ {
		case sys.FAN_EVENT_INFO_TYPE_FID, sys.FAN_EVENT_INFO_TYPE_DFID,
			sys.FAN_EVENT_INFO_TYPE_DFID_NAME, sys.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME,
			sys.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME:
			id, name, err := parseFID(r)
			if err != nil {
				return Event{}, 0, err
			}
			switch typ {
			case sys.FAN_EVENT_INFO_TYPE_FID:
				ev.Object = id
			case sys.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME:
				ev.NewDir, ev.NewName = id, name
			default:
				ev.Dir, ev.Name = id, name
			}
		case sys.FAN_EVENT_INFO_TYPE_PIDFD:
			if n < pidfdLen {
				return Event{}, 0, &parseError{"short pidfd record"}
			}
			ev.pidfd = int32(binary.NativeEndian.Uint32(r[4:]))
			ev.hasPidfd = true
		case sys.FAN_EVENT_INFO_TYPE_ERROR:
			if n < errorLen {
				return Event{}, 0, &parseError{"short error record"}
			}
			// The kernel reports the errno positive; a negative one
			// is read as its absolute value.
			e := int64(int32(binary.NativeEndian.Uint32(r[4:])))
			ev.ErrorErrno = syscall.Errno(max(e, -e))
			ev.ErrorCount = binary.NativeEndian.Uint32(r[8:])
		case sys.FAN_EVENT_INFO_TYPE_RANGE:
			if n < rangeLen {
				return Event{}, 0, &parseError{"short range record"}
			}
			ev.Range = Range{Offset: binary.NativeEndian.Uint64(r[8:]), Count: binary.NativeEndian.Uint64(r[16:])}
			ev.HasRange = true
		case sys.FAN_EVENT_INFO_TYPE_MNT:
			if n < mntLen {
				return Event{}, 0, &parseError{"short mount record"}
			}
			ev.MountID = binary.NativeEndian.Uint64(r[8:])
		}
	}
	return ev, int(eventLen), nil
}

// parseFID decodes struct fanotify_event_info_fid: the fsid, the file
// handle, and for the *_NAME types the NUL-terminated name after it.
func parseFID(r []byte) (FileID, string, error) {
	if len(r) < fidHdrLen {
		return FileID{}, "", &parseError{"short file id record"}
	}
	id := FileID{valid: true}
	id.FSID[0] = int32(binary.NativeEndian.Uint32(r[4:]))
	id.FSID[1] = int32(binary.NativeEndian.Uint32(r[8:]))
	hlen := binary.NativeEndian.Uint32(r[12:])
	id.Handle.Type = int32(binary.NativeEndian.Uint32(r[16:]))
	if uint64(hlen) > uint64(len(r)-fidHdrLen) {
		return FileID{}, "", &parseError{"file handle length"}
	}
	end := fidHdrLen + int(hlen)
	id.Handle.Bytes = r[fidHdrLen:end:end]
	var name string
	if r[0] == sys.FAN_EVENT_INFO_TYPE_DFID_NAME || r[0] == sys.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME ||
		r[0] == sys.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME {
		rest := r[end:]
		i := 0
		for i < len(rest) && rest[i] != 0 {
			i++
		}
		if i == len(rest) {
			return FileID{}, "", &parseError{"unterminated name"}
		}
		name = string(rest[:i])
	}
	return id, name, nil
}

// closeRawFDs closes the descriptors of the unreturned event at the
// start of b and returns its length, 0 if it is malformed.
func closeRawFDs(b []byte) int {
	ev, size, err := parseEvent(b)
	if err != nil {
		return 0
	}
	if ev.fd >= 0 {
		sys.CloseRaw(int(ev.fd))
	}
	if ev.hasPidfd && ev.pidfd >= 0 {
		sys.CloseRaw(int(ev.pidfd))
	}
	return size
}

// Read returns the next event, waiting for one until ctx is done. It
// reads the kernel's queue in batches and decodes one event per call.
// Decoding allocates nothing per event but the names; the descriptors an
// event carries become *os.File values it owns (close it with
// Event.Close). Handles point into the 64 KiB buffer the event was read
// into, which is never reused but kept alive by any event that uses it.
//
// Where the kernel queued an overflow Read returns an event with
// QOverflow and an error matching ErrOverflow; the next Read goes on.
// When ctx ends first Read returns ctx.Err(); after Close, an error
// matching os.ErrClosed.
func (g *Group) Read(ctx context.Context) (Event, error) {
	g.rmu.Lock()
	defer g.rmu.Unlock()
	for g.off >= g.end {
		if len(g.arena)-g.free < minRead {
			g.arena, g.free = make([]byte, arenaSize), 0
		}
		n, err := g.pfd.Read(ctx, g.arena[g.free:]) // allocates nothing (poll.FD.Read)
		if err != nil {
			return Event{}, fmt.Errorf("fanotify read: %w", err)
		}
		g.slab = g.arena[g.free : g.free+n : g.free+n]
		g.free += n
		g.off, g.end = 0, n
	}
	ev, size, err := parseEvent(g.slab[g.off:g.end])
	if err != nil {
		g.off = g.end
		return Event{}, fmt.Errorf("fanotify read: %w", err)
	}
	g.off += size
	ev.fdErrors = g.flags&ReportFDError != 0
	if ev.fd >= 0 {
		ev.file = os.NewFile(uintptr(ev.fd), "fanotify-event")
	}
	if ev.hasPidfd && ev.pidfd >= 0 {
		ev.pidfdFile = os.NewFile(uintptr(ev.pidfd), "fanotify-pidfd")
	}
	if ev.Mask&QOverflow != 0 {
		return ev, ErrOverflow
	}
	return ev, nil
}

// Events returns the group's events as they come, until ctx is done or
// the group is closed, as Read returns them. An overflow is yielded as
// (an event with QOverflow, an error matching ErrOverflow) and the
// sequence goes on; any other error is yielded once and ends it. The
// caller owns each event's descriptors.
func (g *Group) Events(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := g.Read(ctx)
			if !yield(ev, err) {
				return
			}
			if err != nil && !errors.Is(err, ErrOverflow) {
				return
			}
		}
	}
}
