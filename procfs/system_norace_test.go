//go:build !race

package procfs

// systemRace is true under the race detector, which makes sync.Pool drop
// buffers at random, so allocation counts are not meaningful.
const systemRace = false
