package feed

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/kdigest/kdigest/feed/theme"
)

// The story index (theme.StoryIndex) is kept up to date one changed article
// at a time: a change costs what its articles' LSH candidates and the
// stories they touch cost, not the corpus. Its accepted edges are saved in
// story_edges, so a restart rebuilds it without comparing any pair, and
// each row's story and copy_of columns follow it for an operator's queries.

// storyDoc is what the story index knows of an entry.
func storyDoc(e *Entry, p *theme.Print) theme.StoryDoc {
	return theme.StoryDoc{ID: e.ID, Date: e.Date, Hash: e.Hash, FirstSeen: e.FirstSeen, Print: p}
}

// readStories reads what the story index is loaded from: the docs of the
// parsed articles with their signatures (see storyDocs), the ids of those
// whose fingerprints cannot be read, the saved edges, and each article's
// saved story and copy_of.
func (c *Corpus) readStories(ctx context.Context) (docs []theme.StoryDoc, bad []string, edges []theme.StoryEdge, saved map[string][2]string, err error) {
	saved = map[string][2]string{}
	if docs, bad, err = c.storyDocs(ctx, false, saved); err != nil {
		return nil, nil, nil, nil, err
	}
	if edges, err = loadEdges(ctx, c.db); err != nil {
		return nil, nil, nil, nil, err
	}
	return docs, bad, edges, saved, nil
}

// reloadStories rebuilds the story index from the database, as Open does.
func (c *Corpus) reloadStories(ctx context.Context) error {
	docs, bad, edges, saved, err := c.readStories(ctx)
	if err != nil {
		return err
	}
	docs = c.present(docs, bad)
	x, err := theme.LoadStoryIndex(docs, edges)
	return c.loadStories(ctx, docs, edges, saved, x, err)
}

