// Package vmtest runs lx's test binaries inside qemu guests on other
// kernels: Debian bookworm's 6.1 and bookworm-backports' 6.12, with a pure
// cgroup v2 hierarchy, optionally several NUMA nodes, a RAM-disk block
// device and a kernel command line of the test's choosing. It covers what
// the host cannot show: the v2 controllers (the host binds them to v1, and
// io.max needs a block device), multi-node NUMA, and the fallbacks lx
// takes on kernels older than the host's.
//
// Build compiles test binaries once (CGO_ENABLED=0 go test -c); each Boot
// packs them with a static busybox and an init script into an initramfs
// (newc cpio, written here), boots qemu-system-x86_64 under TCG, runs every
// package's binary as root in its testdata-carrying directory, and brings
// back each test's status and output over a second serial port framed with
// a per-boot nonce. Run does both for one guest.
//
// Guest tests are opt-in: a host `go test` skips them unless LX_VMTEST=1
// (see Require). Kernels, and the modules a guest loads, come from
// .ci/vmtest-kernels into CacheDir.
// docs/kernels.md holds the matrix that cmd/matrix writes.
//
// vmtest is a test helper: only tests and internal/vmtest/cmd may import it.
package vmtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Options describe one guest. Only Kernel is required.
type Options struct {
	// Kernel is the guest kernel (from Kernels or LookupKernel).
	Kernel Kernel
	// CPUs is the number of vCPUs; zero means 2.
	CPUs int
	// MemoryMB is the guest's memory in MiB; zero means 1024.
	MemoryMB int
	// NUMANodes splits CPUs and memory evenly into this many nodes; zero
	// or one means a single node (no -numa options).
	NUMANodes int
	// Cmdline holds extra kernel parameters, e.g. "hugepages=16".
	Cmdline []string
	// Timeout bounds the whole guest from qemu's start to its exit; zero
	// means 10 minutes. A guest still running then is killed and Boot
	// returns an error matching ErrTimeout with its console log.
	Timeout time.Duration
	// TestTimeout is each test binary's -test.timeout (a Go-level hang
	// then ends with a goroutine dump); zero means three quarters of
	// Timeout.
	TestTimeout time.Duration
	// Env holds extra "KEY=value" variables for the tests. The guest
	// always sets LX_VMTEST_GUEST=1, LX_VMTEST_KERNEL (the kernel's Name),
	// LX_VMTEST_CPUS, LX_VMTEST_NUMA_NODES, LX_VMTEST_HUGETLBFS and
	// LX_VMTEST_BLOCKDEV.
	Env []string
	// Args are extra flags for every test binary, e.g. "-test.run=TestX"
	// or "-test.short".
	Args []string
	// Hugetlbfs mounts hugetlbfs at /dev/hugepages.
	Hugetlbfs bool
	// BlockDevice gives the guest a block device: init loads brd, the
	// kernel's RAM disk driver, from the kernel's Modules (rd_nr=1
	// rd_size=16384: /dev/ram0, 16 MiB, whose unwritten blocks read as
	// zeros without taking memory), and the tests get its path in
	// LX_VMTEST_BLOCKDEV, which is empty without it. Boot fails, naming
	// FetchCommand, when the cache has no brd.ko for the kernel.
	BlockDevice bool
	// Console, when not nil, receives the console (kernel log and init's
	// messages) as the guest writes it.
	Console io.Writer
}

