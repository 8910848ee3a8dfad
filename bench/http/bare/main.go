// Command bare is the yardstick of the HTTP benchmark: a bare net/http
// handler, no router and no middleware, serving tile bytes held in memory by
// path with the Content-Type Frontline sent for them and a Content-Length (as
// Frontline sends), so that neither side pays for chunked encoding. It reads a manifest
// written by run.sh, one tile a line: PATH<TAB>CONTENT-TYPE<TAB>FILE.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

type tile struct {
	contentType []string
	length      []string
	body        []byte
}

func main() {
	manifest := flag.String("manifest", "", "manifest file: PATH\\tCONTENT-TYPE\\tFILE per line")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	f, err := os.Open(*manifest)
	if err != nil {
		fail(err)
	}
	tiles := map[string]tile{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			fail(fmt.Errorf("%s: bad line %q", *manifest, sc.Text()))
		}
		b, err := os.ReadFile(parts[2])
		if err != nil {
			fail(err)
		}
		tiles[parts[0]] = tile{[]string{parts[1]}, []string{strconv.Itoa(len(b))}, b}
	}
	if err := sc.Err(); err != nil {
		fail(err)
	}
	f.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fail(err)
	}
	fmt.Printf("bare: serving http://%s/ (%d tiles)\n", ln.Addr(), len(tiles))
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := tiles[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h["Content-Type"] = t.contentType
		h["Content-Length"] = t.length
		w.Write(t.body)
	}))
	fail(err)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bare:", err)
	os.Exit(1)
}
