package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/web"
)

// service is the set of components every long-running command shares.
type service struct {
	db      *sql.DB
	corpus  *feed.Corpus
	metrics *web.Metrics
	log     *slog.Logger
}

// openService opens the database and the corpus of the configured seeds
// folder, and scans it once.
func openService(ctx context.Context, e env, c *config, onChange func(*feed.Snapshot)) (*service, error) {
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
	db, err := openDB(ctx, c.Data)
	if err != nil {
		return nil, err
	}
	metrics := web.NewMetrics()
	corpus, err := feed.Open(ctx, db, feed.Options{
		Dir: c.Seeds, Size: c.FeedSize, BaseURL: c.BaseURL, IncludeIrrelevant: c.IncludeIrrelevant,
		Taxonomy: tax, Hub: c.WebSubHub, Log: log,
		OnChange: func(s *feed.Snapshot) {
			metrics.Articles.Set(float64(len(s.Entries)))
			if onChange != nil {
				onChange(s)
			}
		},
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	start := time.Now()
	if err := corpus.Rescan(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("scan %s: %w", c.Seeds, err)
	}
	metrics.ScanSeconds.Observe(time.Since(start).Seconds())
	snap := corpus.Snapshot()
	metrics.Articles.Set(float64(len(snap.Entries)))
	log.Info("corpus loaded", "seeds", c.Seeds, "articles", len(snap.Entries), "visible", len(snap.Visible()),
		"failed", len(snap.Failed), "took", time.Since(start).Round(time.Millisecond))
	for name, why := range snap.Failed {
		log.Warn("seed file not used", "file", name, "reason", why)
	}
	return &service{db: db, corpus: corpus, metrics: metrics, log: log}, nil
}

func (s *service) Close() error { return s.db.Close() }
