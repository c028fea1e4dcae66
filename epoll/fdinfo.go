package epoll

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// Registration is one file registered in an epoll instance, as the
// kernel prints it in /proc/PID/fdinfo/EPFD (fs/eventpoll.c,
// ep_show_fdinfo; Linux 3.8):
//
//	tfd:        4 events: 80000019 data:                4  pos:0 ino:315814 sdev:f
type Registration struct {
	// FD is the descriptor number the file was added with, in the
	// process that added it; that number may since have been closed or
	// reused, the registration follows the open file description.
	FD int
	// Events is the registration's mask; the kernel adds Err and Hup
	// to every registration.
	Events Events
	// Data is the user data the file was registered with.
	Data uint64
	// Pos, Inode, DevMajor and DevMinor describe the file: its offset,
	// inode number and the device of its file system (the kernel's
	// sdev, split). Older kernels print only tfd, events and data; these
	// are then 0.
	Pos      int64
	Inode    uint64
	DevMajor uint32
	DevMinor uint32
}

// Registrations reads the files registered in the instance from
// /proc/self/fdinfo/EPFD. The list is a snapshot: a file can be added or
// removed while it is read.
func (e *Instance) Registrations() ([]Registration, error) {
	return poll.ControlT(e.pfd, "fdinfo", func(fd int) ([]Registration, error) {
		path := pseudofs.Default().ProcPath("self", "fdinfo", strconv.Itoa(fd))
		var regs []Registration
		err := pseudofs.WithFile(path, func(b []byte) error {
			var err error
			regs, err = parseFdinfo(b)
			return err
		})
		var pe *kernel.ParseError
		if errors.As(err, &pe) {
			pe.Path = path
		}
		if err != nil {
			return nil, fmt.Errorf("epoll registrations: %w", err)
		}
		return regs, nil
	})
}

// parseFdinfo reads the tfd lines of an epoll fd's fdinfo; other lines
// (pos, flags, mnt_id, ino) are skipped.
func parseFdinfo(b []byte) ([]Registration, error) {
	var regs []Registration
	for line := 1; len(b) > 0; line++ {
		var l []byte
		l, b, _ = bytes.Cut(b, []byte{'\n'})
		if !bytes.HasPrefix(l, []byte("tfd:")) {
			continue
		}
		r, key, err := parseTfd(l)
		if err != nil {
			return nil, &kernel.ParseError{Line: line, Key: key, Err: err}
		}
		regs = append(regs, r)
	}
	return regs, nil
}

// errMissing is the error for a tfd line without a required field.
var errMissing = errors.New("missing")

// parseTfd reads one tfd line: "key: value" pairs for tfd, events and
// data (a space after the colon, values padded), then "key:value" for
// pos, ino and sdev. Unknown keys are skipped. It returns the key that
// failed.
func parseTfd(l []byte) (Registration, string, error) {
	var r Registration
	var seen int
	f := bytes.Fields(l)
	for i := 0; i < len(f); i++ {
		key, val, _ := bytes.Cut(f[i], []byte{':'})
		if len(val) == 0 && i+1 < len(f) && !bytes.ContainsRune(f[i+1], ':') {
			i++
			val = f[i]
		}
		var err error
		switch string(key) {
		case "tfd":
			var v int64
			v, err = strconv.ParseInt(string(val), 10, 32)
			if err == nil && v < 0 {
				err = strconv.ErrRange
			}
			r.FD = int(v)
			seen |= 1
		case "events":
			var v uint64
			v, err = strconv.ParseUint(string(val), 16, 32)
			r.Events = Events(v)
			seen |= 2
		case "data":
			r.Data, err = strconv.ParseUint(string(val), 16, 64)
			seen |= 4
		case "pos":
			r.Pos, err = strconv.ParseInt(string(val), 10, 64)
		case "ino":
			r.Inode, err = strconv.ParseUint(string(val), 16, 64)
		case "sdev":
			var v uint64
			v, err = strconv.ParseUint(string(val), 16, 32)
			// The kernel's internal dev_t: 12 bits of major, 20 of minor.
			r.DevMajor, r.DevMinor = uint32(v>>20), uint32(v&(1<<20-1))
		}
		if err != nil {
			return Registration{}, string(key), err
		}
	}
	switch {
	case seen&1 == 0:
		return Registration{}, "tfd", errMissing
	case seen&2 == 0:
		return Registration{}, "events", errMissing
	case seen&4 == 0:
		return Registration{}, "data", errMissing
	}
	return r, "", nil
}
