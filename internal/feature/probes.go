package feature

import (
	"fmt"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// Every feature probe of lx, each declared once. A probe calls the ProbeX
// function beside its system call family in internal/sys; the comment of
// that function says what it does. Names are what *kernel.FeatureError
// and the features catalogue print; no two probes share one
// (TestProbesDeclaredOnce).

// Process file descriptors: pidfd_open(2), pidfd_send_signal(2),
// pidfd_getfd(2), waitid(2), ioctl_pidfd(2) and pidfs.
var (
	PidfdOpen        = newProbe("pidfd_open", kernel.V(5, 3), sys.ProbePidfdOpen)
	PidfdNonblock    = newProbe("PIDFD_NONBLOCK", kernel.V(5, 10), sys.ProbePidfdNonblock)
	PidfdThread      = newProbe("PIDFD_THREAD", kernel.V(6, 9), sys.ProbePidfdThread)
	PidfdSendSignal  = newProbe("pidfd_send_signal", kernel.V(5, 1), sys.ProbePidfdSendSignal)
	PidfdSignalScope = newProbe("PIDFD_SIGNAL_* scope flags", kernel.V(6, 9), sys.ProbePidfdSignalScope)
	PidfdGetfd       = newProbe("pidfd_getfd", kernel.V(5, 6), sys.ProbePidfdGetfd)
	PidfdWaitid      = newProbe("waitid(P_PIDFD)", kernel.V(5, 4), sys.ProbeWaitidPidfd)
	PidfdNamespace   = newProbe("PIDFD_GET_*_NAMESPACE", kernel.V(6, 11), sys.ProbePidfdNamespace)
	PidfdInfo        = newProbe("PIDFD_GET_INFO", kernel.V(6, 13), sys.ProbePidfdInfo)
	Pidfs            = newProbe("pidfs", kernel.V(6, 9), sys.ProbePidfs)
	PidfsHandle      = newProbe("pidfs file handles", kernel.V(6, 13), sys.ProbePidfsHandle)
)

// Namespaces: the nsfs ioctls (ioctl_ns(2)) and setns(2) on a pidfd.
var (
	NsGetUserns   = newProbe("NS_GET_USERNS", kernel.V(4, 9), sys.ProbeNsGetUserns)
	NsGetParent   = newProbe("NS_GET_PARENT", kernel.V(4, 9), sys.ProbeNsGetParent)
	NsGetNstype   = newProbe("NS_GET_NSTYPE", kernel.V(4, 11), sys.ProbeNsGetNstype)
	NsGetOwnerUID = newProbe("NS_GET_OWNER_UID", kernel.V(4, 11), sys.ProbeNsGetOwnerUID)
	NsGetMntnsID  = newProbe("NS_GET_MNTNS_ID", kernel.V(6, 8), sys.ProbeNsGetMntnsID)
	// NsMntGetInfo stands for NS_MNT_GET_NEXT and NS_MNT_GET_PREV too,
	// which arrived with it.
	NsMntGetInfo = newProbe("NS_MNT_GET_INFO", kernel.V(6, 12), sys.ProbeNsMntGetInfo)
	SetnsPidfd   = newProbe("setns(2) on a pidfd", kernel.V(5, 8), sys.ProbeSetnsPidfd)
)

// Processes, files and mounts.
var (
	Clone3 = newProbe("clone3", kernel.V(5, 3), sys.ProbeClone3)
	// CloneIntoCgroup: clone3(2) starting the child in a given cgroup v2.
	CloneIntoCgroup = newProbe("CLONE_INTO_CGROUP", kernel.V(5, 7), sys.ProbeCloneIntoCgroup)
	Openat2         = newProbe("openat2", kernel.V(5, 6), sys.ProbeOpenat2)
	Statmount       = newProbe("statmount/listmount", kernel.V(6, 8), sys.ProbeStatmount)
	// The syscall arrived in 5.14 but answered ENOSYS unless the kernel
	// was booted with secretmem.enable=1; 6.5 turned it on by default.
	MemfdSecret = newProbe("memfd_secret", kernel.V(6, 5), sys.ProbeMemfdSecret)
	// ProcFDCount: the size of a /proc/PID/fd directory is the number of
	// open descriptors, so one stat(2) counts them.
	ProcFDCount = newProbe("/proc/PID/fd size as descriptor count", kernel.V(6, 2), sys.ProbeProcFDCount)
)

// Filesystem notification (packages inotify and fanotify).
var (
	// FanotifyFID: a fanotify notification group that reports file
	// handles (FAN_REPORT_FID, 5.1). Since 5.13 any user may create one
	// (EPERM before, which is inconclusive).
	FanotifyFID = newProbe("fanotify FAN_REPORT_FID", kernel.V(5, 1), sys.ProbeFanotifyFID)
)

// Probes with a detail.
var (
	// IOUring's detail is the last opcode the kernel knows, empty before
	// 5.6 (no IORING_REGISTER_PROBE).
	IOUring = newDetailProbe("io_uring", kernel.V(5, 1), func() (string, error) {
		last, err := sys.ProbeIOUring()
		if err != nil || last < 0 {
			return "", err
		}
		return fmt.Sprintf("last opcode %d", last), nil
	})
	// Landlock's detail is the highest ABI version, "ABI N".
	Landlock = newDetailProbe("landlock", kernel.V(5, 13), func() (string, error) {
		abi, err := sys.ProbeLandlockABI()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("ABI %d", abi), nil
	})
	// SeccompNotify's detail is the kernel's sizes of the notification
	// structs.
	SeccompNotify = newDetailProbe("seccomp user notification", kernel.V(5, 0), func() (string, error) {
		s, err := sys.ProbeSeccompNotifSizes()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("notif %d, resp %d, data %d bytes", s.Notif, s.NotifResp, s.Data), nil
	})
	// Userfaultfd's detail says when only a restricted form works.
	Userfaultfd = newDetailProbe("userfaultfd", kernel.V(4, 3), func() (string, error) {
		how, err := sys.ProbeUserfaultfd()
		switch {
		case err != nil:
			return "", err
		case how == sys.UffdProbeUserMode:
			return "user-mode faults only", nil
		case how == sys.UffdProbeDevice:
			return "through /dev/userfaultfd", nil
		}
		return "", nil
	})
)

// NUMA memory policy (package numa): set_mempolicy(2), get_mempolicy(2),
// mbind(2), move_pages(2), migrate_pages(2) and their later modes and
// calls. Mempolicy stands for the whole family: a kernel without
// CONFIG_NUMA answers ENOSYS to every one of them.
var (
	Mempolicy = newProbe("NUMA memory policy", kernel.V(2, 6), sys.ProbeMempolicy)
	// MempolicyPreferredMany: MPOL_PREFERRED_MANY.
	MempolicyPreferredMany = newProbe("MPOL_PREFERRED_MANY", kernel.V(5, 15), func() error {
		return sys.ProbeMempolicyMode(sys.MPOL_PREFERRED_MANY)
	})
	// MempolicyWeightedInterleave: MPOL_WEIGHTED_INTERLEAVE.
	MempolicyWeightedInterleave = newProbe("MPOL_WEIGHTED_INTERLEAVE", kernel.V(6, 9), func() error {
		return sys.ProbeMempolicyMode(sys.MPOL_WEIGHTED_INTERLEAVE)
	})
	MempolicyHomeNode = newProbe("set_mempolicy_home_node", kernel.V(5, 17), sys.ProbeMempolicyHomeNode)
)

// Memory files: memfd_create(2) (package memfd; memfd_secret is above).
var (
	// MemfdNoexecSeal stands for MFD_EXEC too, which arrived with it.
	MemfdNoexecSeal = newProbe("MFD_NOEXEC_SEAL", kernel.V(6, 3), sys.ProbeMemfdNoexecSeal)
)

// Virtual memory (package vm): the PAGEMAP_SCAN ioctl of
// /proc/PID/pagemap.
var (
	PagemapScan = newProbe("PAGEMAP_SCAN", kernel.V(6, 7), sys.ProbePagemapScan)
)
