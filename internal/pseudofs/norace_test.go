//go:build !race

package pseudofs

const raceEnabled = false
