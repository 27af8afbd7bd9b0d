package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// procStart reads the process start time: field 22 of /proc/self/stat
// (clock ticks since boot, at 100 Hz on Linux) against the time since boot
// in /proc/uptime, both to the hundredth of a second.
func procStart() (time.Time, bool) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return time.Time{}, false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return time.Time{}, false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return time.Time{}, false
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64) // field 22 counts from 1, before ')' are two
	if err != nil {
		return time.Time{}, false
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return time.Time{}, false
	}
	f := strings.Fields(string(up))
	if len(f) == 0 {
		return time.Time{}, false
	}
	uptime, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return time.Time{}, false
	}
	const hz = 100 // USER_HZ, fixed in the Linux ABI
	age := time.Duration(uptime*float64(time.Second)) - time.Duration(ticks)*time.Second/hz
	return time.Now().Add(-age), true
}