// loadStories keeps x, the story index load built from the saved
// fingerprints and edges of the present, parsed articles (docs), when the
// edges fit them. Saved edges that do not fit them (a database written
// before edges were, or by another algorithm) make it group from scratch
// and save the result.
func (c *Corpus) loadStories(ctx context.Context, docs []theme.StoryDoc, edges []theme.StoryEdge, saved map[string][2]string, x *theme.StoryIndex, err error) error {
	// The saved story of each row checks the edges: a row the last
	// change wrote has the story they give.
	if err == nil {
		for _, d := range docs {
			if saved[d.ID] != [2]string{x.Story(d.ID), x.CopyOf(d.ID)} {
				err = fmt.Errorf("article %s: saved story %q, edges give %q", d.ID, saved[d.ID][0], x.Story(d.ID))
				break
			}
		}
	}
	if err == nil {
		c.setStories(x)
		return nil
	}
	if len(edges) > 0 {
		c.opts.Log.Warn("saved stories do not fit the articles; grouping them again", "err", err)
	}
	docs, bad, err := c.storyDocs(ctx, true, saved)
	if err != nil {
		return err
	}
	docs = c.present(docs, bad)
	c.setStories(theme.BuildStoryIndex(docs))
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	var gen int64
	err = inTx(ctx, c.db, "save stories", func(tx *sql.Tx) error {
		// A write of the corpus's tables: it moves their generation, and
		// this corpus has read them just now.
		var err error
		if gen, err = bumpGeneration(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM story_edges`); err != nil {
			return fmt.Errorf("save stories: %w", err)
		}
		return saveStories(ctx, tx, c.stories, storyDelta{added: c.stories.Edges(), ids: ids})
	})
	if err == nil && gen == c.gen+1 {
		// (Another process's write since this corpus read the tables
		// leaves c.gen behind: the next change finds it stale.)
		c.gen = gen
	}
	return err
}

// present returns the docs of the records with an entry, in docs' memory.
// The records of bad, whose fingerprints could not be read, lose theirs:
// the next Rescan parses them again.
func (c *Corpus) present(docs []theme.StoryDoc, bad []string) []theme.StoryDoc {
	for _, id := range bad {
		if r := c.recs[id]; r != nil {
			r.entry, r.extractor, r.unread = nil, "", true
		}
	}
	return slices.DeleteFunc(docs, func(d theme.StoryDoc) bool {
		r := c.recs[d.ID]
		return r == nil || r.entry == nil
	})
}

// storyDocs reads the story docs of the parsed articles, with their whole
// fingerprints or (full false) their signatures and sizes only, and the
// saved story and copy_of of each into saved. It reads no record, so that
// load can build the index while it reads them: it returns apart the ids
// of the rows whose fingerprints cannot be read.
func (c *Corpus) storyDocs(ctx context.Context, full bool, saved map[string][2]string) (docs []theme.StoryDoc, bad []string, err error) {
	q := `SELECT id, hash, published, first_seen, signature, shingles, NULL, story, copy_of FROM articles WHERE removed = 0 AND extractor <> ''`
	if full {
		q = `SELECT a.id, a.hash, a.published, a.first_seen, a.signature, a.shingles, t.shingles, a.story, a.copy_of
			FROM articles a LEFT JOIN article_texts t ON t.id = a.id
			WHERE a.removed = 0 AND a.extractor <> ''`
	}
	rows, err := c.db.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("load stories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, hash, published, firstSeen, story, copyOf string
		var size int
		var sig, shingles sql.RawBytes // decoded (copied) before the next row
		if err := rows.Scan(&id, &hash, &published, &firstSeen, &sig, &size, &shingles, &story, &copyOf); err != nil {
			return nil, nil, fmt.Errorf("load stories: %w", err)
		}
		pub, err1 := parseTime(published)
		first, err2 := parseTime(firstSeen)
		if err1 != nil || err2 != nil {
			continue // its record is unreadable too: parsed again
		}
		p, ok := decodeSignature(sig)
		if ok && full {
			p.Shingles, ok = decodeShingles(shingles)
			ok = ok && len(p.Shingles) == size // else its text row is not its row's
			size = 0
		}
		if !ok {
			bad = append(bad, id)
			continue
		}
		docs = append(docs, theme.StoryDoc{ID: id, Date: entryDate(pub, first), Hash: hash, FirstSeen: first, Print: p, Size: size})
		saved[id] = [2]string{story, copyOf}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("load stories: %w", err)
	}
	return docs, bad, nil
}

func loadEdges(ctx context.Context, db *sql.DB) ([]theme.StoryEdge, error) {
	rows, err := db.QueryContext(ctx, `SELECT a, b FROM story_edges`)
	if err != nil {
		return nil, fmt.Errorf("load stories: %w", err)
	}
	defer rows.Close()
	var out []theme.StoryEdge
	for rows.Next() {
		var e theme.StoryEdge
		if err := rows.Scan(&e.A, &e.B); err != nil {
			return nil, fmt.Errorf("load stories: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load stories: %w", err)
	}
	return out, nil
}

// storyDelta is what a change did to the story index, for the database:
// the edges, in the order they came and went, and the ids whose story or
// copy changed.
type storyDelta struct {
	added, removed []theme.StoryEdge
	steps          []theme.StoryChange
	ids            []string
}

// setStories makes x the story index. It keeps signatures, not shingles
// (most of a fingerprint), in memory: the few an added article must be
// compared with exactly are read from the database, or from the change
// being made for articles it has not saved yet.
func (c *Corpus) setStories(x *theme.StoryIndex) {
	c.stories = x
	x.Unload(func(id string) ([]uint32, error) {
		if p := c.pending[id]; p != nil {
			return p.print.Shingles, nil
		}
		if sh, ok := c.loaded[id]; ok {
			return sh, nil
		}
		var blob []byte
		if err := c.shingles.QueryRow(id).Scan(&blob); err != nil {
			return nil, err
		}
		sh, ok := decodeShingles(blob)
		if !ok {
			return nil, fmt.Errorf("article %s: unreadable fingerprint", id)
		}
		if c.loaded != nil {
			c.loaded[id] = sh
		}
		return sh, nil
	})
}

// updateStories puts the changed records in the story index, or takes
// them out, and returns what changed. A record whose content is the same
// (only its file's times changed) is left as it is. A first scan groups
// its articles from scratch, which compares each pair once.
func (c *Corpus) updateStories(save []*record, p map[string]*parsed) (storyDelta, error) {
	var d storyDelta
	if c.stories.Len() == 0 && len(p) > 1 {
		var docs []theme.StoryDoc
		for _, r := range save {
			if !r.removed && r.entry != nil && p[r.id] != nil {
				docs = append(docs, storyDoc(r.entry, p[r.id].print))
				d.ids = append(d.ids, r.id)
			}
		}
		c.setStories(theme.BuildStoryIndex(docs))
		d.added = c.stories.Edges()
		slices.Sort(d.ids)
		return d, nil
	}
	c.pending, c.loaded = p, map[string][]uint32{}
	defer func() { c.pending, c.loaded = nil, nil }()
	for _, r := range save {
		var ch theme.StoryChange
		switch {
		case r.removed || r.entry == nil:
			ch = c.stories.Remove(r.id)
		case p[r.id] != nil:
			ch = c.stories.Put(storyDoc(r.entry, p[r.id].print))
		default:
			continue
		}
		d.steps = append(d.steps, ch)
		d.ids = append(d.ids, ch.Stories...)
	}
	slices.Sort(d.ids)
	d.ids = slices.Compact(d.ids)
	return d, c.stories.Err()
}

// saveStories writes d in tx: the edges step by step, then the story and
// copy_of of each id d names, as the index x has them.
func saveStories(ctx context.Context, tx *sql.Tx, x *theme.StoryIndex, d storyDelta) error {
	add, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO story_edges (a, b) VALUES (?, ?)`)
	if err != nil {
		return fmt.Errorf("save stories: %w", err)
	}
	defer add.Close()
	drop, err := tx.PrepareContext(ctx, `DELETE FROM story_edges WHERE a = ? AND b = ?`)
	if err != nil {
		return fmt.Errorf("save stories: %w", err)
	}
	defer drop.Close()
	apply := func(st *sql.Stmt, es []theme.StoryEdge) error {
		for _, e := range es {
			if _, err := st.ExecContext(ctx, e.A, e.B); err != nil {
				return fmt.Errorf("save story edge %s-%s: %w", e.A, e.B, err)
			}
		}
		return nil
	}
	steps := append(d.steps, theme.StoryChange{Added: d.added, Removed: d.removed})
	for _, ch := range steps {
		if err := apply(drop, ch.Removed); err != nil {
			return err
		}
		if err := apply(add, ch.Added); err != nil {
			return err
		}
	}
	set, err := tx.PrepareContext(ctx, `UPDATE articles SET story = ?, copy_of = ? WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("save stories: %w", err)
	}
	defer set.Close()
	for _, id := range d.ids {
		if _, err := set.ExecContext(ctx, x.Story(id), x.CopyOf(id), id); err != nil {
			return fmt.Errorf("save story of %s: %w", id, err)
		}
	}
	return nil
}
