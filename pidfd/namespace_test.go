package pidfd

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestNamespace(t *testing.T) {
	_, c := sleeper(t)
	for _, typ := range NamespaceTypes() {
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
		base, _, _ := strings.Cut(typ.String(), "_")
		if !strings.HasPrefix(got, base+":[") {
			t.Errorf("%v: fd -> %q", typ, got)
		}
	}
	for _, bad := range []NamespaceType{0, 11, 200} {
		if f, err := c.Namespace(bad); err == nil {
			f.Close()
			t.Errorf("Namespace(%d) succeeded", bad)
		}
	}
}

func TestNamespaceTypeString(t *testing.T) {
	want := []string{"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts"}
	for i, typ := range NamespaceTypes() {
		if typ.String() != want[i] {
			t.Errorf("%d.String() = %q, want %q", typ, typ.String(), want[i])
		}
	}
	if got := NamespaceType(0).String(); got != "NamespaceType(0)" {
		t.Errorf("0.String() = %q", got)
	}
}
