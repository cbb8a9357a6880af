package infra

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// ReleaseJSII ends this process's use of the jsii runtime; call it last. jsii.Close
// waits for the Node.js kernel process from two goroutines at once (a data race that
// -race reports, and a spurious "exited abnormally" message otherwise), so when the
// kernel has started, ReleaseJSII only removes the runtime's extracted copy and leaves
// the kernel to exit on its own when this process exits and closes its stdin. When the
// kernel never started, jsii.Close is safe and does that cleanup itself.
func ReleaseJSII() {
	if dir := jsiiRuntimeDir(); dir != "" {
		os.RemoveAll(dir)
		return
	}
	jsii.Close()
}

// jsiiRuntimeDir finds the child process running <dir>/bin/jsii-runtime.js and
// returns <dir> (Linux /proc; "" elsewhere or when there is none).
func jsiiRuntimeDir() string {
	self := strconv.Itoa(os.Getpid())
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range procs {
		b, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 || f[1] != self {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join(filepath.Dir(stat), "cmdline"))
		if err != nil {
			continue
		}
		for _, arg := range strings.Split(string(cmd), "\x00") {
			if strings.HasSuffix(arg, "/bin/jsii-runtime.js") && strings.Contains(arg, "jsii-runtime.") {
				return filepath.Dir(filepath.Dir(arg))
			}
		}
	}
	return ""
}
