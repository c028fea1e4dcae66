package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestUserfaultfdConstants(t *testing.T) {
	const h = "linux/userfaultfd.h"
	checkConstants(t,
		constant{Header: h, C: "UFFD_USER_MODE_ONLY", Go: abi.UFFD_USER_MODE_ONLY},
		constant{Header: h, C: "USERFAULTFD_IOC_NEW", Go: abi.USERFAULTFD_IOC_NEW},
		constant{Header: h, C: "UFFD_API", Go: abi.UFFD_API},
		constant{Header: h, C: "UFFDIO", Go: abi.UFFDIO},
		constant{Header: h, C: "_UFFDIO_REGISTER", Go: abi.UFFDIO_REGISTER_NR},
		constant{Header: h, C: "_UFFDIO_UNREGISTER", Go: abi.UFFDIO_UNREGISTER_NR},
		constant{Header: h, C: "_UFFDIO_WAKE", Go: abi.UFFDIO_WAKE_NR},
		constant{Header: h, C: "_UFFDIO_COPY", Go: abi.UFFDIO_COPY_NR},
		constant{Header: h, C: "_UFFDIO_ZEROPAGE", Go: abi.UFFDIO_ZEROPAGE_NR},
		constant{Header: h, C: "_UFFDIO_WRITEPROTECT", Go: abi.UFFDIO_WRITEPROTECT_NR},
		constant{Header: h, C: "_UFFDIO_CONTINUE", Go: abi.UFFDIO_CONTINUE_NR},
		constant{Header: h, C: "_UFFDIO_API", Go: abi.UFFDIO_API_NR},
		constant{Header: h, C: "UFFD_FEATURE_PAGEFAULT_FLAG_WP", Go: abi.UFFD_FEATURE_PAGEFAULT_FLAG_WP},
		constant{Header: h, C: "UFFD_FEATURE_EVENT_FORK", Go: abi.UFFD_FEATURE_EVENT_FORK},
		constant{Header: h, C: "UFFD_FEATURE_EVENT_REMAP", Go: abi.UFFD_FEATURE_EVENT_REMAP},
		constant{Header: h, C: "UFFD_FEATURE_EVENT_REMOVE", Go: abi.UFFD_FEATURE_EVENT_REMOVE},
		constant{Header: h, C: "UFFD_FEATURE_MISSING_HUGETLBFS", Go: abi.UFFD_FEATURE_MISSING_HUGETLBFS},
		constant{Header: h, C: "UFFD_FEATURE_MISSING_SHMEM", Go: abi.UFFD_FEATURE_MISSING_SHMEM},
		constant{Header: h, C: "UFFD_FEATURE_EVENT_UNMAP", Go: abi.UFFD_FEATURE_EVENT_UNMAP},
		constant{Header: h, C: "UFFD_FEATURE_SIGBUS", Go: abi.UFFD_FEATURE_SIGBUS},
		constant{Header: h, C: "UFFD_FEATURE_THREAD_ID", Go: abi.UFFD_FEATURE_THREAD_ID},
		constant{Header: h, C: "UFFD_FEATURE_MINOR_HUGETLBFS", Go: abi.UFFD_FEATURE_MINOR_HUGETLBFS},
		constant{Header: h, C: "UFFD_FEATURE_MINOR_SHMEM", Go: abi.UFFD_FEATURE_MINOR_SHMEM},
		constant{Header: h, C: "UFFD_FEATURE_EXACT_ADDRESS", Go: abi.UFFD_FEATURE_EXACT_ADDRESS},
		constant{Header: h, C: "UFFD_FEATURE_WP_HUGETLBFS_SHMEM", Go: abi.UFFD_FEATURE_WP_HUGETLBFS_SHMEM},
		constant{Header: h, C: "UFFDIO_REGISTER_MODE_MISSING", Go: abi.UFFDIO_REGISTER_MODE_MISSING},
		constant{Header: h, C: "UFFDIO_REGISTER_MODE_WP", Go: abi.UFFDIO_REGISTER_MODE_WP},
		constant{Header: h, C: "UFFDIO_REGISTER_MODE_MINOR", Go: abi.UFFDIO_REGISTER_MODE_MINOR},
		constant{Header: h, C: "UFFDIO_COPY_MODE_DONTWAKE", Go: abi.UFFDIO_COPY_MODE_DONTWAKE},
		constant{Header: h, C: "UFFDIO_COPY_MODE_WP", Go: abi.UFFDIO_COPY_MODE_WP},
		constant{Header: h, C: "UFFDIO_ZEROPAGE_MODE_DONTWAKE", Go: abi.UFFDIO_ZEROPAGE_MODE_DONTWAKE},
		constant{Header: h, C: "UFFDIO_WRITEPROTECT_MODE_WP", Go: abi.UFFDIO_WRITEPROTECT_MODE_WP},
		constant{Header: h, C: "UFFDIO_WRITEPROTECT_MODE_DONTWAKE", Go: abi.UFFDIO_WRITEPROTECT_MODE_DONTWAKE},
		constant{Header: h, C: "UFFDIO_CONTINUE_MODE_DONTWAKE", Go: abi.UFFDIO_CONTINUE_MODE_DONTWAKE},
		constant{Header: h, C: "UFFD_EVENT_PAGEFAULT", Go: abi.UFFD_EVENT_PAGEFAULT},
		constant{Header: h, C: "UFFD_EVENT_FORK", Go: abi.UFFD_EVENT_FORK},
		constant{Header: h, C: "UFFD_EVENT_REMAP", Go: abi.UFFD_EVENT_REMAP},
		constant{Header: h, C: "UFFD_EVENT_REMOVE", Go: abi.UFFD_EVENT_REMOVE},
		constant{Header: h, C: "UFFD_EVENT_UNMAP", Go: abi.UFFD_EVENT_UNMAP},
		constant{Header: h, C: "UFFD_PAGEFAULT_FLAG_WRITE", Go: abi.UFFD_PAGEFAULT_FLAG_WRITE},
		constant{Header: h, C: "UFFD_PAGEFAULT_FLAG_WP", Go: abi.UFFD_PAGEFAULT_FLAG_WP},
		constant{Header: h, C: "UFFD_PAGEFAULT_FLAG_MINOR", Go: abi.UFFD_PAGEFAULT_FLAG_MINOR},
	)
}

