package abi

// From include/uapi/linux/io_uring.h (io_uring_setup(2), io_uring_register(2)).

// IOUringParams is struct io_uring_params, the argument of
// io_uring_setup(2): the caller fills the flags and hints, the kernel fills
// the rest.
type IOUringParams struct {
	SQEntries    uint32
	CQEntries    uint32
	Flags        uint32
	SQThreadCPU  uint32
	SQThreadIdle uint32
	Features     uint32
	WQFd         uint32
	Resv         [3]uint32
	SQOff        IOSQRingOffsets
	CQOff        IOCQRingOffsets
}

// IOSQRingOffsets is struct io_sqring_offsets: where the submission ring's
// fields are in its mapping.
type IOSQRingOffsets struct {
	Head        uint32
	Tail        uint32
	RingMask    uint32
	RingEntries uint32
	Flags       uint32
	Dropped     uint32
	Array       uint32
	Resv1       uint32
	UserAddr    uint64 // resv2 before Linux 6.5 (IORING_SETUP_NO_MMAP)
}

// IOCQRingOffsets is struct io_cqring_offsets: where the completion ring's
// fields are in its mapping.
type IOCQRingOffsets struct {
	Head        uint32
	Tail        uint32
	RingMask    uint32
	RingEntries uint32
	Overflow    uint32
	CQEs        uint32
	Flags       uint32
	Resv1       uint32
	UserAddr    uint64 // resv2 before Linux 6.5 (IORING_SETUP_NO_MMAP)
}

// IOUringProbe is the fixed part of struct io_uring_probe, the argument of
// IORING_REGISTER_PROBE. The kernel-side struct ends in a flexible array of
// struct io_uring_probe_op (8 bytes each), one per opcode asked for; lx
// asks for none and reads only LastOp.
type IOUringProbe struct {
	LastOp uint8 // the highest opcode this kernel knows
	OpsLen uint8 // how many entries of ops[] the kernel filled
	Resv   uint16
	Resv2  [3]uint32
}

// IORING_REGISTER_PROBE is the io_uring_register(2) opcode that fills a
// struct io_uring_probe (Linux 5.6).
const IORING_REGISTER_PROBE = 8
