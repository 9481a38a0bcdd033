package feed

import (
	"context"
	"database/sql"
	"testing"

	"github.com/kdigest/kdigest/feed/theme"
)

// TestClassificationsAreCachedPerTaxonomy checks that a restart reuses the
// stored classifications, and that another taxonomy classifies again.
func TestClassificationsAreCachedPerTaxonomy(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	first := f.open(t).Snapshot()

	// Tamper with the stored classification: a restart with the same
	// taxonomy must show the stored one, proving it was not recomputed.
	db := openDB(t, f.dbPath)
	if _, err := db.Exec(`UPDATE articles SET class = replace(class, '"Theme":"summits"', '"Theme":"cached"') WHERE id = '001_3d14f15a5a4da934'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	again := f.open(t).Snapshot()
	e, _ := again.Article("001_3d14f15a5a4da934")
	if e.Class.Theme != "cached" {
		t.Errorf("theme after restart = %q, want the stored classification", e.Class.Theme)
	}
	if len(again.Entries) != len(first.Entries) {
		t.Fatalf("entries = %d, want %d", len(again.Entries), len(first.Entries))
	}

	// Another taxonomy: everything is classified again and stored.
	other, err := theme.Parse("space.toml", []byte("name = \"Space\"\n[topic.anchors]\n\"rocket\" = 3\n[[theme]]\nid = \"launches\"\nname = \"Launches\"\n[theme.terms]\n\"launch\" = 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := f.open(t, func(o *Options) { o.Taxonomy = other; o.IncludeIrrelevant = true }).Snapshot()
	e, _ = s.Article("001_3d14f15a5a4da934")
	if e.Class.Theme != "" || e.Class.Relevant {
		t.Errorf("with another taxonomy: class = %+v, want a fresh (irrelevant) one", e.Class)
	}
	var taxonomy string
	db = openDB(t, f.dbPath)
	defer db.Close()
	if err := db.QueryRowContext(context.Background(), `SELECT json_extract(class, '$.taxonomy') FROM articles WHERE id = '001_3d14f15a5a4da934'`).Scan(&taxonomy); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	if taxonomy != other.Hash() {
		t.Errorf("stored taxonomy = %q, want the new one %q", taxonomy, other.Hash())
	}
}
