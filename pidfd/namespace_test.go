package pidfd

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/ns"
)

func TestNamespace(t *testing.T) {
	_, c := sleeper(t)
	for _, typ := range ns.Types() {
		f, err := c.Namespace(typ)
		if err != nil {
			if errors.Is(err, errors.ErrUnsupported) && strings.Contains(err.Error(), typ.String()+" namespaces") {
				t.Logf("%v: %v", typ, err) // kernel built without this namespace type
				continue
			}
			testutil.SkipIfUnsupported(t, err, kernel.V(6, 11))
			t.Fatalf("%v: %v", typ, err)
		}
		rc, err := f.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var got string
		rc.Control(func(fd uintptr) { got, err = os.Readlink("/proc/self/fd/" + strconv.Itoa(int(fd))) })
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.Readlink("/proc/" + strconv.Itoa(c.PID()) + "/ns/" + typ.String())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%v: fd -> %q, /proc/PID/ns -> %q", typ, got, want)
		}
		// nsfs names the base type: "pid_for_children" reads "pid:[...]".
		if !strings.HasPrefix(got, typ.Base().String()+":[") {
			t.Errorf("%v: fd -> %q", typ, got)
		}
	}
	for _, bad := range []ns.Type{0, 11, 200} {
		if f, err := c.Namespace(bad); !errors.Is(err, fs.ErrInvalid) {
			if err == nil {
				f.Close()
			}
			t.Errorf("Namespace(%d) error %v, want fs.ErrInvalid", bad, err)
		}
	}
}

// TestNamespaceIoctls checks that every ns.Type has its ioctl, so that a
// type added to package ns cannot be silently refused here.
func TestNamespaceIoctls(t *testing.T) {
	types := ns.Types()
	if len(nsIoctl) != len(types)+1 || nsIoctl[0] != 0 {
		t.Errorf("%d ioctls for %d types", len(nsIoctl), len(types))
	}
	seen := map[sys.IoctlReq]ns.Type{}
	for _, typ := range types {
		req := nsIoctl[typ]
		if req == 0 {
			t.Errorf("%v: no ioctl", typ)
		} else if other, dup := seen[req]; dup {
			t.Errorf("%v and %v share ioctl %#x", other, typ, req)
		}
		seen[req] = typ
	}
}
