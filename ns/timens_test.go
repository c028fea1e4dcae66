package ns

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestParseTimeOffsets(t *testing.T) {
	for _, c := range []struct {
		in   string
		want TimeOffsets
	}{
		// As the kernel shows the file.
		{"monotonic           0         0\nboottime            0         0\n", TimeOffsets{}},
		{"monotonic       86400         0\nboottime           -5       100\n", TimeOffsets{86400 * time.Second, -5*time.Second + 100}},
		{"boottime 1 0", TimeOffsets{Boottime: time.Second}},
		{"1 2 0\n7 3 0", TimeOffsets{2 * time.Second, 3 * time.Second}}, // the clock ids
		{"monotonic\t-1\t999999999\r\n", TimeOffsets{Monotonic: -1}},
		{"", TimeOffsets{}},
		{"monotonic 9223372036 854775807", TimeOffsets{Monotonic: math.MaxInt64}},
		{"monotonic -9223372037 145224192", TimeOffsets{Monotonic: math.MinInt64}},
	} {
		got, err := ParseTimeOffsets(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseTimeOffsets(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want error
	}{
		{"monotonic 1", strconv.ErrSyntax},
		{"monotonic 1 0 0", strconv.ErrSyntax},
		{"realtime 1 0", strconv.ErrSyntax},
		{"0 1 0", strconv.ErrSyntax},
		{"monotonic 1 1000000000", strconv.ErrSyntax},
		{"monotonic 1 -1", strconv.ErrSyntax},
		{"monotonic x 0", strconv.ErrSyntax},
		{"monotonic 1 0\nmonotonic 2 0", strconv.ErrSyntax},
		{"monotonic 1 0\n\nboottime 1 0", strconv.ErrSyntax},
		{"monotonic 9223372036 854775808", strconv.ErrRange},
		{"monotonic -9223372037 145224191", strconv.ErrRange},
		{"monotonic 99999999999999999999 0", strconv.ErrRange},
	} {
		if got, err := ParseTimeOffsets([]byte(c.in)); !errors.Is(err, c.want) || got != (TimeOffsets{}) {
			t.Errorf("ParseTimeOffsets(%q) = %v, %v; want an error matching %v", c.in, got, err, c.want)
		}
	}
}

func TestTimeOffsetsText(t *testing.T) {
	o := TimeOffsets{Monotonic: 86400 * time.Second, Boottime: -1500 * time.Millisecond}
	want := "monotonic 86400 0\nboottime -2 500000000\n"
	if o.String() != want {
		t.Errorf("String = %q, want %q", o.String(), want)
	}
	b, err := o.MarshalText()
	if err != nil || string(b) != want {
		t.Errorf("MarshalText = %q, %v", b, err)
	}
	var back TimeOffsets
	if err := back.UnmarshalText(b); err != nil || back != o {
		t.Errorf("UnmarshalText = %v, %v", back, err)
	}
	if err := back.UnmarshalText([]byte("x")); err == nil || back != o {
		t.Errorf("UnmarshalText of bad text: %v, left %v", err, back)
	}
}

// The initial time namespace (the one for children of this process) has
// had processes in it: its offsets are frozen, whoever asks.
func TestSetTimeOffsetsFrozen(t *testing.T) {
	err := SetTimeOffsets(os.Getpid(), TimeOffsets{Monotonic: time.Hour})
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("SetTimeOffsets of our own time namespace = %v, want an error matching fs.ErrPermission", err)
	}
	if err := SetTimeOffsets(0, TimeOffsets{}); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("SetTimeOffsets(0) = %v", err)
	}
}
