package feed

import (
	"reflect"
	"testing"

	"github.com/kdigest/kdigest/feed/theme"
)

// TestClassificationsAreCachedPerTaxonomy checks that a restart reuses the
// stored classifications, and that another taxonomy classifies again.
func TestClassificationsAreCachedPerTaxonomy(t *testing.T) {
	f := newFixture(t, seedFiles(t)...)
	c := f.open(t)
	c.Close() // its caches written
	first := c.Snapshot()

	// Tamper with the stored classification: a restart with the same
	// taxonomy must show the stored one, proving it was not recomputed.
	db := openDB(t, f.dbPath)
	var blob []byte
	if err := db.QueryRow(`SELECT class FROM articles WHERE id = '001_3d14f15a5a4da934'`).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	cc, err := decodeClass(blob)
	if err != nil {
		t.Fatal(err)
	}
	cc.Result.Theme = "cached"
	if _, err := db.Exec(`UPDATE articles SET class = ? WHERE id = '001_3d14f15a5a4da934'`, encodeClass(cc)); err != nil {
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
	db = openDB(t, f.dbPath)
	defer db.Close()
	if err := db.QueryRow(`SELECT class FROM articles WHERE id = '001_3d14f15a5a4da934'`).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if cc, err = decodeClass(blob); err != nil {
		t.Fatal(err)
	}
	if cc.Taxonomy != other.Hash() {
		t.Errorf("stored taxonomy = %q, want the new one %q", cc.Taxonomy, other.Hash())
	}
}

// TestClassCodec checks that a classification survives its binary form,
// and that a blob of another version or a damaged one is an error.
func TestClassCodec(t *testing.T) {
	want := &cachedClass{Taxonomy: "abc", Result: theme.Result{
		Theme: "summits", Themes: []string{"summits", "borders"}, Relevant: true, Relevance: 0.83,
	}}
	blob := encodeClass(want)
	got, err := decodeClass(blob)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decodeClass(encodeClass(x)) = %+v, want %+v", got, want)
	}
	bad := []struct {
		name string
		blob []byte
	}{
		{"empty", nil},
		{"json of older releases", []byte(`{"taxonomy":"abc","result":{}}`)},
		{"truncated", blob[:len(blob)/2]},
		{"trailing bytes", append(append([]byte{}, blob...), 0)},
		{"huge count", append([]byte{classVersion, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}, make([]byte, 8)...)},
		{"first version", append([]byte{1}, blob[1:]...)},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if cc, err := decodeClass(tt.blob); err == nil {
				t.Errorf("decodeClass = %+v, want an error", cc)
			}
		})
	}
}
