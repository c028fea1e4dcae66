//go:build race

package poll_test

// raceEnabled: the race detector makes values escape, so allocation
// counts are checked only without it.
const raceEnabled = true
