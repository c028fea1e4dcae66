package inotify

import (
	"testing"

	"github.com/lxgo/lx/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }
