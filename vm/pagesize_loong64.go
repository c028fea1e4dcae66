//go:build loong64

package vm

// PageSize is the base page size of this architecture's standard kernels
// and MaxPageSize the largest any of its kernels may use (an alignment
// that is always safe). LoongArch kernels choose 4, 16 or 64 KiB pages at
// build time; 16 KiB is the default and what distributions use. Pagesize
// returns the running kernel's size.
const (
	PageSize      = 16384
	MaxPageSize   = 65536
	fixedPageSize = false
)
