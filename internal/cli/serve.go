package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/user"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

var serveCmd = &command{
	name: "serve", args: "[PATH...]", summary: "replay PATH on the local pipeline and serve the API on 127.0.0.1 for the CLI and signed links",
	about: `The events are replayed as by firebreak replay, then the API the api Lambda serves in AWS answers
on the loopback interface, with you as the caller: firebreak incidents --api URL works against
it, and the acknowledge and approval links it prints work in a browser. The pipeline's clock
runs on in real time from the last event: escalations, reminders and auto-resolve happen while
it serves. Nothing is kept: Ctrl-C stops it. make serve builds the binary and runs this on the
samples.`,
	arguments: [][2]string{{"PATH", "events to replay first: files, folders, JSON lines, or - for stdin; none: start empty"}},
	example:   "firebreak serve events/samples/\nfirebreak serve --addr 127.0.0.1:0 --until 1h events/samples/",
	run:       runServe,
}

// runServe replays PATH on the local pipeline and serves the API handler on the
// loopback interface, with a link key made for this run. While it serves, the
// pipeline's clock runs on in real time from where the replay left it: people's changes
// are dispatched and the escalator's clocks tick as they would in AWS.
func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags("serve", env)
	addr := fs.String("addr", "127.0.0.1:8080", "loopback `HOST:PORT` to listen on (port 0: any free port)")
	cfgPath := fs.String("config", "", "configuration `FILE` (default ./firebreak.yaml when present, else the built-in configuration)")
	until := fs.Duration("until", 0, "run the replay's clocks this `DURATION` past the last event before serving, e.g. 2h")
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
	machines, fixtures, err := loadRunbooks()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()

	ring, err := token.NewRing(rand.Reader, "serve")
	if err != nil {
		return err
	}
	wall := func() time.Time { return time.Now().UTC() }
	signer := &token.Signer{Keys: token.Static{Ring: ring}, Now: wall}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	links := &token.Links{Signer: signer, Base: base, Log: log}
	res, err := replay.Run(ctx, inputs, replay.Options{Config: cfg, Bus: b, Runbooks: machines, Fixtures: fixtures, Until: *until, Links: links})
	if err != nil {
		return err
	}
	steps, err := newLiveSteps(ctx, res.Local, wall)
	if err != nil {
		return err
	}
	h := &api.Handler{
		Store:     res.Store,
		Lifecycle: res.Local.Lifecycle,
		Approver:  res.Runner,
		Tokens:    signer,
		Steps:     steps,
		Problems:  res.Store,
		Now:       steps.now,
		Log:       log,
		Reviews:   res.Local.Reviews,
		Actions:   res.Local.Actions,
		// The follow-ups section of the report: actions and reviews by outcome.
		ReportSections: []report.Contributor{review.Section{Store: res.Store}},
	}
	actor := "local:" + localUser(env)
	srv := &http.Server{
		Handler:           &api.Loopback{Handler: h, Actor: actor, Now: wall, NewID: newRequestID},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	incs, err := res.Incidents(ctx)
	if err != nil {
		return err
	}
	printServing(env.Stdout, base, actor, res, incs, links)

	// The clocks run on in wall time: escalations, reminders and auto-resolve happen
	// with nobody touching the API.
	clockCtx, stopClocks := context.WithCancel(ctx)
	defer stopClocks()
	ticker := time.NewTicker(clockTick)
	defer ticker.Stop()
	clocksDone := make(chan struct{})
	go func() {
		defer close(clocksDone)
		steps.run(clockCtx, ticker.C, log)
	}()
	defer func() { stopClocks(); <-clocksDone }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
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

// liveSteps runs people's changes on the local pipeline with its clock following the
// wall clock from where the replay left it (from now when nothing was replayed).
type liveSteps struct {
	local  *pipeline.Local
	wall   func() time.Time
	offset time.Duration // pipeline time − wall time
}

func newLiveSteps(ctx context.Context, l *pipeline.Local, wall func() time.Time) (*liveSteps, error) {
	s := &liveSteps{local: l, wall: wall}
	if start := l.Clock.Now(); !start.IsZero() {
		s.offset = start.Sub(wall())
	} else if err := l.AdvanceTo(ctx, wall()); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *liveSteps) now() time.Time { return s.wall().Add(s.offset).UTC() }

// clockTick is how often serve runs the clocks up to the wall clock.
const clockTick = time.Second

// run runs the clocks up to now each time tick fires, until ctx ends. A failure is
// logged and tried again at the next tick.
func (s *liveSteps) run(ctx context.Context, tick <-chan time.Time, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if err := s.local.AdvanceTo(ctx, s.now()); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "clocks failed; trying again at the next tick", "error", err)
			}
		}
	}
}

// Do runs the clocks up to now, then the change and its dispatch.
func (s *liveSteps) Do(ctx context.Context, f func(ctx context.Context) error) error {
	if err := s.local.AdvanceTo(ctx, s.now()); err != nil {
		return fmt.Errorf("run the clocks: %w", err)
	}
	return s.local.Do(ctx, f)
}

func printServing(w io.Writer, base, actor string, res *replay.Result, incs []incident.Incident, links *token.Links) {
	s := res.Summary
	active := 0
	var newest *incident.Incident
	for i, inc := range incs {
		if inc.Status.Active() {
			active++
		}
		if inc.Status == incident.Open && newest == nil {
			newest = &incs[i]
		}
	}
	fmt.Fprintf(w, "Replayed %s: %s (%d active), %s.\n", plural(s.Events, "event"), plural(len(incs), "incident"), active,
		plural(s.Notifications, "notification"))
	fmt.Fprintf(w, "Firebreak API on %s (as %s; signed links use a key made for this run)\n", base, actor)
	fmt.Fprintf(w, "The pipeline's clock runs on in real time from %s.\n", res.Local.Clock.Now().Format("2006-01-02 15:04:05Z"))
	fmt.Fprintf(w, "  firebreak incidents --api %s list\n", base)
	fmt.Fprintf(w, "Status page: %s/status/\n", base)
	if newest != nil {
		if u, err := links.URL(context.Background(), newest.ID, token.Ack, token.ActionTTL); err == nil {
			fmt.Fprintf(w, "Acknowledge link of %s (one use):\n  %s\n", newest.ID, u)
		}
	}
	var waiting []store.Approval
	for _, inc := range incs {
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