// TestUserfaultfdUpstreamConstants pins what the installed 6.1 headers
// lack to include/uapi/linux/userfaultfd.h of Linux 6.8.
func TestUserfaultfdUpstreamConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"_UFFDIO_MOVE", abi.UFFDIO_MOVE_NR, 0x05},
		{"_UFFDIO_POISON", abi.UFFDIO_POISON_NR, 0x08},
		{"UFFD_FEATURE_WP_UNPOPULATED", abi.UFFD_FEATURE_WP_UNPOPULATED, 1 << 13},
		{"UFFD_FEATURE_POISON", abi.UFFD_FEATURE_POISON, 1 << 14},
		{"UFFD_FEATURE_WP_ASYNC", abi.UFFD_FEATURE_WP_ASYNC, 1 << 15},
		{"UFFD_FEATURE_MOVE", abi.UFFD_FEATURE_MOVE, 1 << 16},
		{"UFFDIO_CONTINUE_MODE_WP", abi.UFFDIO_CONTINUE_MODE_WP, 1 << 1},
		{"UFFDIO_POISON_MODE_DONTWAKE", abi.UFFDIO_POISON_MODE_DONTWAKE, 1 << 0},
		{"UFFDIO_MOVE_MODE_DONTWAKE", abi.UFFDIO_MOVE_MODE_DONTWAKE, 1 << 0},
		{"UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES", abi.UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES, 1 << 1},
	} {
		if c.got != c.want {
			t.Errorf("%s: Go %#x, upstream (Linux 6.8) %#x", c.name, c.got, c.want)
		}
	}
}

