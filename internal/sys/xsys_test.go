package sys

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// The structs lx keeps in internal/abi have the sizes x/sys publishes for
// them.
func TestABISizesMatchXSys(t *testing.T) {
	if unsafe.Sizeof(abi.CloneArgs{}) != unix.CLONE_ARGS_SIZE_VER2 {
		t.Errorf("sizeof(abi.CloneArgs) = %d, CLONE_ARGS_SIZE_VER2 = %d", unsafe.Sizeof(abi.CloneArgs{}), unix.CLONE_ARGS_SIZE_VER2)
	}
	if unsafe.Sizeof(abi.MntIDReq{}) != unix.MNT_ID_REQ_SIZE_VER0 {
		t.Errorf("sizeof(abi.MntIDReq) = %d, MNT_ID_REQ_SIZE_VER0 = %d", unsafe.Sizeof(abi.MntIDReq{}), unix.MNT_ID_REQ_SIZE_VER0)
	}
	if unsafe.Sizeof(abi.MntNsInfo{}) != unix.MNT_NS_INFO_SIZE_VER0 {
		t.Errorf("sizeof(abi.MntNsInfo) = %d, MNT_NS_INFO_SIZE_VER0 = %d", unsafe.Sizeof(abi.MntNsInfo{}), unix.MNT_NS_INFO_SIZE_VER0)
	}
}
