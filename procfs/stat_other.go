//go:build !amd64

package procfs

// statNumbersArch is statNumbers: stat_amd64.go has a vector form.
func statNumbersArch(b []byte, v []uint64) (neg uint64, k, end int, ok bool) {
	return statNumbers(b, v)
}
