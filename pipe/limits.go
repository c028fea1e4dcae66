package pipe

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"

	"github.com/lxgo/lx/internal/pseudofs"
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
	// An int holds it (at most 2^31-1 on 32-bit architectures).
	max, err := readSysctl("pipe-max-size", min(maxSize, math.MaxInt))
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
	v, err := pseudofs.Default().ReadSysctl(max, "fs", name)
	if err != nil {
		return 0, fmt.Errorf("pipe limits: %w", err)
	}
	return v, nil
}
