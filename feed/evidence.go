package feed

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

// Parsed is one seed file through the pipeline.
type Parsed struct {
	// Article is what extraction found; its ID is the file's article id.
	Article *article.Article
	// Class is the classification, with its scores and matches.
	Class theme.Result
	// Print is the story fingerprint of the body.
	Print *theme.Print
}

// Analyze runs one seed file (read by article.Read, whose LineKeys gave
// ev's statistics) through the pipeline that every reader of seeds shares,
// the corpus and kdigest inspect: extraction with ev as its evidence, then
// classification and the story fingerprint from one tokenization of the
// body.
func Analyze(f *article.File, ev article.Evidence, tax *theme.Taxonomy) (Parsed, error) {
	a, err := f.Parse(ev)
	if err != nil {
		return Parsed{}, err
	}
	a.ID = idOf(f.Name()) // the corpus's key, whatever the parser made of the name
	res, p := tax.Analyze(a)
	return Parsed{Article: a, Class: res, Print: p}, nil
}

// The corpus's line statistics are extraction's evidence (article.Evidence):
// line_df counts, per normalised line key (article.LineKeys), the present
// parsed articles whose page holds that line. They are kept in the
// database only: a batch reads the counts of the keys its pages hold, so
// idle memory holds none of them.

// lineCounts is what one batch parses with: the saved counts of its pages'
// keys, with the batch's own change to them, so a page's evidence is the
// corpus as it will be after the batch.
type lineCounts struct {
	df   map[uint64]int
	docs int
}

// page returns the evidence of a page whose line keys are keys.
func (lc *lineCounts) page(keys []uint64) article.Evidence {
	df := make(map[uint64]int, len(keys))
	for _, k := range keys {
		if n := lc.df[k]; n > 0 {
			df[k] = n
		}
	}
	return article.Evidence{LineDF: df, Docs: lc.docs}
}

// batchCounts reads the counts of the keys of the outcomes to parse, and
// applies the batch: each page to parse counts once, and the saved
// version of its article (when present and parsed) no more. ahead, when
// not nil, is a change being saved as the batch is parsed: its counts are
// applied too, so the batch is parsed with the corpus as it will be.
func (c *Corpus) batchCounts(ctx context.Context, outs []outcome, ahead *change) (*lineCounts, error) {
	delta := map[uint64]int{}
	docs := c.docs
	for _, o := range outs {
		if o.lines == nil || o.err != nil || o.rec != nil {
			continue
		}
		for _, k := range o.lines {
			delta[k]++
		}
		docs++
		if counted(o.prev) {
			keys, err := savedLines(ctx, c.db, o.id)
			if err != nil {
				return nil, err
			}
			for _, k := range keys {
				delta[k]--
			}
			docs--
		}
	}
	df, err := readCounts(ctx, c.db, delta)
	if err != nil {
		return nil, err
	}
	for k, d := range delta {
		df[k] += d
	}
	if ahead != nil {
		saved, n, err := countChange(c.olds(ahead), ahead.save, ahead.parsed, func(id string) ([]uint64, error) {
			return savedLines(ctx, c.db, id)
		})
		if err != nil {
			return nil, err
		}
		for k := range df {
			df[k] += saved[k]
		}
		docs += n
	}
	return &lineCounts{df: df, docs: docs}, nil
}

// counted reports whether r's lines are in line_df: a present, parsed
// article, or one whose saved fields could not be read.
func counted(r *record) bool { return r != nil && !r.removed && (r.entry != nil || r.unread) }

// readCounts returns the saved counts of the keys of want: a few queries
// for a small batch, one scan of the table for a large one.
func readCounts(ctx context.Context, db *sql.DB, want map[uint64]int) (map[uint64]int, error) {
	out := make(map[uint64]int, len(want))
	if len(want) == 0 {
		return out, nil
	}
	scan := func(q string, args ...any) error {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("read line statistics: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				return fmt.Errorf("read line statistics: %w", err)
			}
			if _, ok := want[uint64(k)]; ok {
				out[uint64(k)] = n
			}
		}
		return rows.Err()
	}
	if len(want) > 20_000 {
		return out, scan(`SELECT key, docs FROM line_df`)
	}
	keys := make([]any, 0, len(want))
	for k := range want {
		keys = append(keys, int64(k))
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		q := `SELECT key, docs FROM line_df WHERE key IN (?` + strings.Repeat(",?", n-1) + `)`
		if err := scan(q, keys[:n]...); err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return out, nil
}

// savedLines returns the saved line keys of the article id.
func savedLines(ctx context.Context, db *sql.DB, id string) ([]uint64, error) {
	var b []byte
	if err := db.QueryRowContext(ctx, `SELECT lines FROM article_texts WHERE id = ?`, id).Scan(&b); err != nil {
		return nil, fmt.Errorf("read line keys of %s: %w", id, err)
	}
	return decodeKeys(b), nil
}

