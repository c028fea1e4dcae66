//go:build mips || mipsle || mips64 || mips64le

package vm

// PageSize is the base page size of this architecture's standard kernels
// and MaxPageSize the largest any of its kernels may use (an alignment
// that is always safe). MIPS kernels choose 4, 16 or 64 KiB pages at build
// time (CONFIG_PAGE_SIZE_*); 4 KiB is the default. Pagesize returns the
// running kernel's size.
const (
	PageSize      = 4096
	MaxPageSize   = 65536
	fixedPageSize = false
)
