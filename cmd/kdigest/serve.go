package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdigest/kdigest/digest"
	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/web"
	"github.com/kdigest/kdigest/schedule"
)

func serveCommand() *command {
	return &command{
		name:    "serve",
		args:    "[settings]",
		summary: "serve the feeds and pages, watch the seeds folder, send the weekly digest",
		help: `Serve loads every article of the seeds folder, serves the Atom, RSS and JSON
feeds and the HTML pages over HTTP, watches the folder so a new or changed
file reaches the feeds within a second, and sends the digest on its schedule.
SIGINT or SIGTERM stops it gracefully: no new requests, in-flight requests and
the digest message being sent are finished, then it exits 0.`,
		settings: groupService,
		run:      runServe,
	}
}

func runServe(ctx context.Context, e env, c *config, args []string) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "kdigest serve: unexpected argument %q\n", args[0])
		return exitUsage
	}
	if err := serve(ctx, e, c, nil); err != nil {
		fmt.Fprintf(e.stderr, "kdigest serve: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// serve runs the service until ctx ends. ready, when set, receives the
// listening address once the site is served after the first scan (tests
// use it; the server answers 503 from the start).
func serve(ctx context.Context, e env, c *config, ready chan<- string) error {
	// Listen first, so a taken port fails before anything else starts.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	defer ln.Close()
	var metricsLn net.Listener
	if c.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", c.MetricsAddr); err != nil {
			return fmt.Errorf("listen on %s (metrics-addr): %w", c.MetricsAddr, err)
		}
		defer metricsLn.Close()
	}

	// The server answers from the start: 503 with Retry-After while the
	// service starts (web.Starting), the feeds the last run saved as soon
	// as they are read, the whole site once it is made.
	var handler swapHandler
	handler.set(web.Starting(nil))
	srv := &http.Server{
		Handler:           &handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	servers := 1 // each sends once to served when its Serve returns
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	var metricsSrv *http.Server
	// stopServing stops the servers started, if any, and waits for them:
	// gracefully (in-flight requests are finished, for at most 10 s) on a
	// stop, at once on an error. Once they are stopped it does nothing,
	// so every return stops them (the deferred call).
	log := slog.New(slog.DiscardHandler) // the service's, once it is open
	stopServing := func(graceful bool) {
		if servers == 0 {
			return
		}
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, s := range []*http.Server{srv, metricsSrv} {
			switch {
			case s == nil:
			case !graceful:
				s.Close()
			default:
				if err := s.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("http shutdown", "err", err)
				}
			}
		}
		for range servers {
			<-served
		}
		servers = 0
	}
	defer stopServing(false) // when the service fails to open

	var hub *hubPinger
	if c.WebSubHub != "" {
		hub = newHubPinger(c.WebSubHub)
	}
	// firstArticles is closed when a first start of a large folder
	// publishes the articles of its first part (feed.Snapshot.Partial).
	firstArticles := make(chan struct{})
	var firstOnce sync.Once
	svc, err := openService(ctx, e, c, func(s *feed.Snapshot) {
		if s.Partial {
			firstOnce.Do(func() { close(firstArticles) })
		}
		if hub != nil {
			hub.changed(s)
		}
	}, func(docs map[string]*feed.Document, l *slog.Logger) {
		handler.set(web.Starting(docs))
		l.Info("serving the saved feeds while the corpus loads", "addr", ln.Addr().String(), "documents", len(docs))
	})
	if err != nil {
		if ctx.Err() != nil {
			// Stopped while loading: a stop, not a failure.
			stopServing(true)
			return nil
		}
		return err
	}
	defer svc.Close()
	defer stopServing(false) // before the database closes
	log = svc.log
	if hub != nil {
		hub.log = svc.log
	}

	// The welcome message says when the next digest comes: the schedulers
	// are made below, before anything is served.
	var sched, dailySched *schedule.Scheduler
	dig, err := openDigest(ctx, e, c, svc, func(frequency string) time.Time {
		if frequency == digest.Daily {
			return dailySched.Next()
		}
		return sched.Next()
	})
	if err != nil {
		return err
	}
	sched, err = schedule.NewScheduler(schedule.SchedulerOptions{
		Spec: c.DigestSchedule, Location: c.TZ, Log: svc.log,
		Run:     func(ctx context.Context) error { return dig.scheduled(ctx) },
		Last:    dig.lastSent,
		Pending: dig.d.Unfinished,
		Resume:  dig.resume,
	})
	if err != nil {
		return err
	}
	dailySched, err = newDailyScheduler(sched, c, svc.log, dig)
	if err != nil {
		return err
	}
	watcher := schedule.NewWatcher(schedule.WatchOptions{
		Dir: c.Seeds, RescanEvery: c.Rescan, Log: svc.log, Seed: func(name string) bool { return feed.IsSeed(name) || feed.IsSidecar(name) },
		Apply: func(ctx context.Context, names ...string) error {
			start := time.Now()
			defer func() { svc.metrics.ScanSeconds.Observe(time.Since(start).Seconds()) }()
			return svc.corpus.Apply(ctx, names...)
		},
		Rescan: func(ctx context.Context) error {
			start := time.Now()
			defer func() { svc.metrics.ScanSeconds.Observe(time.Since(start).Seconds()) }()
			return svc.corpus.Rescan(ctx)
		},
	})

	mail := mailModeOf(c)
	site, err := web.NewServer(web.Options{
		Snapshot: svc.corpus.Snapshot, Log: svc.log, Metrics: svc.metrics, Routes: dig.routes(), Archive: dig.d.Archive(),
		BaseURL: c.BaseURL, TrustedProxies: c.TrustedProxies, CrossSiteExempt: []string{digest.OneClickUnsubscribe},
		Status: func() map[string]any {
			return svc.health(map[string]any{"watcher": watcher.Status(), "digest_schedule": sched.Status(), "daily_digest_schedule": dailySched.Status(), "last_digest": dig.lastOutcome(ctx), "mail": mail})
		},
	})
	if err != nil {
		return err
	}

	// Background work stops when ctx ends; the server is shut down below.
	var wg sync.WaitGroup
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	// startServing serves the site (its handler replaces the saved
	// feeds') and the metrics.
	startServing := func() {
		handler.set(site)
		if metricsLn != nil && metricsSrv == nil {
			mux := http.NewServeMux()
			mux.Handle("GET /metrics", svc.metrics.Handler())
			metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
			servers++
			go func() { served <- metricsSrv.Serve(metricsLn) }()
			svc.log.Info("serving metrics", "addr", metricsLn.Addr().String()+"/metrics")
		}
	}
	// A restart serves the articles the database holds at once; the scan
	// below brings them up to date with the folder. A first start serves
	// once its scan has published articles: the first part of a large
	// folder, or the whole of a small one.
	first := firstArticles
	if len(svc.corpus.Snapshot().Entries) > 0 {
		startServing()
		svc.log.Info("serving the saved articles while the seeds folder is scanned", "addr", ln.Addr().String())
		first = nil
	}
	// The watcher's first rescan, once the folder is watched, is the scan
	// of the folder: no digest is sent before it.
	start := time.Now()
	watched := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := watcher.Run(bg)
		if err != nil {
			svc.log.Error("watcher stopped", "err", err)
		}
		watched <- err
	}()
