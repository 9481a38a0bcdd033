package feed

import (
	"context"
	"testing"
	"time"
)

func TestZZOpen(t *testing.T) {
	db := openDB(t, "/tmp/k10data-copy/kdigest.db")
	st := time.Now()
	c, err := Open(context.Background(), db, Options{Dir: "/tmp/k10/seeds", BaseURL: testBase, ParserVersion: "x"})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("open", time.Since(st), len(c.Snapshot().Entries))
}
