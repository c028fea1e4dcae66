package cgroup

import (
	"context"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// watcher waits for the notifications of kernfs files (cgroup.events,
// memory.events, pids.events): they wake their pollers with
// EPOLLPRI|EPOLLERR when their contents change (kernfs_notify, at most
// every 20 ms per file), and poll as EPOLLPRI until the open file is read
// again. Go's runtime poller registers EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET
// only, never EPOLLPRI, so these files cannot go to it directly. The
// watcher is an epoll instance of its own holding them (EPOLLPRI,
// edge-triggered); the epoll descriptor, which is readable while one of
// its files has an event, is what the runtime poller waits on. Waiting
// therefore parks the goroutine, honours a context through internal/poll,
// and starts no goroutine. (This works because a kernfs file's poll has
// no side effect: the runtime's check of the nested instance polls the
// file too. A PSI trigger's poll consumes its event, so Trigger does not
// use a watcher.)
//
// inotify (IN_MODIFY) would also see kernfs_notify, but it needs an
// inotify instance and a watch per file, and its events carry nothing
// that a read of the file does not; the watcher is simpler.
type watcher struct {
	ep *poll.FD
}

func newWatcher() (*watcher, error) {
	fd, err := sys.EpollCreate()
	if err != nil {
		return nil, err
	}
	ep, err := poll.New(fd.File("epoll"))
	if err != nil {
		return nil, err
	}
	return &watcher{ep: ep}, nil
}

// add watches fd for EPOLLPRI; its events come back with data.
func (w *watcher) add(fd int, data int32) error {
	_, err := poll.ControlT(w.ep, "epoll_ctl", func(epfd int) (struct{}, error) {
		return struct{}{}, sys.EpollAdd(epfd, fd, sys.EPOLLPRI|sys.EPOLLET, data)
	})
	return err
}

// wait parks until at least one watched file has an event, fills evs and
// returns how many it filled. It returns ctx.Err() when ctx ends first,
// and an error matching os.ErrClosed after close.
func (w *watcher) wait(ctx context.Context, evs []sys.EpollEvent) (int, error) {
	return poll.ReadT(ctx, w.ep, "epoll_wait", func(epfd int) (int, error) {
		n, err := sys.EpollWaitNow(epfd, evs)
		if err == nil && n == 0 {
			return 0, syscall.EAGAIN
		}
		return n, err
	})
}

func (w *watcher) close() error { return w.ep.Close() }
