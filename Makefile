# Frontline: make run serves the map, make test checks everything.
GO      ?= go
BIN     := bin/frontline
DB      ?= frontline.db
ADDR    ?= :8080
SHARED  ?= ../shared/data/deepstate

.PHONY: run build static test test-go test-browser bench bench-import bench-tiles data clean fuzz loadtest test-race

## run: build everything and serve the map on $(ADDR) with the database $(DB)
run: build
	./$(BIN) serve --db $(DB) --addr $(ADDR)

## build: the front-end packages from npm, then the binary (which embeds them)
build: static
	$(GO) build -o $(BIN) ./cmd/frontline

static:
	sh static/build.sh

## test: vet, Go tests (real SQLite, real server), browser tests (real chromium)
test: build test-go test-browser

test-go:
	$(GO) vet ./...
	$(GO) test ./...

test-browser: build
	FRONTLINE_BIN=$(CURDIR)/$(BIN) node --test static/test/*.test.mjs

## bench: Go benchmarks, then the import of every daily line in $(SHARED)
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(MAKE) bench-import
	$(MAKE) bench-tiles
	$(MAKE) bench-http
	$(MAKE) bench-export

bench-import: build
	sh .ci/bench-import.sh $(BIN) $(SHARED)

## data: regenerate the shipped boundary and line files under data/ (needs npm)
data:
	sh data/mkdata.sh

clean:
	rm -rf bin static/vendor/*

## bench-tiles: per-tile time of Frontline against Mapnik (PNG) and PostGIS (MVT); see bench/tiles/README.md
bench-tiles:
	sh bench/tiles/run.sh

## bench-http: cached tiles over HTTP, wrk -t2 -c64 against Frontline and a bare net/http handler; see bench/http/README.md
.PHONY: bench-http
bench-http:
	sh bench/http/run.sh

## bench-export: frontline export of every tileset z0-z10 against ogr2ogr -f MVT; see bench/export/README.md
.PHONY: bench-export
bench-export:
	SHARED=$(SHARED) sh bench/export/run.sh
## fuzz: each fuzz target for $(FUZZTIME) inputs (seed corpora in each package's testdata/fuzz).
## A count, not a duration: with a duration, Go 1.26's fuzzing coordinator can fail a target with
## "context deadline exceeded" as the time runs out on a busy machine (golang/go#75804, fixed in 1.27).
FUZZTIME ?= 20000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodePolygons$$' -fuzztime $(FUZZTIME) ./data
	$(GO) test -run '^$$' -fuzz '^FuzzTilePath$$' -fuzztime $(FUZZTIME) ./cmd/frontline
	$(GO) test -run '^$$' -fuzz '^FuzzAccessLine$$' -fuzztime $(FUZZTIME) ./cmd/frontline
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./geo/scenario

## loadtest: wrk against a real server: mixed valid load during imports, then malformed paths; see bench/load/README.md
loadtest: static
	sh bench/load/run.sh

## test-race: the race detector (-short) over the code that runs goroutines: the server, the store,
## the derived-result and tile caches, and geo's parallel union. The geometry packages otherwise run
## on one goroutine: the detector has nothing to watch there and would multiply their run time.
RACE_PKGS := ./cmd/frontline ./data/sqlite ./data/derive ./tiles
test-race: static
	$(GO) test -race -short -timeout 20m $(RACE_PKGS)
	$(GO) test -race -short -run 'Union' ./geo
