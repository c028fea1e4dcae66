package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// POSIX message queues: mq_open(2), mq_unlink(2), mq_timedsend(2),
// mq_timedreceive(2) and mq_getsetattr(2), made directly (glibc's mq_*
// functions are thin wrappers that strip the name's leading '/').

// Errnos of the message queue calls (mq_open takes the O_* flags of
// open.go; O_CLOEXEC is always added).
const (
	EMSGSIZE = unix.EMSGSIZE
	EEXIST   = unix.EEXIST
	EMFILE   = unix.EMFILE
	ENOSPC   = unix.ENOSPC
	ENOMEM   = unix.ENOMEM
	EBADMSG  = unix.EBADMSG
)

// MqOpen opens or creates the message queue name (without the leading
// '/' of the POSIX form), close-on-exec. attr is used only with O_CREAT;
// nil means the system's defaults.
func MqOpen(name string, flags int, mode uint32, attr *abi.MqAttr) (*FD, error) {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return nil, wrap("mq_open", err)
	}
	fd, err := Syscall6("mq_open", unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)), uintptr(flags|unix.O_CLOEXEC), uintptr(mode), uintptr(unsafe.Pointer(attr)), 0, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(int(fd)), nil
}

// MqUnlink removes the message queue name (without the leading '/').
func MqUnlink(name string) error {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return wrap("mq_unlink", err)
	}
	_, err = Syscall6("mq_unlink", unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(p)), 0, 0, 0, 0, 0)
	return err
}

// MqSend queues msg with priority prio (mq_timedsend with no timeout:
// the descriptor is non-blocking, so a full queue is EAGAIN). EAGAIN is
// returned bare, without an allocation, for the poller's retry loop;
// other errors are *os.SyscallError.
func MqSend(fd int, msg []byte, prio uint32) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	} else {
		p = unsafe.Pointer(&zeroByte)
	}
	for {
		_, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDSEND, uintptr(fd), uintptr(p), uintptr(len(msg)), uintptr(prio), 0, 0)
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return unix.EAGAIN
		}
		return wrap("mq_timedsend", e)
	}
}

// zeroByte gives an empty message a valid address.
var zeroByte byte

// MqReceive takes the oldest message of the highest priority into buf
// (mq_timedreceive with no timeout) and returns its length and priority.
// buf must be at least the queue's message size (EMSGSIZE otherwise). An
// empty queue is a bare EAGAIN, as for MqSend.
func MqReceive(fd int, buf []byte) (int, uint32, error) {
	if len(buf) == 0 {
		return 0, 0, wrap("mq_timedreceive", unix.EMSGSIZE)
	}
	var prio uint32
	for {
		r, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDRECEIVE, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&prio)), 0, 0)
		switch e {
		case 0:
			return int(r), prio, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, 0, unix.EAGAIN
		}
		return 0, 0, wrap("mq_timedreceive", e)
	}
}

// MqGetattr returns the queue's attributes (mq_getsetattr with no new
// attributes).
func MqGetattr(fd int) (abi.MqAttr, error) {
	var a abi.MqAttr
	_, err := Syscall6("mq_getsetattr", unix.SYS_MQ_GETSETATTR, uintptr(fd), 0, uintptr(unsafe.Pointer(&a)), 0, 0, 0)
	return a, err
}
