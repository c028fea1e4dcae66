package signalfd_test

import (
	"testing"

	"github.com/lxgo/lx/internal/testutil"
)

func TestMain(m *testing.M) {
	childMain() // when the test binary runs as a helper process
	testutil.Main(m)
}
