package main

import (
	"strings"
	"sync"
	"testing"
)

func TestLogWriterKeepsEveryLineWhole(t *testing.T) {
	var out syncBuffer
	lw := newLogWriter(&out)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				lw.Write([]byte(`{"msg":"request","id":"0123456789"}` + "\n"))
			}
		}()
	}
	wg.Wait()
	lw.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8000 {
		t.Fatalf("got %d lines, want 8000", len(lines))
	}
	for _, l := range lines {
		if l != `{"msg":"request","id":"0123456789"}` {
			t.Fatalf("torn line %q", l)
		}
	}
}
