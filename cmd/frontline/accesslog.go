package main

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// accessLog writes the one line logged per answered request. The line is
// the one slog's JSONHandler writes for the same record (the tests compare
// them byte for byte), built without slog's generic attribute handling:
// with tens of thousands of cached tiles a second, that handling was about
// a twentieth of the server's CPU.
type accessLog struct {
	w    io.Writer // safe for concurrent use; one Write per line
	bufs sync.Pool // *[]byte
}

func newAccessLog(w io.Writer) *accessLog {
	return &accessLog{w: w, bufs: sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}}
}

// write logs a request answered at time at after d.
func (a *accessLog) write(at time.Time, id, method, uri string, status int, bytes int64, d time.Duration) {
	bp := a.bufs.Get().(*[]byte)
	b := appendAccessLine((*bp)[:0], at, id, method, uri, status, bytes, d)
	a.w.Write(b) // a log that cannot be written must not fail the request
	*bp = b
	a.bufs.Put(bp)
}

// appendAccessLine appends the JSON line of a request to b.
func appendAccessLine(b []byte, at time.Time, id, method, uri string, status int, bytes int64, d time.Duration) []byte {
	b = append(b, `{"time":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","id":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, method)
	b = append(b, `,"uri":`...)
	b = appendJSONString(b, uri)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, bytes, 10)
	b = append(b, `,"ms":`...)
	// encoding/json writes a float in [1e-6, 1e21) as 'f' with the
	// shortest digits; milliseconds in whole microseconds are always there
	// or zero.
	b = strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
	return append(b, "}\n"...)
}

// appendJSONString appends s as a JSON string the way encoding/json and
// slog do without HTML escaping: control characters, the quote and the
// backslash escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// lockedWriter makes a writer safe for the concurrent one-Write-per-line
// use of the access log and slog.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// syncWriter returns w if it serialises its writes already, else w behind
// a mutex.
func syncWriter(w io.Writer) io.Writer {
	switch w.(type) {
	case *logWriter, *lockedWriter:
		return w
	}
	if w == io.Discard {
		return w
	}
	return &lockedWriter{w: w}
}
