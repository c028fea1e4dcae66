package vm

import (
	"os"
	"testing"

	"github.com/lxgo/lx/internal/testutil"
)

func TestMain(m *testing.M) {
	// The memory tests re-execute this binary as the process whose
	// memory they read and write.
	if os.Getenv(memChildEnv) != "" {
		os.Exit(memChild())
	}
	testutil.Main(m)
}
