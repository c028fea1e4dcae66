//go:build ppc64 || ppc64le

package vm

// PageSize is the base page size of this architecture's standard kernels
// and MaxPageSize the largest any of its kernels may use (an alignment
// that is always safe). ppc64 kernels choose 4 or 64 KiB pages at build
// time (CONFIG_PPC_64K_PAGES); every major distribution uses 64 KiB.
// Pagesize returns the running kernel's size.
const (
	PageSize      = 65536
	MaxPageSize   = 65536
	fixedPageSize = false
)
