package epoll

import (
	"fmt"

	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// Events is an epoll event mask (struct epoll_event's events): what a
// registration asks for, and what Wait reports. Its text form is the
// kernel's names joined by "|" ("EPOLLIN|EPOLLET"), unknown bits as one
// hexadecimal number at the end, "0" for none.
type Events uint32

// The event bits of epoll_ctl(2). In, Out, RDHup, Pri, Err and Hup are
// readiness; ET, OneShot, WakeUp and Exclusive are input flags that
// change how a registration reports.
const (
	In     Events = sys.EPOLLIN    // readable
	Out    Events = sys.EPOLLOUT   // writable
	RDHup  Events = sys.EPOLLRDHUP // the stream socket's peer shut down writing (2.6.17)
	Pri    Events = sys.EPOLLPRI   // an exceptional condition: out-of-band data, a kernfs file changed, a PSI trigger fired
	Err    Events = sys.EPOLLERR   // an error; always reported, need not be asked for
	Hup    Events = sys.EPOLLHUP   // hang up; always reported, need not be asked for
	RDNorm Events = sys.EPOLLRDNORM
	RDBand Events = sys.EPOLLRDBAND
	WRNorm Events = sys.EPOLLWRNORM
	WRBand Events = sys.EPOLLWRBAND
	Msg    Events = sys.EPOLLMSG

	// ET asks for edge-triggered reporting: an event is reported once
	// per change of readiness, not as long as the file stays ready.
	ET Events = sys.EPOLLET
	// OneShot disables the registration after one reported event, until
	// Modify re-arms it (2.6.2).
	OneShot Events = sys.EPOLLONESHOT
	// WakeUp keeps the system from suspending while the event is
	// pending (3.5). It needs CAP_BLOCK_SUSPEND; without it the kernel
	// silently drops the flag.
	WakeUp Events = sys.EPOLLWAKEUP
	// Exclusive wakes only one of several epoll instances waiting on
	// the same file (4.5): for a file shared by many waiters, each with
	// its own instance, to avoid a thundering herd. It is allowed only
	// with Add (Modify refuses it), only with In, Out, Err, Hup, WakeUp
	// and ET (and the *Norm/*Band forms of In and Out), and not on a
	// file that is itself an epoll instance.
	Exclusive Events = sys.EPOLLEXCLUSIVE
)

// known is every bit lx names; Add and Modify refuse others.
const known = In | Out | RDHup | Pri | Err | Hup | RDNorm | RDBand | WRNorm | WRBand | Msg | ET | OneShot | WakeUp | Exclusive

// exclusiveOK is what Exclusive may be combined with (EPOLLEXCLUSIVE_OK_BITS
// in fs/eventpoll.c).
const exclusiveOK = In | Out | RDNorm | RDBand | WRNorm | WRBand | Err | Hup | WakeUp | ET | Exclusive

var eventsText = flagtext.Format[Events]{
	Flags: []flagtext.Flag[Events]{
		{Bits: In, Name: "EPOLLIN"},
		{Bits: Pri, Name: "EPOLLPRI"},
		{Bits: Out, Name: "EPOLLOUT"},
		{Bits: Err, Name: "EPOLLERR"},
		{Bits: Hup, Name: "EPOLLHUP"},
		{Bits: RDNorm, Name: "EPOLLRDNORM"},
		{Bits: RDBand, Name: "EPOLLRDBAND"},
		{Bits: WRNorm, Name: "EPOLLWRNORM"},
		{Bits: WRBand, Name: "EPOLLWRBAND"},
		{Bits: Msg, Name: "EPOLLMSG"},
		{Bits: RDHup, Name: "EPOLLRDHUP"},
		{Bits: Exclusive, Name: "EPOLLEXCLUSIVE"},
		{Bits: WakeUp, Name: "EPOLLWAKEUP"},
		{Bits: OneShot, Name: "EPOLLONESHOT"},
		{Bits: ET, Name: "EPOLLET"},
	},
	Sep:  '|',
	None: "0",
}

// String returns the names of the set bits, "EPOLLIN|EPOLLET".
func (e Events) String() string { return eventsText.String(e) }

// AppendText appends String's text to b.
func (e Events) AppendText(b []byte) ([]byte, error) { return eventsText.Append(b, e), nil }

// MarshalText returns String's text.
func (e Events) MarshalText() ([]byte, error) { return e.AppendText(nil) }

// UnmarshalText sets *e from String's form (ParseEvents).
func (e *Events) UnmarshalText(text []byte) error {
	return eventsText.Unmarshal(e, text, "epoll: invalid events")
}

// ParseEvents reads String's form: names joined by "|" in any order,
// hexadecimal numbers with "0x", or "0". Other text is an error wrapping
// strconv.ErrSyntax.
func ParseEvents(s string) (Events, error) {
	e, err := eventsText.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("epoll: invalid events %q: %w", s, err)
	}
	return e, nil
}
