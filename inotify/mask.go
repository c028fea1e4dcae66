package inotify

import (
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// Mask is an inotify event mask (inotify(7)): the events a watch asks for
// and the flags that modify Add, and, in an Event, what happened. Its text
// form is the kernel's names joined by "|" ("IN_CREATE|IN_ISDIR"), with
// unknown bits as one hexadecimal number at the end and "0" for none.
type Mask uint32

// Events, for Add and in Event.Mask.
const (
	Access       Mask = sys.IN_ACCESS        // file read (read(2), execve(2))
	Modify       Mask = sys.IN_MODIFY        // file written, truncated
	Attrib       Mask = sys.IN_ATTRIB        // metadata changed: mode, owner, times, xattrs, link count
	CloseWrite   Mask = sys.IN_CLOSE_WRITE   // a file opened for writing was closed
	CloseNoWrite Mask = sys.IN_CLOSE_NOWRITE // a file or directory not opened for writing was closed
	Open         Mask = sys.IN_OPEN          // file or directory opened
	MovedFrom    Mask = sys.IN_MOVED_FROM    // an entry was renamed away from the watched directory
	MovedTo      Mask = sys.IN_MOVED_TO      // an entry was renamed into the watched directory
	Create       Mask = sys.IN_CREATE        // an entry was created in the watched directory
	Delete       Mask = sys.IN_DELETE        // an entry was deleted from the watched directory
	DeleteSelf   Mask = sys.IN_DELETE_SELF   // the watched file or directory itself was deleted
	MoveSelf     Mask = sys.IN_MOVE_SELF     // the watched file or directory itself was renamed

	Close     Mask = sys.IN_CLOSE_WRITE | sys.IN_CLOSE_NOWRITE // both close events
	Move      Mask = sys.IN_MOVED_FROM | sys.IN_MOVED_TO       // both rename events
	AllEvents Mask = sys.IN_ALL_EVENTS                         // every event above
)

// Flags of Add. The kernel does not report them in events.
const (
	OnlyDir    Mask = sys.IN_ONLYDIR     // fail with ENOTDIR unless the path is a directory (2.6.15)
	DontFollow Mask = sys.IN_DONT_FOLLOW // do not follow a final symbolic link (2.6.15)
	ExclUnlink Mask = sys.IN_EXCL_UNLINK // no events for children after they are unlinked (2.6.36)
	MaskCreate Mask = sys.IN_MASK_CREATE // fail with EEXIST if the inode is already watched (4.18)
	MaskAdd    Mask = sys.IN_MASK_ADD    // add to the existing watch's mask instead of replacing it
	Oneshot    Mask = sys.IN_ONESHOT     // remove the watch after its first event
)

// Bits only the kernel sets, in Event.Mask.
const (
	Unmount   Mask = sys.IN_UNMOUNT    // the filesystem of the watched object was unmounted; Ignored follows
	QOverflow Mask = sys.IN_Q_OVERFLOW // the event queue overflowed (Read returns ErrOverflow)
	Ignored   Mask = sys.IN_IGNORED    // the watch was removed (Remove, Oneshot, deletion, unmount)
	IsDir     Mask = sys.IN_ISDIR      // the event's subject is a directory
)

// maskText is Mask's text form. The composite names come first so that a
// mask with both bits prints as one name.
var maskText = flagtext.Format[Mask]{
	Flags: []flagtext.Flag[Mask]{
		{Bits: AllEvents, Name: "IN_ALL_EVENTS"},
		{Bits: Close, Name: "IN_CLOSE"},
		{Bits: Move, Name: "IN_MOVE"},
		{Bits: Access, Name: "IN_ACCESS"},
		{Bits: Modify, Name: "IN_MODIFY"},
		{Bits: Attrib, Name: "IN_ATTRIB"},
		{Bits: CloseWrite, Name: "IN_CLOSE_WRITE"},
		{Bits: CloseNoWrite, Name: "IN_CLOSE_NOWRITE"},
		{Bits: Open, Name: "IN_OPEN"},
		{Bits: MovedFrom, Name: "IN_MOVED_FROM"},
		{Bits: MovedTo, Name: "IN_MOVED_TO"},
		{Bits: Create, Name: "IN_CREATE"},
		{Bits: Delete, Name: "IN_DELETE"},
		{Bits: DeleteSelf, Name: "IN_DELETE_SELF"},
		{Bits: MoveSelf, Name: "IN_MOVE_SELF"},
		{Bits: Unmount, Name: "IN_UNMOUNT"},
		{Bits: QOverflow, Name: "IN_Q_OVERFLOW"},
		{Bits: Ignored, Name: "IN_IGNORED"},
		{Bits: OnlyDir, Name: "IN_ONLYDIR"},
		{Bits: DontFollow, Name: "IN_DONT_FOLLOW"},
		{Bits: ExclUnlink, Name: "IN_EXCL_UNLINK"},
		{Bits: MaskCreate, Name: "IN_MASK_CREATE"},
		{Bits: MaskAdd, Name: "IN_MASK_ADD"},
		{Bits: IsDir, Name: "IN_ISDIR"},
		{Bits: Oneshot, Name: "IN_ONESHOT"},
	},
	Sep:  '|',
	None: "0",
}

// String returns the text form: "IN_CREATE|IN_ISDIR", "IN_CLOSE_WRITE",
// "IN_MODIFY|0x100000", "0".
func (m Mask) String() string { return maskText.String(m) }

// AppendText appends the text form to b.
func (m Mask) AppendText(b []byte) ([]byte, error) { return maskText.Append(b, m), nil }

// MarshalText returns the text form.
func (m Mask) MarshalText() ([]byte, error) { return maskText.Append(nil, m), nil }

// UnmarshalText reads the text form, as ParseMask does.
func (m *Mask) UnmarshalText(text []byte) error {
	return maskText.Unmarshal(m, text, "inotify: invalid mask")
}

// ParseMask reads the text form: IN_* names and hexadecimal numbers
// ("0x100") joined by "|", in any order, or "0". An unknown name is an
// error wrapping strconv.ErrSyntax.
func ParseMask(text string) (Mask, error) {
	var m Mask
	if err := maskText.Unmarshal(&m, []byte(text), "inotify: invalid mask"); err != nil {
		return 0, err
	}
	return m, nil
}
