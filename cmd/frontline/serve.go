package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/frontlinemap/frontline/data/derive"
	"github.com/frontlinemap/frontline/data/sqlite"
	"github.com/frontlinemap/frontline/geo/scenario"
)

// serveConfig is the configuration of the serve command.
type serveConfig struct {
	DB              string
	Addr            string
	ShutdownTimeout time.Duration
	Scenarios       string // directory of scenario files loaded at start, or ""
	PublicURL       string // origin for URLs in TileJSON, or "" to use the request's
	TileCacheMB     int
	TileCacheDir    string // persistent tile cache, or ""
	ReadOnly        bool   // open an existing database read-only (a serving replica)
}

// Validate checks the configuration before anything is opened.
func (c serveConfig) Validate() error {
	if c.DB == "" {
		return fmt.Errorf("%w: --db is empty", errUsage)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("%w: --addr %q: want HOST:PORT, e.g. 127.0.0.1:8080 or :8080", errUsage, c.Addr)
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return fmt.Errorf("%w: --public-url %q: want http(s)://host[:port]", errUsage, c.PublicURL)
	}
	if c.ReadOnly && c.Scenarios != "" {
		return fmt.Errorf("%w: --scenarios cannot be loaded into a --read-only database; import them on the primary", errUsage)
	}
	if c.TileCacheMB < 0 {
		return fmt.Errorf("%w: --tile-cache-mb must not be negative", errUsage)
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("%w: --shutdown-timeout must be positive", errUsage)
	}
	return nil
}

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [--db PATH] [--addr HOST:PORT]", stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.DB, "db", "frontline.db", dbUsage)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address `HOST:PORT`; port 0 picks a free port")
	fs.StringVar(&cfg.Scenarios, "scenarios", "", "`directory` of scenario files (*.json) to load at start, replacing stored ones with the same ids")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "public origin for tile URLs in TileJSON, e.g. https://maps.example.org (default: from each request, honouring X-Forwarded-Proto/-Host)")
	fs.BoolVar(&cfg.ReadOnly, "read-only", false, "open an existing database read-only, for serving replicas: nothing is written, derived results are computed in memory only")
	fs.StringVar(&cfg.TileCacheDir, "tile-cache-dir", "", "`directory` for a persistent tile cache that survives restarts (default none); delete it to clear")
	fs.IntVar(&cfg.TileCacheMB, "tile-cache-mb", 256, "memory budget of the tile cache in `MiB`")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to let in-flight requests finish on SIGTERM")
	hc := hardenFlags(fs)
	// Flags defined above this line get an environment variable each.
	if rest, err := parseWithEnv(fs, args, os.LookupEnv); err != nil {
		return err
	} else if len(rest) > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, rest)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if err := hc.validate(); err != nil {
		return err
	}
	logs := newLogWriter(stderr)
	defer logs.Close()
	logger := slog.New(slog.NewJSONHandler(logs, nil))

	db, err := sqlite.Open(ctx, cfg.DB, sqlite.Options{ReadOnly: cfg.ReadOnly})
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.Scenarios != "" {
		n, _, err := importScenarios(ctx, db, []string{cfg.Scenarios}, true)
		if err != nil {
			return err
		}
		logger.Info("scenarios loaded", "dir", cfg.Scenarios, "files", n)
	}

	derived := derive.New(db, scenario.Options{})
	ts, err := newTileServer(db, derived, int64(cfg.TileCacheMB)<<20, cfg.TileCacheDir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	handler := newServer(db, derived, ts, cfg.PublicURL, logs, withWrites(db, hc, cfg.ReadOnly))
	srv := &http.Server{
		Handler:  handler,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError), // net/http's own complaints, as JSON too
	}
	hc.applyTimeouts(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	url := "http://" + displayAddr(ln.Addr()) + "/"
	fmt.Fprintf(stdout, "frontline: serving %s\n", url)
	logger.Info("serving", "url", url, "db", cfg.DB)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	handler.drain()
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// displayAddr names a listening address the way a browser can open it:
// a wildcard host (":8080", "0.0.0.0", "::") becomes localhost.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("localhost", strconv.Itoa(tcp.Port))
}
