package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// rssSplit returns the anonymous and the file-backed parts of a process's
// resident set, in MB rounded to 0.1 (RssAnon and RssFile of
// /proc/<pid>/status; zeros where there is no such file). Anonymous pages
// are the Go heap and stacks; file-backed ones are mapped files (the
// database's and the index's), which the kernel can drop when memory is
// short but VmRSS counts.
func rssSplit(pid int) (anon, file float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	return parseRSSSplit(data)
}

func parseRSSSplit(status []byte) (anon, file float64) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		name, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *float64
		switch string(name) {
		case "RssAnon":
			dst = &anon
		case "RssFile":
			dst = &file
		default:
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 2 && string(f[1]) == "kB" {
			if kb, err := strconv.ParseFloat(string(f[0]), 64); err == nil {
				*dst = round(kb/1024, 1)
			}
		}
	}
	return anon, file
}
