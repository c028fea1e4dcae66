package fanotify

import (
	"strconv"

	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// Mask is a fanotify event mask (fanotify_mark(2)): the events a mark asks
// for and, in an Event, what happened. Its text form is the kernel's names
// joined by "|" ("FAN_CREATE|FAN_ONDIR"), with unknown bits as one
// hexadecimal number at the end and "0" for none.
type Mask uint64

// Events. The minimum kernel follows each; dirent and attribute events
// (Attrib and after) need a group that reports file ids (ReportFID or
// ReportDirFID).
const (
	Access       Mask = sys.FAN_ACCESS        // file read (2.6.37)
	Modify       Mask = sys.FAN_MODIFY        // file written (2.6.37)
	Attrib       Mask = sys.FAN_ATTRIB        // metadata changed (5.1)
	CloseWrite   Mask = sys.FAN_CLOSE_WRITE   // a file opened for writing was closed (2.6.37)
	CloseNoWrite Mask = sys.FAN_CLOSE_NOWRITE // a file or directory not opened for writing was closed (2.6.37)
	Open         Mask = sys.FAN_OPEN          // file or directory opened (2.6.37)
	MovedFrom    Mask = sys.FAN_MOVED_FROM    // an entry was renamed away from a directory (5.1)
	MovedTo      Mask = sys.FAN_MOVED_TO      // an entry was renamed into a directory (5.1)
	Create       Mask = sys.FAN_CREATE        // an entry was created (5.1)
	Delete       Mask = sys.FAN_DELETE        // an entry was deleted (5.1)
	DeleteSelf   Mask = sys.FAN_DELETE_SELF   // the marked object was deleted (5.1)
	MoveSelf     Mask = sys.FAN_MOVE_SELF     // the marked object was renamed (5.1)
	OpenExec     Mask = sys.FAN_OPEN_EXEC     // a file was opened for execution (5.0)
	FSError      Mask = sys.FAN_FS_ERROR      // the filesystem reported an error; filesystem marks only (5.16)
	Rename       Mask = sys.FAN_RENAME        // an entry was renamed, with the old and new names in one event (5.17)
	MntAttach    Mask = sys.FAN_MNT_ATTACH    // a mount was attached to the marked mount namespace (6.14)
	MntDetach    Mask = sys.FAN_MNT_DETACH    // a mount was detached from it (6.14)

	// Permission events: the access waits until Respond answers.
	OpenPerm     Mask = sys.FAN_OPEN_PERM      // permission to open (2.6.37)
	AccessPerm   Mask = sys.FAN_ACCESS_PERM    // permission to read (2.6.37)
	OpenExecPerm Mask = sys.FAN_OPEN_EXEC_PERM // permission to open for execution (5.0)
	PreAccess    Mask = sys.FAN_PRE_ACCESS     // pre-content: before file data is accessed, with its Range (6.14)

	Close Mask = sys.FAN_CLOSE // both close events
	Move  Mask = sys.FAN_MOVE  // both rename halves
)

// Bits that are not events.
const (
	QOverflow    Mask = sys.FAN_Q_OVERFLOW     // in an Event: the queue overflowed (Read returns ErrOverflow)
	EventOnChild Mask = sys.FAN_EVENT_ON_CHILD // in a mark's mask: also report events of a directory's children
	OnDir        Mask = sys.FAN_ONDIR          // in a mark's mask: also report events on directories; in an Event: the subject is one
)

var maskText = flagtext.Format[Mask]{
	Flags: []flagtext.Flag[Mask]{
		{Bits: Close, Name: "FAN_CLOSE"},
		{Bits: Move, Name: "FAN_MOVE"},
		{Bits: Access, Name: "FAN_ACCESS"},
		{Bits: Modify, Name: "FAN_MODIFY"},
		{Bits: Attrib, Name: "FAN_ATTRIB"},
		{Bits: CloseWrite, Name: "FAN_CLOSE_WRITE"},
		{Bits: CloseNoWrite, Name: "FAN_CLOSE_NOWRITE"},
		{Bits: Open, Name: "FAN_OPEN"},
		{Bits: MovedFrom, Name: "FAN_MOVED_FROM"},
		{Bits: MovedTo, Name: "FAN_MOVED_TO"},
		{Bits: Create, Name: "FAN_CREATE"},
		{Bits: Delete, Name: "FAN_DELETE"},
		{Bits: DeleteSelf, Name: "FAN_DELETE_SELF"},
		{Bits: MoveSelf, Name: "FAN_MOVE_SELF"},
		{Bits: OpenExec, Name: "FAN_OPEN_EXEC"},
		{Bits: QOverflow, Name: "FAN_Q_OVERFLOW"},
		{Bits: FSError, Name: "FAN_FS_ERROR"},
		{Bits: OpenPerm, Name: "FAN_OPEN_PERM"},
		{Bits: AccessPerm, Name: "FAN_ACCESS_PERM"},
		{Bits: OpenExecPerm, Name: "FAN_OPEN_EXEC_PERM"},
		{Bits: PreAccess, Name: "FAN_PRE_ACCESS"},
		{Bits: MntAttach, Name: "FAN_MNT_ATTACH"},
		{Bits: MntDetach, Name: "FAN_MNT_DETACH"},
		{Bits: EventOnChild, Name: "FAN_EVENT_ON_CHILD"},
		{Bits: Rename, Name: "FAN_RENAME"},
		{Bits: OnDir, Name: "FAN_ONDIR"},
	},
	Sep:  '|',
	None: "0",
}

// String returns the text form: "FAN_CREATE|FAN_ONDIR", "0".
func (m Mask) String() string { return maskText.String(m) }

// MarshalText returns the text form.
func (m Mask) MarshalText() ([]byte, error) { return maskText.Append(nil, m), nil }

// UnmarshalText reads the text form, as ParseMask does.
func (m *Mask) UnmarshalText(text []byte) error {
	return maskText.Unmarshal(m, text, "fanotify: invalid mask")
}

// ParseMask reads the text form: FAN_* names and hexadecimal numbers
// joined by "|", in any order, or "0". An unknown name is an error
// wrapping strconv.ErrSyntax.
func ParseMask(text string) (Mask, error) {
	var m Mask
	if err := maskText.Unmarshal(&m, []byte(text), "fanotify: invalid mask"); err != nil {
		return 0, err
	}
	return m, nil
}

// IsPermission reports whether m holds a permission event, which the
// group must answer with Respond.
func (m Mask) IsPermission() bool { return m&(OpenPerm|AccessPerm|OpenExecPerm|PreAccess) != 0 }

// Class is the notification class of a group (fanotify_init(2)), which
// decides the permission events it may ask for and the order in which
// groups hear of an access.
type Class uint32

const (
	// Notif groups get notification events only (FAN_CLASS_NOTIF).
	Notif Class = sys.FAN_CLASS_NOTIF
	// Content groups may also answer permission events, after the file's
	// content is final (FAN_CLASS_CONTENT: virus scanners).
	Content Class = sys.FAN_CLASS_CONTENT
	// PreContent groups hear first and may also get pre-content events,
	// to fill in a file's content before it is read
	// (FAN_CLASS_PRE_CONTENT: hierarchical storage managers).
	PreContent Class = sys.FAN_CLASS_PRE_CONTENT
)

// String returns the kernel's name: "FAN_CLASS_NOTIF".
func (c Class) String() string {
	switch c {
	case Notif:
		return "FAN_CLASS_NOTIF"
	case Content:
		return "FAN_CLASS_CONTENT"
	case PreContent:
		return "FAN_CLASS_PRE_CONTENT"
	}
	return "Class(" + strconv.FormatUint(uint64(c), 10) + ")"
}

// InitFlags are the flags of fanotify_init(2) other than the class (and
// FAN_CLOEXEC and FAN_NONBLOCK, which New always sets).
type InitFlags uint32

const (
	UnlimitedQueue InitFlags = sys.FAN_UNLIMITED_QUEUE   // no max_queued_events limit; CAP_SYS_ADMIN
	UnlimitedMarks InitFlags = sys.FAN_UNLIMITED_MARKS   // no max_user_marks limit; CAP_SYS_ADMIN
	EnableAudit    InitFlags = sys.FAN_ENABLE_AUDIT      // allow Audit in responses; CAP_AUDIT_WRITE (4.15)
	ReportPIDFD    InitFlags = sys.FAN_REPORT_PIDFD      // a pidfd for the event's process (5.15); CAP_SYS_ADMIN
	ReportTID      InitFlags = sys.FAN_REPORT_TID        // Event.PID is the thread id (4.20)
	ReportFID      InitFlags = sys.FAN_REPORT_FID        // report the object's file handle instead of an fd (5.1)
	ReportDirFID   InitFlags = sys.FAN_REPORT_DIR_FID    // report the directory's file handle (5.9)
	ReportName     InitFlags = sys.FAN_REPORT_NAME       // with ReportDirFID: and the entry's name (5.9)
	ReportTarget   InitFlags = sys.FAN_REPORT_TARGET_FID // with ReportDFIDName and ReportFID: the child's handle too (5.17)
	ReportFDError  InitFlags = sys.FAN_REPORT_FD_ERROR   // an event whose fd cannot be opened carries the error (6.13)
	ReportMnt      InitFlags = sys.FAN_REPORT_MNT        // mount events with mount ids (6.14)

	// ReportDFIDName is ReportDirFID|ReportName.
	ReportDFIDName InitFlags = sys.FAN_REPORT_DFID_NAME
	// ReportDFIDNameTarget adds the child's file handle to every
	// directory entry event (FAN_REPORT_TARGET_FID, 5.17).
	ReportDFIDNameTarget InitFlags = sys.FAN_REPORT_DFID_NAME_TARGET
)

var initText = flagtext.Format[InitFlags]{
	Flags: []flagtext.Flag[InitFlags]{
		{Bits: ReportDFIDNameTarget, Name: "FAN_REPORT_DFID_NAME_TARGET"},
		{Bits: ReportDFIDName, Name: "FAN_REPORT_DFID_NAME"},
		{Bits: UnlimitedQueue, Name: "FAN_UNLIMITED_QUEUE"},
		{Bits: UnlimitedMarks, Name: "FAN_UNLIMITED_MARKS"},
		{Bits: EnableAudit, Name: "FAN_ENABLE_AUDIT"},
		{Bits: ReportPIDFD, Name: "FAN_REPORT_PIDFD"},
		{Bits: ReportTID, Name: "FAN_REPORT_TID"},
		{Bits: ReportFID, Name: "FAN_REPORT_FID"},
		{Bits: ReportDirFID, Name: "FAN_REPORT_DIR_FID"},
		{Bits: ReportName, Name: "FAN_REPORT_NAME"},
		{Bits: ReportTarget, Name: "FAN_REPORT_TARGET_FID"},
		{Bits: ReportFDError, Name: "FAN_REPORT_FD_ERROR"},
		{Bits: ReportMnt, Name: "FAN_REPORT_MNT"},
	},
	Sep:  '|',
	None: "0",
}

// String returns the text form: "FAN_REPORT_FID|FAN_REPORT_PIDFD", "0".
func (f InitFlags) String() string { return initText.String(f) }

// MarshalText returns the text form.
func (f InitFlags) MarshalText() ([]byte, error) { return initText.Append(nil, f), nil }

// UnmarshalText reads the text form.
func (f *InitFlags) UnmarshalText(text []byte) error {
	return initText.Unmarshal(f, text, "fanotify: invalid init flags")
}

// FileFlags are the open flags of the descriptors that events carry
// (event_f_flags of fanotify_init(2)). O_CLOEXEC is always added.
type FileFlags uint32

const (
	ReadOnly  FileFlags = sys.O_RDONLY
	WriteOnly FileFlags = sys.O_WRONLY
	ReadWrite FileFlags = sys.O_RDWR
	Append    FileFlags = sys.O_APPEND
	Nonblock  FileFlags = sys.O_NONBLOCK
	DSync     FileFlags = sys.O_DSYNC
	Sync      FileFlags = sys.O_SYNC
	NoAtime   FileFlags = sys.O_NOATIME
)

var fileText = flagtext.Format[FileFlags]{
	Flags: []flagtext.Flag[FileFlags]{
		{Bits: WriteOnly, Name: "O_WRONLY"},
		{Bits: ReadWrite, Name: "O_RDWR"},
		{Bits: Append, Name: "O_APPEND"},
		{Bits: Nonblock, Name: "O_NONBLOCK"},
		{Bits: Sync, Name: "O_SYNC"},
		{Bits: DSync, Name: "O_DSYNC"},
		{Bits: NoAtime, Name: "O_NOATIME"},
	},
	Sep:  '|',
	None: "O_RDONLY",
}

// String returns the text form: "O_RDWR|O_NOATIME", "O_RDONLY".
func (f FileFlags) String() string { return fileText.String(f) }

// MarkType is what a mark is attached to (fanotify_mark(2)).
type MarkType uint32

const (
	// Inode marks the file or directory itself (FAN_MARK_INODE). The
	// only type an unprivileged group may use (5.13).
	Inode MarkType = sys.FAN_MARK_INODE
	// Mount marks every object of the mount the path is on
	// (FAN_MARK_MOUNT); CAP_SYS_ADMIN. Events that need a file id
	// (Create, Delete, ...) cannot be asked for on a mount.
	Mount MarkType = sys.FAN_MARK_MOUNT
	// Filesystem marks every object of the filesystem the path is on, in
	// every mount of it (FAN_MARK_FILESYSTEM, 4.20); CAP_SYS_ADMIN.
	Filesystem MarkType = sys.FAN_MARK_FILESYSTEM
	// MountNS marks the mount namespace of an nsfs file
	// (/proc/PID/ns/mnt) for MntAttach and MntDetach, in a group with
	// ReportMnt (FAN_MARK_MNTNS, 6.14); CAP_SYS_ADMIN in its user
	// namespace.
	MountNS MarkType = sys.FAN_MARK_MNTNS
)

// String returns the kernel's name: "FAN_MARK_INODE".
func (t MarkType) String() string {
	switch t {
	case Inode:
		return "FAN_MARK_INODE"
	case Mount:
		return "FAN_MARK_MOUNT"
	case Filesystem:
		return "FAN_MARK_FILESYSTEM"
	case MountNS:
		return "FAN_MARK_MNTNS"
	}
	return "MarkType(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// MarkFlags modify AddMark and RemoveMark.
type MarkFlags uint32

const (
	DontFollow MarkFlags = sys.FAN_MARK_DONT_FOLLOW // do not follow a final symbolic link
	OnlyDir    MarkFlags = sys.FAN_MARK_ONLYDIR     // fail with ENOTDIR unless the path is a directory
	// Ignore makes the mask an ignore mask: events in it are not
	// reported for the marked object (FAN_MARK_IGNORE, 6.0). Directory,
	// mount and filesystem marks need IgnoredSurvModify with it.
	Ignore MarkFlags = sys.FAN_MARK_IGNORE
	// IgnoredMask is the older ignore mask, without OnDir and
	// EventOnChild (FAN_MARK_IGNORED_MASK).
	IgnoredMask MarkFlags = sys.FAN_MARK_IGNORED_MASK
	// IgnoredSurvModify keeps an ignore mask when the file is modified
	// (FAN_MARK_IGNORED_SURV_MODIFY).
	IgnoredSurvModify MarkFlags = sys.FAN_MARK_IGNORED_SURV_MODIFY
	// Evictable lets the kernel drop an inode mark with the inode under
	// memory pressure instead of pinning the inode (FAN_MARK_EVICTABLE,
	// 5.19).
	Evictable MarkFlags = sys.FAN_MARK_EVICTABLE
)

var markText = flagtext.Format[MarkFlags]{
	Flags: []flagtext.Flag[MarkFlags]{
		{Bits: DontFollow, Name: "FAN_MARK_DONT_FOLLOW"},
		{Bits: OnlyDir, Name: "FAN_MARK_ONLYDIR"},
		{Bits: Ignore, Name: "FAN_MARK_IGNORE"},
		{Bits: IgnoredMask, Name: "FAN_MARK_IGNORED_MASK"},
		{Bits: IgnoredSurvModify, Name: "FAN_MARK_IGNORED_SURV_MODIFY"},
		{Bits: Evictable, Name: "FAN_MARK_EVICTABLE"},
	},
	Sep:  '|',
	None: "0",
}

// String returns the text form: "FAN_MARK_ONLYDIR", "0".
func (f MarkFlags) String() string { return markText.String(f) }
