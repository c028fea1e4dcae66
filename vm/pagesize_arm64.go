//go:build arm64

package vm

// PageSize is the base page size of this architecture's standard kernels
// and MaxPageSize the largest any of its kernels may use (an alignment
// that is always safe). arm64 kernels choose 4, 16 or 64 KiB pages at
// build time (CONFIG_ARM64_PAGE_SHIFT); Debian, Ubuntu and Android use 4
// KiB, some RHEL and Asahi kernels 64 or 16 KiB. Pagesize returns the
// running kernel's size.
const (
	PageSize      = 4096
	MaxPageSize   = 65536
	fixedPageSize = false
)
