package capability_test

import (
	"testing"

	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// ambientMin is the kernel that has ambient capabilities.
var ambientMin = kernel.Version{Major: 4, Minor: 3}
