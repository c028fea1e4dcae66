package pidfd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"strconv"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// ID is the identity of a process for the lifetime of the system: the
// inode number of its pidfs inode (Linux 6.9). Unlike a PID it is never
// reused, so two pidfds with the same ID refer to the same process (or, for
// PIDFD_THREAD pidfds, thread). It is the value systemd publishes as
// LISTEN_PIDFDID next to LISTEN_PID, and the "pid:inode" form util-linux's
// kill(1) accepts.
type ID uint64

// String formats the ID in decimal.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// ID returns the pidfs identity of the process. On 64-bit architectures it
// is the pidfd's st_ino (fstat(2), Linux 6.9); on 32-bit ones st_ino holds
// only the low 32 bits, so the full value comes from the pidfd's file
// handle (name_to_handle_at(2) with AT_EMPTY_PATH, Linux 6.13). Before
// pidfs (pidfds were anon_inode files) there is no identity and the error
// matches errors.ErrUnsupported. The value is cached.
func (f *FD) ID() (ID, error) {
	if id := f.id.Load(); id != 0 {
		return ID(id), nil
	}
	if err := feature.Pidfs.Check(); err != nil {
		return 0, fmt.Errorf("pidfd id: %w", err)
	}
	id, err := poll.ControlT(f.pfd, "pidfs id", pidfsID)
	if err != nil {
		return 0, fmt.Errorf("pidfd id: %w", err)
	}
	if id == 0 {
		return 0, errors.New("pidfd id: kernel reported inode 0")
	}
	f.id.Store(id)
	return ID(id), nil
}

// pidfsID reads the pidfs inode number of the pidfd fd; see FD.ID.
func pidfsID(fd int) (uint64, error) {
	if bits.UintSize == 64 {
		st, err := sys.Fstat(fd)
		return st.Ino, err
	}
	if err := feature.PidfsHandle.Check(); err != nil {
		return 0, err
	}
	var buf [16]byte
	typ, n, err := sys.NameToHandleFD(fd, buf[:])
	if err != nil {
		return 0, err
	}
	if typ != abi.FILEID_KERNFS || n != 8 {
		return 0, fmt.Errorf("unexpected pidfs file handle (type %d, %d bytes)", typ, n)
	}
	return binary.NativeEndian.Uint64(buf[:]), nil
}

// SameProcess reports whether a and b refer to the same process (or
// thread), by comparing their IDs (Linux 6.9).
func SameProcess(a, b *FD) (bool, error) {
	ia, err := a.ID()
	if err != nil {
		return false, err
	}
	ib, err := b.ID()
	if err != nil {
		return false, err
	}
	return ia == ib, nil
}
