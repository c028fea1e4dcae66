//go:build race

package pseudofs

// The race detector makes sync.Pool drop a random quarter of the buffers
// put back, so allocation counts are meaningless under it.
const raceEnabled = true
