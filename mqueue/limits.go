package mqueue

import (
	"errors"
	"fmt"
	"io/fs"
	"math"

	"github.com/lxgo/lx/internal/pseudofs"
)

// Limits are the message queue limits of the caller's IPC namespace
// (/proc/sys/fs/mqueue, mq_overview(7)). Processes with CAP_SYS_RESOURCE
// may exceed MaxMessages and MaxMessageSize up to the kernel's hard
// limits (65536 messages, 16 MiB).
type Limits struct {
	MaxMessages        int // msg_max: the largest mq_maxmsg New may ask for
	MaxMessageSize     int // msgsize_max: the largest mq_msgsize, in bytes
	DefaultMessages    int // msg_default (Linux 3.5): mq_maxmsg when none is given
	DefaultMessageSize int // msgsize_default (Linux 3.5): mq_msgsize when none is given
	MaxQueues          int // queues_max: queues in the namespace
}

// ReadLimits reads /proc/sys/fs/mqueue. Before Linux 3.5, which has no
// msg_default and msgsize_default, the defaults are the built-in 10
// messages of 8192 bytes.
func ReadLimits() (Limits, error) {
	l := Limits{DefaultMessages: 10, DefaultMessageSize: 8192}
	for _, f := range []struct {
		name     string
		v        *int
		optional bool
	}{
		{"msg_max", &l.MaxMessages, false},
		{"msgsize_max", &l.MaxMessageSize, false},
		{"msg_default", &l.DefaultMessages, true},
		{"msgsize_default", &l.DefaultMessageSize, true},
		{"queues_max", &l.MaxQueues, false},
	} {
		v, err := pseudofs.Default().ReadSysctl(math.MaxInt32, "fs", "mqueue", f.name)
		if f.optional && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Limits{}, fmt.Errorf("mqueue limits: %w", err)
		}
		*f.v = int(v)
	}
	return l, nil
}
