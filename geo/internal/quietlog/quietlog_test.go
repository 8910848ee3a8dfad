package quietlog

import (
	"bytes"
	"testing"
)

func TestFilterDropsOnlyTheDebugLine(t *testing.T) {
	var buf bytes.Buffer
	f := filter{w: &buf}
	f.Write([]byte("2026/11/27 16:24:13 debug.go:32: Debug false\n"))
	f.Write([]byte("2026/11/27 16:24:13 other message\n"))
	if got, want := buf.String(), "2026/11/27 16:24:13 other message\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
