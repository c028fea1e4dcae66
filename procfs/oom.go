package procfs

import (
	"fmt"
	"io/fs"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
)

// The range of oom_score_adj.
const (
	OOMScoreAdjMin = -1000 // OOM_SCORE_ADJ_MIN: never chosen by the OOM killer
	OOMScoreAdjMax = 1000  // OOM_SCORE_ADJ_MAX: always chosen first
)

// OOMScore reads /proc/PID/oom_score: the badness the OOM killer gives the
// process now, from 0 (never killed) to 2000 (its memory use relative to
// the allowed total, plus oom_score_adj, shifted by 1000 since Linux 5.9;
// 0 to 1000 before). No privilege is needed.
func (p Proc) OOMScore() (int, error) { return p.readOOMInt("oom_score") }

// OOMScoreAdj reads /proc/PID/oom_score_adj (2.6.36): the adjustment,
// OOMScoreAdjMin to OOMScoreAdjMax, that the OOM killer adds to the
// process's badness. It is shared by all processes using the same memory
// (threads, vfork children). No privilege is needed.
func (p Proc) OOMScoreAdj() (int, error) { return p.readOOMInt("oom_score_adj") }

// OOMAdj reads the legacy /proc/PID/oom_adj (-17 to 15, -17 disabling the
// OOM killer), which the kernel derives from oom_score_adj. It is
// deprecated; use OOMScoreAdj.
func (p Proc) OOMAdj() (int, error) { return p.readOOMInt("oom_adj") }

// SetOOMScoreAdj writes /proc/PID/oom_score_adj. v must be within
// OOMScoreAdjMin and OOMScoreAdjMax. Raising the value needs only write
// access to the file (the process's owner, or root). Lowering it below the
// lowest value a privileged writer set (initially 0, inherited over fork)
// needs CAP_SYS_RESOURCE; without it the kernel refuses with EACCES, and
// the error matches fs.ErrPermission. The value applies to every process
// sharing the target's memory.
func (p Proc) SetOOMScoreAdj(v int) error {
	if v < OOMScoreAdjMin || v > OOMScoreAdjMax {
		return fmt.Errorf("oom_score_adj write: %d is outside [%d, %d]: %w", v, OOMScoreAdjMin, OOMScoreAdjMax, fs.ErrInvalid)
	}
	var b [8]byte
	return p.writeOOM("oom_score_adj", strconv.AppendInt(b[:0], int64(v), 10))
}

// readOOMInt reads one of the single-integer oom files.
func (p Proc) readOOMInt(name string) (int, error) {
	var v int
	err := readInto(p, name, &v, parseOOMInt)
	return v, err
}

// parseOOMInt parses an oom file: one decimal in the range of oom_adj,
// oom_score_adj or oom_score (all within -1000..2000; an int32 bounds the
// check).
func parseOOMInt(b []byte, v *int) error {
	b = parse.Trim(b)
	n, err := parse.Int(b)
	if err == nil && (n < -1<<31 || n > 1<<31-1) {
		err = errRange("int32", b)
	}
	*v = int(n)
	return err
}

// writeOOM writes data to the file name of p with one write(2).
func (p Proc) writeOOM(name string, data []byte) error {
	dirfd, path, err := p.at(name)
	if err != nil {
		return err
	}
	fd, err := sys.Openat(dirfd, path, sys.O_WRONLY)
	p.keepAlive()
	if err != nil {
		return p.ioError(name, err)
	}
	defer fd.Close()
	n, err := sys.Write(fd.Int(), data)
	if err != nil {
		return p.ioError(name, err)
	}
	if n != len(data) {
		return fmt.Errorf("short write to %s (%d of %d bytes)", p.path(name), n, len(data))
	}
	return fd.Close()
}