scanning:
	for {
		select {
		case <-first:
			first = nil
			startServing()
			svc.log.Info("serving the first articles while the rest of the seeds folder is read", "addr", ln.Addr().String())
		case <-watcher.Ready():
			break scanning
		case err := <-watched:
			if ctx.Err() == nil {
				stopServing(false)
				stopBG()
				wg.Wait()
				return fmt.Errorf("watch %s: %w", c.Seeds, err)
			}
			break scanning
		case <-ctx.Done():
			break scanning
		}
	}
	// shutDown is a stop's end: the servers first, then background work.
	shutDown := func() {
		svc.log.Info("shutting down")
		stopServing(true)
		stopBG()
		wg.Wait() // the scheduler waits (bounded) for a digest in progress
		svc.log.Info("stopped")
	}
	if ctx.Err() != nil {
		// Stopped during the first scan: what a restart was serving
		// meanwhile is shut down as it would be later.
		shutDown()
		return nil
	}
	if st := watcher.Status(); st.LastError != "" {
		stopServing(false)
		stopBG()
		wg.Wait()
		return fmt.Errorf("first scan of %s: %s", c.Seeds, st.LastError)
	}
	svc.loaded(start)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := sched.Run(bg); err != nil {
			svc.log.Error("scheduler stopped", "err", err)
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := dailySched.Run(bg); err != nil {
			svc.log.Error("daily scheduler stopped", "err", err)
		}
	}()
	if hub != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hub.run(bg)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		dig.d.SendConfirmations(bg) // the email in flight is finished and recorded
	}()
	startServing()
	digestNext := "off"
	if next := sched.Next(); !next.IsZero() {
		digestNext = next.Format(time.RFC3339)
	}
	svc.log.Info("serving", "addr", ln.Addr().String(), "base_url", c.BaseURL, "feed_id", svc.corpus.FeedID().String(), "digest_next", digestNext, "mail", mail.String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	// The first scan's garbage goes back to the system now, once: an idle
	// server gets no collection (the runtime's periodic one waits for
	// activity), and would keep the scan's peak resident (265 MB at
	// 10,000 articles after a first start, 139 MB with this, for a live
	// heap of 77 MB).
	debug.FreeOSMemory()

	select {
	case err := <-served:
		servers-- // this one has returned
		stopServing(false)
		stopBG()
		wg.Wait()
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutDown()
	return nil
}

// hubPinger tells a WebSub hub about feed changes. One goroutine (run),
// owned by serve, sends the pings one at a time; changes that arrive while
// a ping is in flight are folded into the next one.
type hubPinger struct {
	hub    string
	log    *slog.Logger
	topics chan []string // holds at most the latest topics not yet pinged
}

func newHubPinger(hub string) *hubPinger {
	return &hubPinger{hub: hub, topics: make(chan []string, 1)}
}

// changed queues a ping for the snapshot's feeds; it never blocks.
func (h *hubPinger) changed(s *feed.Snapshot) {
	// Every feed advertises the hub, in every format: each document of
	// the snapshot but the OPML list is a topic.
	var topics []string
	for _, p := range s.Documents() {
		if p != feed.PathOPML {
			topics = append(topics, s.BaseURL+"/"+p)
		}
	}
	for {
		select {
		case h.topics <- topics:
			return
		default:
		}
		select { // a ping not yet sent is replaced by this newer one
		case <-h.topics:
		default:
		}
	}
}

// run sends the queued pings until ctx ends.
func (h *hubPinger) run(ctx context.Context) {
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		select {
		case <-ctx.Done():
			return
		case topics := <-h.topics:
			if err := web.PingHub(ctx, client, h.hub, topics); err != nil && ctx.Err() == nil && h.log != nil {
				// A hub URL may carry a password, and the error quotes the URL.
				h.log.Warn("websub ping failed", "hub", maskURL(h.hub), "err", maskURL(err.Error()))
			}
		}
	}
}

// swapHandler serves each request with the handler last set: a restart's
// saved feeds (web.Starting), then the site.
type swapHandler struct{ h atomic.Pointer[http.Handler] }

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

// ServeHTTP serves r with the handler last set (one is set before the
// server starts).
func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}
