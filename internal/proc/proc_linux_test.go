package proc

import (
	"os"
	"testing"
)

// TestThisProcess reads this process's and the machine's accounting from
// the real /proc.
func TestThisProcess(t *testing.T) {
	w, err := TakeCPUWindow(nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Machine <= 0 {
		t.Errorf("machine CPU time %v", w.Machine)
	}
	if n, err := processRSS(os.Getpid()); err != nil || n <= 0 {
		t.Errorf("own RSS: %d, %v", n, err)
	}
	if _, err := processCPU(os.Getpid()); err != nil {
		t.Errorf("own CPU time: %v", err)
	}
}
