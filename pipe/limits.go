package pipe

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// Limits are the system's pipe limits (/proc/sys/fs, Linux 2.6.35 and
// 4.5), in bytes.
type Limits struct {
	MaxSize  int   // pipe-max-size: the largest size an unprivileged SetSize may ask for
	UserSoft int64 // pipe-user-pages-soft: past this, a user's new pipes get 2 pages (0: no limit)
	UserHard int64 // pipe-user-pages-hard: past this, a user cannot grow pipes (0: no limit)
}

// ReadLimits reads /proc/sys/fs/pipe-max-size, pipe-user-pages-soft and
// pipe-user-pages-hard. The page counts are turned into bytes.
func ReadLimits() (Limits, error) {
	var l Limits
	max, err := readSysctl("pipe-max-size", maxSize)
	if err != nil {
		return Limits{}, err
	}
	l.MaxSize = int(max)
	page := int64(os.Getpagesize())
	soft, err := readSysctl("pipe-user-pages-soft", 1<<62/page)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Limits{}, err
	}
	hard, err := readSysctl("pipe-user-pages-hard", 1<<62/page)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Limits{}, err
	}
	l.UserSoft, l.UserHard = soft*page, hard*page
	return l, nil
}

// readSysctl reads the number in /proc/sys/fs/name, which must be at
// most max.
func readSysctl(name string, max int64) (int64, error) {
	path := pseudofs.Default().ProcPath("sys", "fs", name)
	var v int64
	err := pseudofs.WithFile(path, func(b []byte) error {
		var err error
		v, err = parseSysctl(b, max)
		return err
	})
	var pe *kernel.ParseError
	if errors.As(err, &pe) {
		pe.Path = path
	}
	if err != nil {
		return 0, fmt.Errorf("pipe limits: %w", err)
	}
	return v, nil
}

// parseSysctl reads one decimal number from 0 to max, followed by a
// newline.
func parseSysctl(b []byte, max int64) (int64, error) {
	v, err := strconv.ParseInt(string(bytes.TrimSuffix(b, []byte{'\n'})), 10, 64)
	if err == nil && (v < 0 || v > max) {
		err = &strconv.NumError{Func: "ParseInt", Num: string(b), Err: strconv.ErrRange}
	}
	if err != nil {
		return 0, &kernel.ParseError{Err: err}
	}
	return v, nil
}