func (o *Options) withDefaults() (Options, error) {
	var d Options
	if o != nil {
		d = *o
	}
	if d.Kernel.Vmlinuz == "" {
		return d, errors.New("vmtest options: no kernel (use Kernels or LookupKernel)")
	}
	if d.CPUs == 0 {
		d.CPUs = 2
	}
	if d.MemoryMB == 0 {
		d.MemoryMB = 1024
	}
	if d.NUMANodes == 0 {
		d.NUMANodes = 1
	}
	if d.Timeout == 0 {
		d.Timeout = 10 * time.Minute
	}
	if d.TestTimeout == 0 {
		d.TestTimeout = d.Timeout * 3 / 4
	}
	switch {
	case d.CPUs < 1 || d.CPUs > 64:
		return d, fmt.Errorf("vmtest options: CPUs %d out of range 1..64", d.CPUs)
	case d.NUMANodes < 1 || d.NUMANodes > 8:
		return d, fmt.Errorf("vmtest options: NUMANodes %d out of range 1..8", d.NUMANodes)
	case d.MemoryMB/d.NUMANodes < 128:
		return d, fmt.Errorf("vmtest options: MemoryMB %d gives less than 128 MiB per NUMA node", d.MemoryMB)
	case d.Timeout < 0 || d.TestTimeout < 0:
		return d, errors.New("vmtest options: negative timeout")
	}
	for _, e := range d.Env {
		k, _, ok := strings.Cut(e, "=")
		if !ok || !envName.MatchString(k) {
			return d, fmt.Errorf("vmtest options: Env entry %q is not KEY=value", e)
		}
	}
	for _, p := range d.Cmdline {
		if p == "" || strings.ContainsAny(p, " \t\n\"") {
			return d, fmt.Errorf("vmtest options: kernel parameter %q is empty or has spaces or quotes", p)
		}
	}
	return d, nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Run builds pkgs' test binaries, boots one guest with opts and returns
// the results. See Image.Boot for the meaning of the error.
func Run(ctx context.Context, pkgs []string, opts *Options) (*Result, error) {
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	im, err := Build(ctx, pkgs)
	if err != nil {
		return nil, err
	}
	defer im.Close()
	return im.Boot(ctx, opts)
}

// BootAgain is Boot, and Boot once more when the guest did not finish
// (ErrIncomplete or ErrTimeout), after calling logf with the first
// attempt's error and console. Under TCG on a loaded host a guest has,
// rarely (about one boot in 30 here), died before its init reported or
// stalled between two packages, with a kernel oops in the scheduler that
// is qemu's emulation and not the tests'. A guest whose tests failed
// (ErrTestsFailed) is not booted again, and one that does not finish
// twice is an error.
func (im *Image) BootAgain(ctx context.Context, opts *Options, logf func(format string, args ...any)) (*Result, error) {
	res, err := im.Boot(ctx, opts)
	if (errors.Is(err, ErrIncomplete) || errors.Is(err, ErrTimeout)) && ctx.Err() == nil {
		var console []byte
		if res != nil {
			console = res.Console
		}
		logf("guest did not finish (%v); booting it again. First attempt's console:\n%s", err, console)
		res, err = im.Boot(ctx, opts)
	}
	return res, err
}

// Boot starts one guest that runs every package of the image in order and
// powers off. Boot only reads the image, so several guests may boot from
// one image at once (each is CPU-bound under TCG, though). The Result is non-nil whenever qemu started, also with an
// error. The error is a *GuestError matching ErrTestsFailed when a test or
// a test binary failed, ErrTimeout when the guest outlived opts.Timeout
// (it is killed), and ErrIncomplete when it stopped before reporting every
// package (a kernel panic, say); the console log and the output of the
// failing or unfinished package are in the error message.
func (im *Image) Boot(ctx context.Context, opts *Options) (*Result, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if im.dir == "" {
		return nil, errors.New("vmtest boot: image is closed")
	}
	qemu, err := QemuPath()
	if err != nil {
		return nil, err
	}
	if err := checkBusybox(); err != nil {
		return nil, fmt.Errorf("vmtest boot: %w", err)
	}
	if _, err := os.Stat(o.Kernel.Vmlinuz); err != nil {
		return nil, fmt.Errorf("vmtest boot: kernel %s: %w (run %s)", o.Kernel.Name, err, FetchCommand)
	}
	modules, err := o.modules()
	if err != nil {
		return nil, err
	}
	var nb [12]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return nil, fmt.Errorf("vmtest boot: %w", err)
	}
	nonce := hex.EncodeToString(nb[:])

	dir, err := os.MkdirTemp("", "lx-vmtest-boot-")
	if err != nil {
		return nil, fmt.Errorf("vmtest boot: %w", err)
	}
	defer os.RemoveAll(dir)
	initrd := filepath.Join(dir, "initramfs.cpio")
	results := filepath.Join(dir, "results")
	f, err := os.Create(initrd)
	if err != nil {
		return nil, fmt.Errorf("vmtest boot: %w", err)
	}
	err = im.writeInitramfs(f, o.config(nonce), im.testScript(&o), modules)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}

	res := &Result{Kernel: o.Kernel, Info: map[string]string{}}
	tctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, qemu, qemuArgs(&o, initrd, results)...)
	cmd.WaitDelay = 5 * time.Second
	// A host test binary killed by go test's -timeout takes its guest along.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var console, stderr bytes.Buffer
	cmd.Stdout = &console
	if o.Console != nil {
		cmd.Stdout = io.MultiWriter(&console, o.Console)
	}
	cmd.Stderr = &stderr
	start := time.Now()
	runErr := cmd.Run()
	res.Elapsed = time.Since(start)
	res.Console = console.Bytes()
	if ctx.Err() != nil {
		return res, fmt.Errorf("vmtest boot %s: %w", o.Kernel.Name, ctx.Err())
	}
	timedOut := tctx.Err() != nil
	if runErr != nil && !timedOut {
		return res, &GuestError{Kernel: o.Kernel.Name, Err: fmt.Errorf("qemu: %w: %s", runErr, bytes.TrimSpace(stderr.Bytes())), Console: res.Console}
	}
	raw, err := os.ReadFile(results)
	if err != nil && !timedOut {
		return res, &GuestError{Kernel: o.Kernel.Name, Err: fmt.Errorf("read results: %w", err), Console: res.Console}
	}
	rr := parseResults(raw, nonce)
	res.Info = rr.info
	for i, p := range im.pkgs {
		pr, err := packageResult(ctx, p, rr.pkgs[i])
		if err != nil {
			return res, fmt.Errorf("vmtest boot %s: %w", o.Kernel.Name, err)
		}
		res.Packages = append(res.Packages, pr)
	}
	switch {
	case timedOut:
		return res, res.guestError(fmt.Errorf("%w (timeout %v)", ErrTimeout, o.Timeout))
	case !rr.done:
		return res, res.guestError(ErrIncomplete)
	case res.Failed():
		return res, res.guestError(ErrTestsFailed)
	}
	return res, nil
}

