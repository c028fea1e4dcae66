// Package landlock restricts what a thread and the processes it starts
// may do, with Linux's Landlock LSM (landlock(7), Linux 5.13): which
// files and directories they may read, write, execute or change, which
// TCP ports they may bind or connect to (Linux 6.7), and whether they may
// reach abstract unix sockets or signal processes outside their sandbox
// (Linux 6.12). It needs no privilege.
//
// A Ruleset, built by New from Options, lists the rights it handles and
// the rules (PathRule, PortRule) that allow some of them back. Each
// kernel release may add rights: ABI is the kernel's Landlock version,
// and ABI(n).AccessFS() and its siblings say what version n has. In
// Strict mode (the default) a right the running kernel lacks is a
// *kernel.FeatureError naming the version needed; in BestEffort mode it
// is dropped and Ruleset.Dropped says what was dropped.
//
// Restricting is per thread and cannot be undone: Ruleset.Do runs a
// function on a thread of its own, restricted and then discarded;
// Ruleset.RestrictThread restricts the caller's locked thread. Children
// started from a restricted thread inherit the restriction. Landlock
// also needs no_new_privs (set on the thread by the restrict calls)
// unless the thread has CAP_SYS_ADMIN.
//
// Landlock checks happen when a file is opened, a socket bound or
// connected, a signal sent: files already open before restricting keep
// working.
package landlock
