package sys

import (
	"encoding/binary"
	"math/bits"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sched_getaffinity(2) and sched_setaffinity(2).

// The kernel's cpumask is an array of unsigned long. lx passes []uint64
// (CPU i is bit i%64 of word i/64): the same bytes on every 64-bit machine
// and on 32-bit little-endian ones; on 32-bit big-endian machines the two
// halves of each word are swapped on the way in and out.
var swapHalves = bits.UintSize == 32 && binary.NativeEndian.Uint16([]byte{1, 0}) != 1

// SchedGetaffinity stores the CPU affinity mask of thread tid (0: the
// calling thread) in mask and returns the number of bytes the kernel
// wrote: nr_cpu_ids rounded up to a whole unsigned long, which tells a
// caller how many CPUs the kernel can have. A mask shorter than that
// fails with EINVAL. Any thread may read any thread's mask.
func SchedGetaffinity(tid int, mask []uint64) (int, error) {
	if len(mask) == 0 {
		return 0, wrap("sched_getaffinity", unix.EINVAL)
	}
	for {
		r, _, e := unix.RawSyscall(unix.SYS_SCHED_GETAFFINITY, uintptr(tid), uintptr(len(mask)*8), uintptr(unsafe.Pointer(&mask[0])))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, wrap("sched_getaffinity", e)
		}
		if swapHalves {
			swapWords(mask)
		}
		return int(r), nil
	}
}

// SchedSetaffinity sets the CPU affinity mask of thread tid (0: the
// calling thread) to mask. The kernel ignores bits beyond its CPUs and
// fails with EINVAL when no CPU of mask is both online and allowed by the
// thread's cpuset cgroup. Another user's thread needs CAP_SYS_NICE.
func SchedSetaffinity(tid int, mask []uint64) error {
	if len(mask) == 0 {
		return wrap("sched_setaffinity", unix.EINVAL)
	}
	m := mask
	if swapHalves {
		m = append([]uint64(nil), mask...)
		swapWords(m)
	}
	err := retry(func() error {
		_, _, e := unix.RawSyscall(unix.SYS_SCHED_SETAFFINITY, uintptr(tid), uintptr(len(m)*8), uintptr(unsafe.Pointer(&m[0])))
		if e != 0 {
			return e
		}
		return nil
	})
	return wrap("sched_setaffinity", err)
}

func swapWords(w []uint64) {
	for i, x := range w {
		w[i] = x<<32 | x>>32
	}
}
