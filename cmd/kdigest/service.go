package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/web"
)

// service is the set of components every long-running command shares.
type service struct {
	db      *sql.DB
	storage *storage // whether the database takes writes
	corpus  *feed.Corpus
	metrics *web.Metrics
	log     *slog.Logger
}

// openService opens the database and the corpus of the configured seeds
// folder, with the articles saved by the last run; call scan to read the
// folder. saved, when set, receives the feeds the last run saved, when it
// saved some with the same settings and release, before the corpus loads
// (feed.SavedDocuments), with the service's logger.
func openService(ctx context.Context, e env, c *config, onChange func(*feed.Snapshot), saved func(map[string]*feed.Document, *slog.Logger)) (*service, error) {
	log := newLogger(e, c)
	if st, err := os.Stat(c.Seeds); err != nil || !st.IsDir() {
		if err == nil {
			err = fmt.Errorf("not a folder")
		}
		return nil, fmt.Errorf("seeds folder %s: %w", c.Seeds, err)
	}
	tax, err := loadTaxonomy(c.Themes)
	if err != nil {
		return nil, err
	}
	st := &storage{now: time.Now}
	db, err := openWatchedDB(ctx, c.Data, st)
	if err != nil {
		return nil, err
	}
	metrics := web.NewMetrics()
	opts := feed.Options{
		Dir: c.Seeds, Size: c.FeedSize, BaseURL: c.BaseURL, FeedID: c.FeedID, IncludeIrrelevant: c.IncludeIrrelevant,
		Taxonomy: tax, Hub: advertisedHub(c.WebSubHub), Log: log, SaveDocuments: saved != nil, Release: versionLine(),
		OnChange: func(s *feed.Snapshot) {
			metrics.Articles.Set(float64(len(s.Entries)))
			if onChange != nil {
				onChange(s)
			}
		},
	}
	if saved != nil {
		// Only a faster start: a copy that cannot be read is not served.
		if docs, err := feed.SavedDocuments(ctx, db, opts); err != nil {
			log.Warn("the saved feeds cannot be read; serving once the corpus is loaded", "err", err)
		} else if len(docs) > 0 {
			saved(docs, log)
		}
	}
	corpus, err := feed.Open(ctx, db, opts)
	if err != nil {
		db.Close()
		return nil, dbError(filepath.Join(c.Data, dbFile), err)
	}
	return &service{db: db, storage: st, corpus: corpus, metrics: metrics, log: log}, nil
}

// scan reads the seeds folder into the corpus and logs what it holds.
func (s *service) scan(ctx context.Context) error {
	start := time.Now()
	if err := s.corpus.Rescan(ctx); err != nil {
		return fmt.Errorf("scan %s: %w", s.corpus.Dir(), err)
	}
	s.metrics.ScanSeconds.Observe(time.Since(start).Seconds())
	s.loaded(start)
	return nil
}

// loaded logs what the corpus holds after its first scan, begun at start.
func (s *service) loaded(start time.Time) {
	snap := s.corpus.Snapshot()
	s.metrics.Articles.Set(float64(len(snap.Entries)))
	s.log.Info("corpus loaded", "seeds", s.corpus.Dir(), "articles", len(snap.Entries), "visible", len(snap.Visible()),
		"failed", len(snap.Failed), "took", time.Since(start).Round(time.Millisecond))
	for name, why := range snap.Failed {
		s.log.Warn("seed file not used", "file", name, "reason", why)
	}
}

// health adds the storage's state to the fields of /healthz, and makes
// the status "degraded" (503) while writes fail: changes to the corpus, the
// ledger or the subscribers cannot be saved.
func (s *service) health(fields map[string]any) map[string]any {
	st := s.storage.Status()
	fields["storage"] = st
	if !st.OK {
		fields["status"] = "degraded"
	}
	return fields
}

// Close stops the corpus, then closes the database.
func (s *service) Close() error {
	s.corpus.Close()
	return s.db.Close()
}

// advertisedHub is the hub URL the feeds name: without the user name and
// password a ping may carry (the ping uses the URL as given), since every
// reader of the feeds sees it.
func advertisedHub(hub string) string {
	u, err := url.Parse(hub)
	if err != nil || u.User == nil {
		return hub
	}
	u.User = nil
	return u.String()
}
