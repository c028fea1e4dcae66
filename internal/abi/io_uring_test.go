package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestIOUringLayout(t *testing.T) {
	var p abi.IOUringParams
	var sq abi.IOSQRingOffsets
	var cq abi.IOCQRingOffsets
	var probe abi.IOUringProbe
	const h = "linux/io_uring.h"
	checkLayouts(t,
		layout{Header: h, C: "struct io_uring_params", Size: unsafe.Sizeof(p), Fields: []field{
			{C: "sq_entries", Offset: unsafe.Offsetof(p.SQEntries)},
			{C: "cq_entries", Offset: unsafe.Offsetof(p.CQEntries)},
			{C: "flags", Offset: unsafe.Offsetof(p.Flags)},
			{C: "sq_thread_cpu", Offset: unsafe.Offsetof(p.SQThreadCPU)},
			{C: "sq_thread_idle", Offset: unsafe.Offsetof(p.SQThreadIdle)},
			{C: "features", Offset: unsafe.Offsetof(p.Features)},
			{C: "wq_fd", Offset: unsafe.Offsetof(p.WQFd)},
			{C: "resv", Offset: unsafe.Offsetof(p.Resv)},
			{C: "sq_off", Offset: unsafe.Offsetof(p.SQOff)},
			{C: "cq_off", Offset: unsafe.Offsetof(p.CQOff)},
		}},
		// The 6.1 header calls user_addr resv2 (renamed in 6.5, same place).
		layout{Header: h, C: "struct io_sqring_offsets", Size: unsafe.Sizeof(sq), Fields: []field{
			{C: "head", Offset: unsafe.Offsetof(sq.Head)},
			{C: "tail", Offset: unsafe.Offsetof(sq.Tail)},
			{C: "ring_mask", Offset: unsafe.Offsetof(sq.RingMask)},
			{C: "ring_entries", Offset: unsafe.Offsetof(sq.RingEntries)},
			{C: "flags", Offset: unsafe.Offsetof(sq.Flags)},
			{C: "dropped", Offset: unsafe.Offsetof(sq.Dropped)},
			{C: "array", Offset: unsafe.Offsetof(sq.Array)},
			{C: "resv1", Offset: unsafe.Offsetof(sq.Resv1)},
			{C: "resv2", Offset: unsafe.Offsetof(sq.UserAddr)},
		}},
		layout{Header: h, C: "struct io_cqring_offsets", Size: unsafe.Sizeof(cq), Fields: []field{
			{C: "head", Offset: unsafe.Offsetof(cq.Head)},
			{C: "tail", Offset: unsafe.Offsetof(cq.Tail)},
			{C: "ring_mask", Offset: unsafe.Offsetof(cq.RingMask)},
			{C: "ring_entries", Offset: unsafe.Offsetof(cq.RingEntries)},
			{C: "overflow", Offset: unsafe.Offsetof(cq.Overflow)},
			{C: "cqes", Offset: unsafe.Offsetof(cq.CQEs)},
			{C: "flags", Offset: unsafe.Offsetof(cq.Flags)},
			{C: "resv1", Offset: unsafe.Offsetof(cq.Resv1)},
			{C: "resv2", Offset: unsafe.Offsetof(cq.UserAddr)},
		}},
		// Only the fixed part; sizeof includes no element of ops[].
		layout{Header: h, C: "struct io_uring_probe", Size: unsafe.Sizeof(probe), Fields: []field{
			{C: "last_op", Offset: unsafe.Offsetof(probe.LastOp)},
			{C: "ops_len", Offset: unsafe.Offsetof(probe.OpsLen)},
			{C: "resv", Offset: unsafe.Offsetof(probe.Resv)},
			{C: "resv2", Offset: unsafe.Offsetof(probe.Resv2)},
		}},
	)
	checkConstants(t, constant{Header: h, C: "IORING_REGISTER_PROBE", Go: abi.IORING_REGISTER_PROBE})
}
