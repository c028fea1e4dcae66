package sys

import "golang.org/x/sys/unix"

// sysinfo(2).

// Sysinfo is sysinfo(2)'s answer, with memory already in bytes.
type Sysinfo struct {
	UptimeSeconds        int64
	Loads                [3]uint64
	TotalRAM, FreeRAM    uint64
	SharedRAM, BufferRAM uint64
	TotalSwap, FreeSwap  uint64
	Procs                uint16
	TotalHigh, FreeHigh  uint64
}

// GetSysinfo calls sysinfo(2).
func GetSysinfo() (Sysinfo, error) {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return Sysinfo{}, wrap("sysinfo", err)
	}
	u := uint64(si.Unit)
	if u == 0 {
		u = 1
	}
	return Sysinfo{
		UptimeSeconds: int64(si.Uptime),
		Loads:         [3]uint64{uint64(si.Loads[0]), uint64(si.Loads[1]), uint64(si.Loads[2])},
		TotalRAM:      uint64(si.Totalram) * u, FreeRAM: uint64(si.Freeram) * u,
		SharedRAM: uint64(si.Sharedram) * u, BufferRAM: uint64(si.Bufferram) * u,
		TotalSwap: uint64(si.Totalswap) * u, FreeSwap: uint64(si.Freeswap) * u,
		Procs:     si.Procs,
		TotalHigh: uint64(si.Totalhigh) * u, FreeHigh: uint64(si.Freehigh) * u,
	}, nil
}
