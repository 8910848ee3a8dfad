package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// slogLine is what slog's JSONHandler writes for the access record, the
// form appendAccessLine promises.
func slogLine(at time.Time, id, method, uri string, status int, n int64, d time.Duration) string {
	var buf bytes.Buffer
	r := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("id", id), slog.String("method", method), slog.String("uri", uri), slog.Int("status", status),
		slog.Int64("bytes", n), slog.Float64("ms", float64(d.Microseconds())/1000))
	slog.NewJSONHandler(&buf, nil).Handle(context.Background(), r)
	return buf.String()
}

func TestAccessLineIsSlogJSON(t *testing.T) {
	at := time.Date(2026, 11, 27, 21, 4, 5, 123456789, time.UTC)
	for _, tc := range []struct {
		name, uri string
		status    int
		d         time.Duration
	}{
		{"tile", "/tiles/control/2025-08-15.r3/7/77/44.png", 200, 123 * time.Microsecond},
		{"whole seconds", "/api/dates", 200, 2 * time.Second},
		{"zero time taken", "/", 404, 0},
		{"sub-microsecond", "/", 200, 999},
		{"long", "/static/x", 200, 3*time.Hour + 7*time.Microsecond},
		{"quote and backslash", `/a"b\c`, 400, time.Millisecond},
		{"control characters", "/a\x00b\x01\x1f\t\n\r\x7f", 400, time.Millisecond},
		{"html characters", "/?q=<script>&x=1", 400, time.Millisecond},
		{"non-ASCII", "/Запоріжжя/ü/😀", 404, time.Millisecond},
		{"invalid UTF-8", "/\xff\xfe/\xc3(/\xe2\x82", 400, time.Millisecond},
		{"line separators", "/\u2028\u2029\u2027", 400, time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(appendAccessLine(nil, at, "0a1b2c3d-1", "GET", tc.uri, tc.status, 3218, tc.d))
			if want := slogLine(at, "0a1b2c3d-1", "GET", tc.uri, tc.status, 3218, tc.d); got != want {
				t.Errorf("access line\n got %s\nwant %s", got, want)
			}
		})
	}
	// The zone of the time is kept, as slog keeps it.
	kyiv := time.FixedZone("EET", 2*3600)
	got := string(appendAccessLine(nil, at.In(kyiv), "id", "GET", "/", 200, 0, 0))
	if want := slogLine(at.In(kyiv), "id", "GET", "/", 200, 0, 0); got != want || !strings.Contains(got, "+02:00") {
		t.Errorf("access line in EET\n got %s\nwant %s", got, want)
	}
}

// FuzzAccessLine compares the access line with slog's for any request URI
// and method, which come from the client.
func FuzzAccessLine(f *testing.F) {
	f.Add("GET", "/tiles/base/r1/5/18/11.png", int64(1500))
	f.Add("BREW", "/\xff\"\\\u2028", int64(1))
	f.Fuzz(func(t *testing.T, method, uri string, us int64) {
		at := time.Unix(1795000000, 42).UTC()
		d := time.Duration(us) * time.Microsecond
		if us < 0 || d/time.Microsecond != time.Duration(us) {
			d = 0
		}
		got := string(appendAccessLine(nil, at, "id", method, uri, 200, 1, d))
		if want := slogLine(at, "id", method, uri, 200, 1, d); got != want {
			t.Errorf("access line\n got %q\nwant %q", got, want)
		}
	})
}

// Lines written from many goroutines through one buffer come out whole.
func TestAccessLogConcurrentLinesWhole(t *testing.T) {
	var buf bytes.Buffer
	a := newAccessLog(syncWriter(&buf))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				a.write(time.Now(), "id", "GET", strings.Repeat("x", 50*g+i), 200, 1, time.Millisecond)
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, `{"time":"`) || !strings.HasSuffix(l, `,"ms":1}`) {
			t.Fatalf("line %d is not whole: %.80q", i+1, l)
		}
	}
}
