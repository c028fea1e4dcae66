package kernel

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
)

func TestParseError(t *testing.T) {
	for _, c := range []struct {
		err  ParseError
		want string
	}{
		{ParseError{Path: "/proc/1/status", Line: 9, Key: "VmRSS", Err: strconv.ErrRange}, "parse /proc/1/status:9: VmRSS: value out of range"},
		{ParseError{Path: "/proc/1/stat", Key: "utime", Err: strconv.ErrSyntax}, "parse /proc/1/stat: utime: invalid syntax"},
		{ParseError{Line: 3, Err: errors.New("line without ':'")}, "parse line 3: line without ':'"},
		{ParseError{Path: "/proc/meminfo"}, "parse /proc/meminfo: invalid"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.err, got, c.want)
		}
	}
	err := fmt.Errorf("meminfo read: %w", &ParseError{Path: "/proc/meminfo", Err: strconv.ErrRange})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Path != "/proc/meminfo" || !errors.Is(err, strconv.ErrRange) {
		t.Errorf("errors.As/Is through a wrap: %v", err)
	}
}