func TestUserfaultfdLayout(t *testing.T) {
	const h = "linux/userfaultfd.h"
	var m abi.UffdMsg
	var a abi.UffdioAPI
	var r abi.UffdioRegister
	var c abi.UffdioCopy
	var z abi.UffdioZeropage
	var w abi.UffdioWriteprotect
	var k abi.UffdioContinue
	sizes := []struct {
		name      string
		got, want uintptr
	}{
		{"UffdMsg", unsafe.Sizeof(m), abi.SizeofUffdMsg},
		{"UffdioAPI", unsafe.Sizeof(a), abi.SizeofUffdioAPI},
		{"UffdioRange", unsafe.Sizeof(abi.UffdioRange{}), abi.SizeofUffdioRange},
		{"UffdioRegister", unsafe.Sizeof(r), abi.SizeofUffdioRegister},
		{"UffdioCopy", unsafe.Sizeof(c), abi.SizeofUffdioCopy},
		{"UffdioZeropage", unsafe.Sizeof(z), abi.SizeofUffdioZeropage},
		{"UffdioWriteprotect", unsafe.Sizeof(w), abi.SizeofUffdioWriteprotect},
		{"UffdioContinue", unsafe.Sizeof(k), abi.SizeofUffdioContinue},
		{"UffdioPoison", unsafe.Sizeof(abi.UffdioPoison{}), abi.SizeofUffdioPoison},
		{"UffdioMove", unsafe.Sizeof(abi.UffdioMove{}), abi.SizeofUffdioMove},
	}
	for _, s := range sizes {
		if s.got != s.want {
			t.Errorf("%s is %d bytes, want %d", s.name, s.got, s.want)
		}
	}
	checkLayouts(t,
		layout{Header: h, C: "struct uffd_msg", Size: unsafe.Sizeof(m), Fields: []field{
			{C: "event", Offset: unsafe.Offsetof(m.Event)},
			{C: "arg", Offset: unsafe.Offsetof(m.Arg)},
			{C: "arg.pagefault.flags", Offset: unsafe.Offsetof(m.Arg) + 0},
			{C: "arg.pagefault.address", Offset: unsafe.Offsetof(m.Arg) + 8},
			{C: "arg.pagefault.feat.ptid", Offset: unsafe.Offsetof(m.Arg) + 16},
			{C: "arg.fork.ufd", Offset: unsafe.Offsetof(m.Arg) + 0},
			{C: "arg.remap.from", Offset: unsafe.Offsetof(m.Arg) + 0},
			{C: "arg.remap.to", Offset: unsafe.Offsetof(m.Arg) + 8},
			{C: "arg.remap.len", Offset: unsafe.Offsetof(m.Arg) + 16},
			{C: "arg.remove.start", Offset: unsafe.Offsetof(m.Arg) + 0},
			{C: "arg.remove.end", Offset: unsafe.Offsetof(m.Arg) + 8},
		}},
		layout{Header: h, C: "struct uffdio_api", Size: unsafe.Sizeof(a), Fields: []field{
			{C: "api", Offset: unsafe.Offsetof(a.API)},
			{C: "features", Offset: unsafe.Offsetof(a.Features)},
			{C: "ioctls", Offset: unsafe.Offsetof(a.Ioctls)},
		}},
		layout{Header: h, C: "struct uffdio_register", Size: unsafe.Sizeof(r), Fields: []field{
			{C: "range.start", Offset: unsafe.Offsetof(r.Range) + unsafe.Offsetof(r.Range.Start)},
			{C: "range.len", Offset: unsafe.Offsetof(r.Range) + unsafe.Offsetof(r.Range.Len)},
			{C: "mode", Offset: unsafe.Offsetof(r.Mode)},
			{C: "ioctls", Offset: unsafe.Offsetof(r.Ioctls)},
		}},
		layout{Header: h, C: "struct uffdio_copy", Size: unsafe.Sizeof(c), Fields: []field{
			{C: "dst", Offset: unsafe.Offsetof(c.Dst)},
			{C: "src", Offset: unsafe.Offsetof(c.Src)},
			{C: "len", Offset: unsafe.Offsetof(c.Len)},
			{C: "mode", Offset: unsafe.Offsetof(c.Mode)},
			{C: "copy", Offset: unsafe.Offsetof(c.Copy)},
		}},
		layout{Header: h, C: "struct uffdio_zeropage", Size: unsafe.Sizeof(z), Fields: []field{
			{C: "range", Offset: unsafe.Offsetof(z.Range)},
			{C: "mode", Offset: unsafe.Offsetof(z.Mode)},
			{C: "zeropage", Offset: unsafe.Offsetof(z.Zeropage)},
		}},
		layout{Header: h, C: "struct uffdio_writeprotect", Size: unsafe.Sizeof(w), Fields: []field{
			{C: "range", Offset: unsafe.Offsetof(w.Range)},
			{C: "mode", Offset: unsafe.Offsetof(w.Mode)},
		}},
		layout{Header: h, C: "struct uffdio_continue", Size: unsafe.Sizeof(k), Fields: []field{
			{C: "range", Offset: unsafe.Offsetof(k.Range)},
			{C: "mode", Offset: unsafe.Offsetof(k.Mode)},
			{C: "mapped", Offset: unsafe.Offsetof(k.Mapped)},
		}},
	)
	var p abi.UffdioPoison
	var v abi.UffdioMove
	checkLayouts(t,
		layout{Header: h, C: "struct uffdio_poison", Size: unsafe.Sizeof(p), Upstream: "include/uapi/linux/userfaultfd.h, Linux 6.6", PinnedSize: 32, Fields: []field{
			{C: "range", Offset: unsafe.Offsetof(p.Range), Pinned: 0},
			{C: "mode", Offset: unsafe.Offsetof(p.Mode), Pinned: 16},
			{C: "updated", Offset: unsafe.Offsetof(p.Updated), Pinned: 24},
		}},
		layout{Header: h, C: "struct uffdio_move", Size: unsafe.Sizeof(v), Upstream: "include/uapi/linux/userfaultfd.h, Linux 6.8", PinnedSize: 40, Fields: []field{
			{C: "dst", Offset: unsafe.Offsetof(v.Dst), Pinned: 0},
			{C: "src", Offset: unsafe.Offsetof(v.Src), Pinned: 8},
			{C: "len", Offset: unsafe.Offsetof(v.Len), Pinned: 16},
			{C: "mode", Offset: unsafe.Offsetof(v.Mode), Pinned: 24},
			{C: "move", Offset: unsafe.Offsetof(v.Move), Pinned: 32},
		}},
	)
}
