package abi

// SignalfdSiginfo is struct signalfd_siginfo, include/uapi/linux/signalfd.h
// (Linux 2.6.22; ssi_addr_lsb 2.6.37, ssi_syscall, ssi_call_addr and
// ssi_arch 3.18): what one read(2) of a signalfd returns per signal, 128
// bytes, the same on every architecture. The kernel fills only the fields
// of the signal's siginfo layout (fs/signalfd.c, signalfd_copyinfo) and
// zeroes the others.
type SignalfdSiginfo struct {
	Signo    uint32
	Errno    int32
	Code     int32
	Pid      uint32
	Uid      uint32
	Fd       int32
	Tid      uint32
	Band     uint32
	Overrun  uint32
	Trapno   uint32
	Status   int32
	Int      int32
	Ptr      uint64
	Utime    uint64
	Stime    uint64
	Addr     uint64
	AddrLsb  uint16
	_        uint16
	Syscall  int32
	CallAddr uint64
	Arch     uint32
	_        [28]uint8
}

// SignalfdSiginfoSize is sizeof(struct signalfd_siginfo).
const SignalfdSiginfoSize = 128

// Byte offsets of the fields of struct signalfd_siginfo, for decoding a
// read buffer without unsafe.
const (
	SsiSigno    = 0
	SsiErrno    = 4
	SsiCode     = 8
	SsiPid      = 12
	SsiUid      = 16
	SsiFd       = 20
	SsiTid      = 24
	SsiBand     = 28
	SsiOverrun  = 32
	SsiTrapno   = 36
	SsiStatus   = 40
	SsiInt      = 44
	SsiPtr      = 48
	SsiUtime    = 56
	SsiStime    = 64
	SsiAddr     = 72
	SsiAddrLsb  = 80
	SsiSyscall  = 84
	SsiCallAddr = 88
	SsiArch     = 96
)
