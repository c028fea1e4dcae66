package mqueue

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/internal/testutil"
)

// queueName is a name no other test or process uses.
func queueName(t testing.TB) string {
	return "lx-test-" + strconv.Itoa(os.Getpid()) + "-" + strings.ReplaceAll(t.Name(), "/", "-")
}

func newQueue(t testing.TB, opts *CreateOptions) *Queue {
	t.Helper()
	name := queueName(t)
	q, err := New(name, opts)
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skipf("no POSIX message queues: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); Unlink(name) })
	return q
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestCheckName(t *testing.T) {
	long := strings.Repeat("x", 255)
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"jobs", "jobs", true},
		{"/jobs", "jobs", true},
		{"/" + long, long, true},
		{"é\n(x)\xff", "é\n(x)\xff", true},
		{"", "", false},
		{"/", "", false},
		{"a/b", "", false},
		{"//a", "", false},
		{"a\x00b", "", false},
		{".", "", false},
		{"/..", "", false},
		{long + "x", "", false},
	} {
		got, err := CheckName(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("CheckName(%q) = %q, %v", c.in, got, err)
		}
		if err != nil && !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("CheckName(%q) error %v is not fs.ErrInvalid", c.in, err)
		}
	}
}

func TestSendReceivePriorities(t *testing.T) {
	q := newQueue(t, &CreateOptions{MaxMessages: 8, MessageSize: 64})
	a, err := q.Attr()
	if err != nil || a != (Attr{MaxMessages: 8, MessageSize: 64}) {
		t.Fatalf("Attr = %+v, %v", a, err)
	}
	ctx := timeout(t)
	for i, p := range []Priority{1, 5, 0, 5, MaxPriority} {
		if err := q.Send(ctx, []byte("m"+strconv.Itoa(i)), p); err != nil {
			t.Fatal(err)
		}
	}
	if a, _ := q.Attr(); a.Messages != 5 {
		t.Errorf("Messages = %d, want 5", a.Messages)
	}
	buf := make([]byte, 64)
	for _, want := range []struct {
		msg  string
		prio Priority
	}{{"m4", MaxPriority}, {"m1", 5}, {"m3", 5}, {"m0", 1}, {"m2", 0}} {
		m, p, err := q.Receive(ctx, buf)
		if err != nil || string(m) != want.msg || p != want.prio {
			t.Fatalf("Receive = %q %d, %v; want %q %d", m, p, err, want.msg, want.prio)
		}
	}
	if err := q.Send(ctx, nil, MaxPriority+1); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Send with priority 32768 = %v", err)
	}
	if err := q.Send(ctx, make([]byte, 65), 0); !errors.Is(err, syscall.EMSGSIZE) {
		t.Errorf("Send of 65 bytes = %v, want EMSGSIZE", err)
	}
	if _, _, err := q.Receive(ctx, make([]byte, 63)); !errors.Is(err, syscall.EMSGSIZE) {
		t.Errorf("Receive into 63 bytes = %v, want EMSGSIZE", err)
	}
	// An empty message is a message.
	if err := q.Send(ctx, nil, 3); err != nil {
		t.Fatal(err)
	}
	if m, p, err := q.Receive(ctx, buf); len(m) != 0 || p != 3 || err != nil {
		t.Fatalf("empty message: %q %d %v", m, p, err)
	}
}

