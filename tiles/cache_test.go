package tiles

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := NewCache(10, nil)
	render := func(s string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(s), nil } }
	c.GetOrRender("a", render("aaaa"))
	c.GetOrRender("b", render("bbbb"))
	c.Get("a") // a is now more recent than b
	c.GetOrRender("c", render("cccc"))
	if _, ok := c.Get("b"); ok {
		t.Error("b still cached, want it evicted as least recently used")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s evicted, want kept", k)
		}
	}
	s := c.Stats()
	if s.Bytes != 8 || s.Entries != 2 || s.Evictions != 1 {
		t.Errorf("got %+v, want 8 bytes in 2 entries after 1 eviction", s)
	}
	c.GetOrRender("huge", render("0123456789abc"))
	if _, ok := c.Get("huge"); ok {
		t.Error("an entry over the whole budget was cached")
	}
}

func TestCacheRendersOnceForConcurrentRequests(t *testing.T) {
	c := NewCache(1<<20, nil)
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _, err := c.GetOrRender("k", func() ([]byte, error) {
				calls.Add(1)
				<-release
				return []byte("tile"), nil
			})
			if err != nil || string(b) != "tile" {
				t.Errorf("got %q, %v", b, err)
			}
		}()
	}
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("rendered %d times, want 1", n)
	}
}

func TestCacheDoesNotKeepErrors(t *testing.T) {
	c := NewCache(100, nil)
	boom := errors.New("boom")
	if _, _, err := c.GetOrRender("k", func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	b, tag, err := c.GetOrRender("k", func() ([]byte, error) { return []byte("ok"), nil })
	if err != nil || string(b) != "ok" || tag != ETag([]byte("ok")) {
		t.Errorf("after an error: got %q (ETag %s), %v; want a fresh render and its ETag", b, tag, err)
	}
}

func TestCacheDiskSurvivesARestart(t *testing.T) {
	disk, err := NewDiskCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	renders := 0
	render := func() ([]byte, error) { renders++; return []byte("tile bytes"), nil }
	if _, _, err := NewCache(1<<20, disk).GetOrRender("control/2025-08-15.r7/6/38/22/png@256.", render); err != nil {
		t.Fatal(err)
	}
	// A new process: empty memory, same directory.
	b, tag, err := NewCache(1<<20, disk).GetOrRender("control/2025-08-15.r7/6/38/22/png@256.", render)
	if err != nil || string(b) != "tile bytes" || tag != ETag(b) {
		t.Fatalf("got %q %s %v", b, tag, err)
	}
	if renders != 1 {
		t.Errorf("rendered %d times, want 1 (the second from disk)", renders)
	}
	if n, _ := disk.Files(); n != 1 {
		t.Errorf("%d files on disk, want 1", n)
	}
}

func TestCacheStatsCountEachMissOnce(t *testing.T) {
	disk, err := NewDiskCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	render := func() ([]byte, error) { return []byte("tile"), nil }
	c := NewCache(1<<20, disk)
	// The server looks in memory first, then asks GetOrRender: one miss, one render.
	if _, _, ok := c.GetWithETag("a"); ok {
		t.Fatal("empty cache answered a")
	}
	c.GetOrRender("a", render)
	c.GetWithETag("a")
	c.GetOrRender("a", render)
	want := CacheStats{Hits: 2, Misses: 1, Renders: 1, Bytes: 4, Entries: 1, MaxBytes: 1 << 20}
	if got := c.Stats(); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// A new cache on the same directory answers the miss from disk.
	c = NewCache(1<<20, disk)
	c.GetOrRender("a", render)
	want = CacheStats{Misses: 1, DiskHits: 1, Bytes: 4, Entries: 1, MaxBytes: 1 << 20}
	if got := c.Stats(); got != want {
		t.Errorf("after a restart: got %+v, want %+v", got, want)
	}
}