// config is /etc/lxvm/config: the nonce, init's switches and the tests'
// environment, as sh assignments.
func (o *Options) config(nonce string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "lxvm_nonce=%s\n", nonce)
	hugetlbfs := "0"
	if o.Hugetlbfs {
		hugetlbfs = "1"
	}
	fmt.Fprintf(&b, "lxvm_hugetlbfs=%s\n", hugetlbfs)
	blockdev, blockdevPath := "0", ""
	if o.BlockDevice {
		blockdev, blockdevPath = "1", blockDevicePath
	}
	fmt.Fprintf(&b, "lxvm_blockdev=%s\n", blockdev)
	env := []string{
		"LX_VMTEST_GUEST=1",
		"LX_VMTEST_KERNEL=" + o.Kernel.Name,
		fmt.Sprintf("LX_VMTEST_CPUS=%d", o.CPUs),
		fmt.Sprintf("LX_VMTEST_NUMA_NODES=%d", o.NUMANodes),
		"LX_VMTEST_HUGETLBFS=" + hugetlbfs,
		"LX_VMTEST_BLOCKDEV=" + blockdevPath,
	}
	for _, e := range append(env, o.Env...) {
		k, v, _ := strings.Cut(e, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	return []byte(b.String())
}

// blockDevicePath is the guest's block device with Options.BlockDevice:
// brd's first RAM disk, which init.sh creates.
const blockDevicePath = "/dev/ram0"

// modules returns the host paths of the kernel modules the guest loads
// (brd.ko for BlockDevice), which writeInitramfs puts in /lib/modules. A
// module missing from the kernel's cache is an error naming FetchCommand.
func (o *Options) modules() ([]string, error) {
	if !o.BlockDevice {
		return nil, nil
	}
	if o.Kernel.Modules == "" {
		return nil, fmt.Errorf("vmtest boot: kernel %s has no module directory for the block device (use Kernels or LookupKernel)", o.Kernel.Name)
	}
	p := filepath.Join(o.Kernel.Modules, "brd.ko")
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("vmtest boot: kernel %s: the block device needs the brd module: %w (run %s)", o.Kernel.Name, err, FetchCommand)
	}
	return []string{p}, nil
}

// testScript is /etc/lxvm/tests: one lxvm_test line per package with tests.
func (im *Image) testScript(o *Options) []byte {
	var b strings.Builder
	for i, p := range im.pkgs {
		if p.Binary == "" {
			continue
		}
		args := []string{
			"-test.v=test2json",
			"-test.paniconexit0",
			"-test.timeout=" + o.TestTimeout.String(),
		}
		args = append(args, o.Args...)
		fmt.Fprintf(&b, "lxvm_test %d %s %s", i, shellQuote(guestDir(p.ImportPath)), shellQuote("./"+path.Base(p.Binary)))
		for _, a := range args {
			b.WriteString(" " + shellQuote(a))
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}
