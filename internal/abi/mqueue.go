package abi

// From include/uapi/linux/mqueue.h: the attributes of a POSIX message
// queue for mq_open(2) and mq_getsetattr(2), which golang.org/x/sys/unix
// v0.50.0 lacks (it has the syscall numbers only).

// MQ_PRIO_MAX is one more than the highest message priority
// (include/uapi/linux/mqueue.h: 32768).
const MQ_PRIO_MAX = 32768

// MqAttr is struct mq_attr. Every field is a __kernel_long_t, which is a
// Go int on every architecture Go supports on Linux.
type MqAttr struct {
	Flags    int // O_NONBLOCK or 0
	Maxmsg   int // maximum number of messages
	Msgsize  int // maximum message size in bytes
	Curmsgs  int // messages currently queued
	Reserved [4]int
}
