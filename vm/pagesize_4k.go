//go:build 386 || amd64 || arm || riscv64 || s390x

package vm

// PageSize is the base page size of this architecture's standard kernels
// and MaxPageSize the largest any of its kernels may use (an alignment
// that is always safe). These architectures' kernels use 4 KiB pages only
// (arm's LPAE and riscv64's Sv48/57 change the table levels, not the base
// page). Pagesize returns the running kernel's size.
const (
	PageSize      = 4096
	MaxPageSize   = 4096
	fixedPageSize = true
)