// countDocs returns how many articles line_df counts.
func countDocs(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE removed = 0 AND extractor <> ''`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count articles: %w", err)
	}
	return n, nil
}

// countChange returns what replacing each old record by its new one (old
// nil for a new article) does to line_df, and to the number of documents
// counted. Keys come from the batch's parses, else from lines, which gives
// an article's saved keys.
func countChange(olds, news []*record, p map[string]*parsed, lines func(id string) ([]uint64, error)) (map[uint64]int, int, error) {
	delta := map[uint64]int{}
	docs := 0
	for i, r := range news {
		old := olds[i]
		pr := p[r.id]
		if pr == nil && counted(old) == counted(r) {
			continue // the same keys, or none, before and after
		}
		if counted(old) {
			keys, err := lines(old.id)
			if err != nil {
				return nil, 0, err
			}
			for _, k := range keys {
				delta[k]--
			}
			docs--
		}
		if counted(r) {
			keys := []uint64(nil)
			if pr != nil {
				keys = pr.lines
			} else {
				var err error
				if keys, err = lines(r.id); err != nil {
					return nil, 0, err
				}
			}
			for _, k := range keys {
				delta[k]++
			}
			docs++
		}
	}
	return delta, docs, nil
}

// saveCounts applies countChange to line_df, in tx, and returns the change
// to the number of documents counted. Saved keys are read before tx
// changes the rows.
func saveCounts(ctx context.Context, tx *sql.Tx, olds, news []*record, p map[string]*parsed) (int, error) {
	delta, docs, err := countChange(olds, news, p, func(id string) ([]uint64, error) {
		return txLines(ctx, tx, id)
	})
	if err != nil {
		return 0, err
	}
	if len(delta) == 0 {
		return docs, nil
	}
	up, err := tx.PrepareContext(ctx, `INSERT INTO line_df (key, docs) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET docs = docs + excluded.docs`)
	if err != nil {
		return 0, fmt.Errorf("save line statistics: %w", err)
	}
	defer up.Close()
	drop, err := tx.PrepareContext(ctx, `DELETE FROM line_df WHERE key = ? AND docs <= 0`)
	if err != nil {
		return 0, fmt.Errorf("save line statistics: %w", err)
	}
	defer drop.Close()
	// In the table's order (keys as SQLite's signed integers), the writes
	// go through the B-tree's pages in order, not at random.
	keys := make([]int64, 0, len(delta))
	for k := range delta {
		keys = append(keys, int64(k))
	}
	slices.Sort(keys)
	for _, k := range keys {
		d := delta[uint64(k)]
		if d == 0 {
			continue
		}
		if _, err := up.ExecContext(ctx, k, d); err != nil {
			return 0, fmt.Errorf("save line statistics: %w", err)
		}
		if d > 0 {
			continue
		}
		if _, err := drop.ExecContext(ctx, k); err != nil {
			return 0, fmt.Errorf("save line statistics: %w", err)
		}
	}
	return docs, nil
}

func txLines(ctx context.Context, tx *sql.Tx, id string) ([]uint64, error) {
	var b []byte
	err := tx.QueryRowContext(ctx, `SELECT lines FROM article_texts WHERE id = ?`, id).Scan(&b)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read line keys of %s: %w", id, err)
	}
	return decodeKeys(b), nil
}

// Seed is one seed file's name and content.
type Seed struct {
	Name string
	Raw  []byte
	// Sidecar is the content of its NAME.json, or nil.
	Sidecar []byte
}

// Analysis is what AnalyzeAll learned of one seed.
type Analysis struct {
	Parsed
	// Story and CopyOf are as on Entry.
	Story, CopyOf string
	// Err is why the seed could not be parsed.
	Err error
}

// AnalyzeAll runs seeds through the corpus's pipeline as one batch, as a
// cold start does: each page is parsed with the line statistics of them
// all, classified, and the pages are grouped into stories by the corpus's
// rules (exact copies folded, reports at most three days apart). kdigest
// inspect uses it, so that inspecting a folder and serving it agree. now
// is the clock extraction checks dates against and the first-seen time
// that dates undated pages.
func AnalyzeAll(seeds []Seed, tax *theme.Taxonomy, now time.Time) []Analysis {
	keys := make([][]uint64, len(seeds))
	files := make([]*article.File, len(seeds))
	counts := &lineCounts{df: map[uint64]int{}}
	for i, s := range seeds {
		files[i] = article.Read(s.Name, s.Raw)
		keys[i] = files[i].LineKeys()
		for _, k := range keys[i] {
			counts.df[k]++
		}
		if keys[i] != nil {
			counts.docs++
		}
	}
	out := make([]Analysis, len(seeds))
	var docs []theme.StoryDoc
	for i, s := range seeds {
		ev := counts.page(keys[i])
		ev.Now, ev.Sidecar = now, s.Sidecar
		p, err := Analyze(files[i], ev, tax)
		out[i] = Analysis{Parsed: p, Err: err}
		if err != nil {
			continue
		}
		a := p.Article
		e := &Entry{Article: a, Hash: contentHash(s.Raw, s.Sidecar), Date: a.Published}
		if e.Date.IsZero() {
			e.Date = now
		}
		docs = append(docs, storyDoc(e, p.Print))
	}
	x := theme.BuildStoryIndex(docs)
	for i := range out {
		if a := out[i].Article; a != nil {
			out[i].Story, out[i].CopyOf = x.Story(a.ID), x.CopyOf(a.ID)
		}
	}
	return out
}
