//go:build !race

package cpuset

const raceEnabled = false
