//go:build race

package cpuset

const raceEnabled = true