// TestFullQueueWakesSender: Send waits while the queue is full and the
// poller wakes it when a Receive makes room; WaitMessage and WaitSpace
// report readiness without taking anything.
func TestFullQueueWakesSender(t *testing.T) {
	q := newQueue(t, &CreateOptions{MaxMessages: 1, MessageSize: 8})
	ctx := timeout(t)
	if err := q.WaitSpace(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, []byte("first"), 0); err != nil {
		t.Fatal(err)
	}
	if err := q.WaitMessage(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- q.Send(ctx, []byte("second"), 0) }()
	// Give the sender time to find the queue full and park: the test
	// passes either way, but tests the wake-up only when it got there
	// first.
	time.Sleep(20 * time.Millisecond)
	buf := make([]byte, 8)
	for _, want := range []string{"first", "second"} {
		m, _, err := q.Receive(ctx, buf)
		if err != nil || string(m) != want {
			t.Fatalf("Receive = %q, %v; want %q", m, err, want)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestCancelAndClose(t *testing.T) {
	q := newQueue(t, &CreateOptions{MaxMessages: 1, MessageSize: 8})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := q.Receive(ctx, make([]byte, 8))
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Receive = %v", err)
	}
	go func() {
		_, _, err := q.Receive(context.Background(), make([]byte, 8))
		done <- err
	}()
	q.Close()
	if err := <-done; !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Receive after Close = %v, want os.ErrClosed", err)
	}
	if err := q.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

func TestOpenExclusiveUnlink(t *testing.T) {
	q := newQueue(t, nil)
	name := q.Name()
	if _, err := New("/"+name, &CreateOptions{Exclusive: true}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("exclusive New of an existing queue = %v", err)
	}
	r, err := Open("/"+name, &OpenOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Send(context.Background(), []byte("x"), 0); !errors.Is(err, syscall.EBADF) {
		t.Errorf("Send on a read-only queue = %v, want EBADF", err)
	}
	if err := Unlink(name); err != nil {
		t.Fatal(err)
	}
	if err := Unlink(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("second Unlink = %v", err)
	}
	if _, err := Open(name, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open after Unlink = %v", err)
	}
	// The descriptors stay usable.
	if err := q.Send(context.Background(), []byte("x"), 0); err != nil {
		t.Errorf("Send after Unlink = %v", err)
	}
}

func TestCreateRanges(t *testing.T) {
	for _, o := range []CreateOptions{
		{MaxMessages: -1}, {MaxMessages: hardMaxMessages + 1}, {MessageSize: -1},
		{MessageSize: hardMessageSize + 1}, {Mode: fs.ModeDir | 0o600}, {Access: 7},
	} {
		if _, err := New(queueName(t), &o); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("New(%+v) = %v, want fs.ErrInvalid", o, err)
		}
	}
}

// TestLimitError: more messages than msg_max is EINVAL without
// CAP_SYS_RESOURCE, and the error names the limit. As root the test
// runs as nobody in a child.
func TestLimitError(t *testing.T) {
	body := func(t *testing.T) {
		if testutil.HasCap(capability.SysResource) {
			t.Skip("CAP_SYS_RESOURCE lifts the limit")
		}
		l, err := ReadLimits()
		if err != nil {
			t.Fatal(err)
		}
		if l.MaxMessages >= hardMaxMessages {
			t.Skip("msg_max is at the hard limit")
		}
		q, err := New(queueName(t), &CreateOptions{MaxMessages: l.MaxMessages + 1})
		if err == nil {
			q.Close()
			Unlink(q.Name())
			t.Fatal("New beyond msg_max succeeded")
		}
		if !errors.Is(err, syscall.EINVAL) || !strings.Contains(err.Error(), "msg_max "+strconv.Itoa(l.MaxMessages)) {
			t.Fatalf("New beyond msg_max = %v; want EINVAL naming msg_max", err)
		}
	}
	if testutil.HasCap(capability.SysResource) {
		testutil.RunInChild(t, &testutil.ChildOptions{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}, body)
		return
	}
	body(t)
}

const childQueueEnv = "LX_MQUEUE_TEST_QUEUE"

// TestTwoProcesses: the parent creates a queue and sends a request; a
// child process (this test binary again) opens the queue by name,
// receives the request and answers with five messages of different
// priorities; the parent receives them highest priority first.
func TestTwoProcesses(t *testing.T) {
	name := os.Getenv(childQueueEnv)
	var q *Queue
	if !testutil.InChild() {
		name = queueName(t)
		q = newQueueNamed(t, name)
		if err := q.Send(timeout(t), []byte("request"), 7); err != nil {
			t.Fatal(err)
		}
	}
	testutil.RunInChild(t, &testutil.ChildOptions{Env: []string{childQueueEnv + "=" + name}}, func(t *testing.T) {
		c, err := Open(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ctx := timeout(t)
		m, p, err := c.Receive(ctx, make([]byte, 64))
		if err != nil || string(m) != "request" || p != 7 {
			t.Fatalf("child Receive = %q %d, %v", m, p, err)
		}
		for i, p := range []Priority{2, 9, 2, 30000, 0} {
			if err := c.Send(ctx, []byte("reply"+strconv.Itoa(i)), p); err != nil {
				t.Fatal(err)
			}
		}
	})
	if testutil.InChild() {
		return
	}
	buf := make([]byte, 64)
	for _, want := range []string{"reply3", "reply1", "reply0", "reply2", "reply4"} {
		m, _, err := q.Receive(timeout(t), buf)
		if err != nil || string(m) != want {
			t.Fatalf("parent Receive = %q, %v; want %q", m, err, want)
		}
	}
}

func newQueueNamed(t *testing.T, name string) *Queue {
	t.Helper()
	q, err := New(name, &CreateOptions{MaxMessages: 8, MessageSize: 64, Exclusive: true})
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skipf("no POSIX message queues: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); Unlink(name) })
	return q
}

func TestReadLimits(t *testing.T) {
	l, err := ReadLimits()
	if err != nil {
		t.Fatal(err)
	}
	if l.MaxMessages < 1 || l.MaxMessageSize < 128 || l.DefaultMessages < 1 {
		t.Errorf("limits %+v", l)
	}
}

func FuzzCheckName(f *testing.F) {
	f.Add("/jobs")
	f.Add("a/b")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := CheckName(s)
		if err != nil {
			return
		}
		if n == "" || len(n) > nameMax || strings.ContainsAny(n, "/\x00") || n == "." || n == ".." {
			t.Fatalf("CheckName(%q) accepted %q", s, n)
		}
		if again, err := CheckName(n); err != nil || again != n {
			t.Fatalf("CheckName(%q) = %q, %v", n, again, err)
		}
	})
}

// TestHostileName: a name with a newline, parentheses and bytes that are
// not UTF-8 reaches the kernel byte for byte and comes back as given.
func TestHostileName(t *testing.T) {
	name := "lx-test-\n(x) \xff\xfe-" + strconv.Itoa(os.Getpid())
	q, err := New("/"+name, &CreateOptions{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	defer Unlink(name)
	if q.Name() != name {
		t.Errorf("Name = %q, want %q", q.Name(), name)
	}
	r, err := Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

// TestFromFile: a queue descriptor that arrives as an *os.File (here a
// blocking one, as a child inherits it) is adopted and works on the
// poller; a pipe is refused.
func TestFromFile(t *testing.T) {
	q := newQueue(t, &CreateOptions{MaxMessages: 2, MessageSize: 16})
	var f *os.File
	rc, err := q.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	rc.Control(func(fd uintptr) {
		nfd, err := syscall.Dup(int(fd))
		if err == nil {
			syscall.CloseOnExec(nfd)
			f = os.NewFile(uintptr(nfd), "inherited")
		}
	})
	if f == nil {
		t.Fatal("dup failed")
	}
	a, err := FromFile(f)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := timeout(t)
	if err := a.Send(ctx, []byte("via adopted"), 4); err != nil {
		t.Fatal(err)
	}
	if m, p, err := q.Receive(ctx, make([]byte, 16)); err != nil || string(m) != "via adopted" || p != 4 {
		t.Fatalf("Receive = %q %d, %v", m, p, err)
	}
	if a.Name() != "" {
		t.Errorf("adopted Name = %q", a.Name())
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := FromFile(r); !errors.Is(err, syscall.EBADF) {
		t.Errorf("FromFile of a pipe = %v, want EBADF", err)
	}
}
