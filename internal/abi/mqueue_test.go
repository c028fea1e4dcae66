package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestMqueueLayout(t *testing.T) {
	const h = "linux/mqueue.h"
	var a abi.MqAttr
	checkLayouts(t, layout{Header: h, C: "struct mq_attr", Size: unsafe.Sizeof(a), Fields: []field{
		{C: "mq_flags", Offset: unsafe.Offsetof(a.Flags)},
		{C: "mq_maxmsg", Offset: unsafe.Offsetof(a.Maxmsg)},
		{C: "mq_msgsize", Offset: unsafe.Offsetof(a.Msgsize)},
		{C: "mq_curmsgs", Offset: unsafe.Offsetof(a.Curmsgs)},
		{C: "__reserved", Offset: unsafe.Offsetof(a.Reserved)},
	}})
	checkConstants(t, constant{Header: h, C: "MQ_PRIO_MAX", Go: abi.MQ_PRIO_MAX})
}
