package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

const serveUsage = "serve [--addr 127.0.0.1:8080] [--config F] [--until D] [--runbooks DIR] [PATH...]"

// runServe replays PATH into the embedded store and serves the API handler on the
// loopback interface, with a link key made for this run.
func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags("serve", env)
	addr := fs.String("addr", "127.0.0.1:8080", "loopback address to listen on (port 0: any free port)")
	cfgPath := fs.String("config", "", "configuration file")
	until := fs.Duration("until", 0, "stop after this long, e.g. 30m (default: until interrupted)")
	rbDir := fs.String("runbooks", "", "folder with <name>.asl.json (and optional <name>.fixtures.json dry-run answers) for every configured runbook; runbooks run in dry-run and approvals can be decided")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("%w: --addr %q: want host:port, e.g. 127.0.0.1:8080", errUsage, *addr)
	}
	if !api.LoopbackHost(host) {
		return fmt.Errorf("%w: --addr %q: serve listens on the loopback interface only (127.0.0.1, ::1 or localhost): it has no authentication", errUsage, *addr)
	}
	if *until < 0 {
		return fmt.Errorf("%w: --until must not be negative", errUsage)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	b, err := loadBus()
	if err != nil {
		return err
	}
	var inputs []replay.Input
	if len(paths) > 0 {
		if inputs, err = replay.Load(paths, env.Stdin); err != nil {
			return err
		}
	}
	machines, fixtures, err := loadRunbookDir(cfg, *rbDir)
	if err != nil {
		return err
	}
	res, err := replay.Run(ctx, inputs, replay.Options{Config: cfg, Bus: b, Runbooks: machines, Fixtures: fixtures})
	if err != nil {
		return err
	}

	ring, err := token.NewRing(rand.Reader, "serve")
	if err != nil {
		return err
	}
	now := func() time.Time { return time.Now().UTC() }
	signer := &token.Signer{Keys: token.Static{Ring: ring}, Now: now}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := &api.Handler{
		Store:     res.Store,
		Lifecycle: &lifecycle.Service{Store: res.Store, Config: cfg, Now: now},
		Approver:  &api.Local{Runner: res.Runner},
		Tokens:    signer,
		Now:       now,
		Log:       log,
	}
	actor := "local:" + localUser(env)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           &api.Loopback{Handler: h, Actor: actor, Now: now, NewID: newRequestID},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	links := &token.Links{Signer: signer, Base: base, Log: log}
	printServing(env.Stdout, base, actor, res, links)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var timeout <-chan time.Time
	if *until > 0 {
		t := time.NewTimer(*until)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	case <-timeout:
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("serve: shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(env.Stdout, "Stopped.")
	return nil
}

func printServing(w io.Writer, base, actor string, res *replay.Result, links *token.Links) {
	s := res.Summary
	active := 0
	var newest *incident.Incident
	for i, inc := range res.Incidents {
		if inc.Status.Active() {
			active++
		}
		if inc.Status == incident.Open && newest == nil {
			newest = &res.Incidents[i]
		}
	}
	fmt.Fprintf(w, "Replayed %d events: %d incidents (%d active), %d notifications.\n", s.Events, len(res.Incidents), active, s.Notifications)
	fmt.Fprintf(w, "Firebreak API on %s (as %s; signed links use a key made for this run)\n", base, actor)
	fmt.Fprintf(w, "  firebreak incidents --api %s list\n", base)
	if newest != nil {
		if u, err := links.URL(context.Background(), newest.ID, token.Ack, token.ActionTTL); err == nil {
			fmt.Fprintf(w, "Acknowledge link of %s (one use):\n  %s\n", newest.ID, u)
		}
	}
	var waiting []store.Approval
	for _, inc := range res.Incidents {
		aps, err := res.Store.Approvals(context.Background(), inc.ID)
		if err != nil {
			continue
		}
		for _, a := range aps {
			if a.Decision == "" {
				waiting = append(waiting, a)
			}
		}
	}
	if len(waiting) > 0 {
		fmt.Fprintln(w, "Runbook approvals waiting:")
	}
	for _, a := range waiting {
		fmt.Fprintf(w, "  %s %s: %s\n    firebreak incidents --api %s approve %s %s\n", a.Incident, a.Key, a.Request, base, a.Incident, a.Key)
		for _, l := range links.Approval(incident.Incident{ID: a.Incident}, a.Key) {
			fmt.Fprintf(w, "    %-8s %s\n", l.Label, l.URL)
		}
	}
	fmt.Fprintln(w, "Ctrl-C stops it; nothing is kept.")
}

// loadRunbookDir compiles every configured runbook from dir/<name>.asl.json for local
// dry-run, with dir/<name>.fixtures.json (when present) as its dry-run answers. No dir:
// no runbooks run.
func loadRunbookDir(cfg *config.Config, dir string) (map[string]*asl.Machine, map[string]runbook.Fixtures, error) {
	if dir == "" {
		return nil, nil, nil
	}
	names := make([]string, 0, len(cfg.Runbooks))
	for name := range cfg.Runbooks {
		names = append(names, name)
	}
	sort.Strings(names)
	defs := map[string][]byte{}
	fixtures := map[string]runbook.Fixtures{}
	for _, name := range names {
		def := filepath.Join(dir, name+".asl.json")
		b, err := os.ReadFile(def)
		if err != nil {
			return nil, nil, fmt.Errorf("runbook %s: %w (--runbooks needs a definition for every runbook in %s)", name, err, cfg.File)
		}
		defs[name] = b
		fb, err := os.ReadFile(filepath.Join(dir, name+".fixtures.json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("runbook %s: %w", name, err)
		}
		f, err := runbook.ParseFixtures(name, fb)
		if err != nil {
			return nil, nil, err
		}
		fixtures[name] = f
	}
	machines, err := runbook.CompileLocal(defs)
	if err != nil {
		return nil, nil, err
	}
	return machines, fixtures, nil
}

func localUser(env Env) string {
	for _, k := range []string{"USER", "USERNAME"} {
		if v := strings.TrimSpace(env.Getenv(k)); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

func newRequestID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return fmt.Sprintf("%x", time.Now().UnixNano())
	}
	return hex.EncodeToString(b)
}
