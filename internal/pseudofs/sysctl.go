package pseudofs

import (
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/kernel"
)

// ReadSysctl reads the /proc/sys file that elem names below the FS's
// procfs (fs.ReadSysctl(max, "fs", "inotify", "max_user_watches")): one
// decimal integer from 0 to max and a newline, as the kernel's
// proc_dointvec and proc_doulongvec files print it. A missing file is an
// *fs.PathError matching fs.ErrNotExist; a malformed or out-of-range
// value a *kernel.ParseError naming the file.
func (fs FS) ReadSysctl(max int64, elem ...string) (int64, error) {
	path := fs.ProcPath(append([]string{"sys"}, elem...)...)
	var v int64
	err := WithFile(path, func(b []byte) error {
		var err error
		v, err = ParseSysctl(b, max)
		if err != nil {
			return &kernel.ParseError{Path: path, Err: err}
		}
		return nil
	})
	return v, err
}

// ParseSysctl parses a sysctl file's contents for ReadSysctl: one decimal
// integer from 0 to max, with or without the trailing newline. The error
// is a *strconv.NumError.
func ParseSysctl(b []byte, max int64) (int64, error) {
	t := parse.Trim(b)
	v, err := parse.Int(t)
	if err == nil && (v < 0 || v > max) {
		err = &strconv.NumError{Func: "ParseSysctl", Num: string(t), Err: strconv.ErrRange}
	}
	return v, err
}
