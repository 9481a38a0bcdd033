package feed

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"
)

func TestTmpWarm(t *testing.T) {
	dir := "/work/bench100k/seeds"
	db := "/work/bench100k/mig.db"
	for i := range 3 {
		start := time.Now()
		opts := Options{Dir: dir, BaseURL: testBase, ParserVersion: "bench", Now: newClock().Now, Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		c, err := Open(context.Background(), openDB(t, db), opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Rescan(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Log(i, len(c.Snapshot().Entries), len(c.Snapshot().Failed), time.Since(start))
		c.Close()
	}
}
