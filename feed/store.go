package feed

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

// schema creates the corpus's one table. A removed file keeps its row
// (removed = 1) so that the same id added back later keeps its first-seen
// time and feed id, and a digest never announces it as new again.
const schema = `
CREATE TABLE IF NOT EXISTS articles (
	id         TEXT PRIMARY KEY,
	file       TEXT NOT NULL,
	hash       TEXT NOT NULL,
	size       INTEGER NOT NULL,
	mtime      INTEGER NOT NULL,
	first_seen INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	removed    INTEGER NOT NULL DEFAULT 0,
	parser     TEXT NOT NULL,
	article    BLOB NOT NULL,
	class      BLOB
)`

// printsSchema keeps each article's fingerprint apart from the article, so
// a start that reuses the saved stories does not read them.
const printsSchema = `
CREATE TABLE IF NOT EXISTS prints (
	id    TEXT PRIMARY KEY,
	print BLOB NOT NULL
)`

// Upgrades of an articles table made by earlier releases: one without the
// class column, and one that held the fingerprints in a column.
const (
	addClass   = `ALTER TABLE articles ADD COLUMN class BLOB`
	movePrints = `INSERT OR IGNORE INTO prints (id, print) SELECT id, print FROM articles WHERE print IS NOT NULL`
	dropPrint  = `ALTER TABLE articles DROP COLUMN print`
)

// record is one row of the articles table, with its decoded article.
type record struct {
	id        string
	file      string
	hash      string
	size      int64
	mtime     int64 // unix nanoseconds of the file's modification time
	firstSeen time.Time
	updated   time.Time
	removed   bool
	parser    string
	art       *article.Article
	entry     *Entry       // the entry without its story, built once per parse
	print     *theme.Print // the article's same-story fingerprint; nil until loaded
	class     *cachedClass
	classNew  bool // class was computed, not read from the table
}

// cachedClass is a classification with the hash of the taxonomy that made
// it; a start with the same taxonomy reuses it instead of classifying again.
type cachedClass struct {
	Taxonomy string
	Result   theme.Result
}

func migrate(ctx context.Context, db *sql.DB) error {
	for _, ddl := range []string{schema, printsSchema, storiesSchema} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("migrate articles: %w", err)
		}
	}
	if !hasColumn(ctx, db, "class") {
		if _, err := db.ExecContext(ctx, addClass); err != nil {
			return fmt.Errorf("migrate articles: %w", err)
		}
	}
	if !hasColumn(ctx, db, "print") {
		return nil
	}
	return inTx(ctx, db, "migrate articles", func(tx *sql.Tx) error {
		for _, up := range []string{movePrints, dropPrint} {
			if _, err := tx.ExecContext(ctx, up); err != nil {
				return fmt.Errorf("migrate articles: %w", err)
			}
		}
		return nil
	})
}

// hasColumn reports whether the articles table has the column.
func hasColumn(ctx context.Context, db *sql.DB, column string) bool {
	_, err := db.ExecContext(ctx, `SELECT `+column+` FROM articles LIMIT 0`)
	return err == nil
}

// loadRecords reads every row and decodes its article and classification.
// A row whose article cannot be decoded is kept without it, so the next
// Rescan parses its file again; one without a usable classification is
// classified again by newEntry. Reading the rows is one thread (the one
// connection); the articles are decompressed and decoded on every CPU as
// their rows arrive, not after the last one.
func loadRecords(ctx context.Context, db *sql.DB, cd *codec, log *slog.Logger) ([]*record, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, file, hash, size, mtime, first_seen, updated, removed, parser, article, class FROM articles`)
	if err != nil {
		return nil, fmt.Errorf("load articles: %w", err)
	}
	defer rows.Close()
	type saved struct {
		r    *record
		blob []byte
	}
	work := make(chan saved, 256)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				decodeArticle(ctx, cd, log, s.r, s.blob)
			}
		}()
	}
	// On every return: no more rows, then every decode done.
	defer wg.Wait()
	defer close(work)

	var recs []*record
	for rows.Next() {
		r := &record{}
		var first, updated int64
		// The article is copied before the next row replaces it, and
		// decoded by a worker; the classification is small and decoded here.
		var art, class sql.RawBytes
		if err := rows.Scan(&r.id, &r.file, &r.hash, &r.size, &r.mtime, &first, &updated, &r.removed, &r.parser, &art, &class); err != nil {
			return nil, fmt.Errorf("load articles: %w", err)
		}
		r.firstSeen = time.Unix(0, first).UTC()
		r.updated = time.Unix(0, updated).UTC()
		if cc, err := decodeClass(class); err == nil {
			r.class = cc
		}
		recs = append(recs, r)
		if len(art) == 0 {
			r.parser = "" // saved before its parse was (see saveCaches)
			continue
		}
		work <- saved{r, bytes.Clone(art)}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load articles: %w", err)
	}
	return recs, nil
}

// decodeArticle decodes r's saved article into r.art. One that cannot be
// decoded leaves r without a parse, which the next Rescan makes again.
func decodeArticle(ctx context.Context, cd *codec, log *slog.Logger, r *record, blob []byte) {
	if r.parser == "" {
		return
	}
	a, err := cd.decode(blob)
	if err != nil {
		level := slog.LevelWarn
		if errors.Is(err, errLayout) {
			level = slog.LevelDebug // written by another release: parsed again, as expected
		}
		log.Log(ctx, level, "cached article unreadable", "id", r.id, "err", err)
		r.parser = ""
		return
	}
	a.ID = r.id
	r.art = a
}

// encodePrint stores a fingerprint as little-endian uint32s: the
// signature, then the shingles.
func encodePrint(p *theme.Print) []byte {
	b := make([]byte, 0, 4*(len(p.Sig)+len(p.Shingles)))
	for _, v := range p.Sig {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	for _, v := range p.Shingles {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// decodePrint reverses encodePrint; ok is false for a missing or
// malformed blob, which the caller then recomputes.
func decodePrint(b []byte) (*theme.Print, bool) {
	p := &theme.Print{}
	head := 4 * len(p.Sig)
	if len(b) < head || len(b)%4 != 0 {
		return nil, false
	}
	for i := range p.Sig {
		p.Sig[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	if n := (len(b) - head) / 4; n > 0 {
		p.Shingles = make([]uint32, n)
		for i := range p.Shingles {
			p.Shingles[i] = binary.LittleEndian.Uint32(b[head+4*i:])
		}
	}
	return p, true
}

// row is a record to write. The record's fingerprint is taken when the row
// is made, so the row can be encoded and written while another goroutine
// loads the fingerprints of records that have none.
type row struct {
	r                     *record
	p                     *theme.Print // nil for a record that did not load its fingerprint
	article, print, class []byte       // the encoded blobs
}

func newRows(recs []*record) []row {
	rows := make([]row, len(recs))
	for i, r := range recs {
		rows[i] = row{r: r, p: r.print}
	}
	return rows
}

// encodeRows encodes the blobs of rows on every CPU. A record without its
// article (one whose saved parse could not be read, then removed) gets no
// article blob.
func encodeRows(cd *codec, rows []row) error {
	errs := make([]error, len(rows))
	parallel(len(rows), func(i int) {
		w := &rows[i]
		if w.r.art == nil {
			return
		}
		var err error
		if w.article, err = cd.encode(w.r.art); err != nil {
			errs[i] = fmt.Errorf("save article %s: %w", w.r.id, err)
		}
		if w.r.class != nil {
			w.class = encodeClass(w.r.class)
		}
		if w.p != nil {
			w.print = encodePrint(w.p)
		}
	})
	return errors.Join(errs...)
}

// writeMeta writes what of rows must survive a restart, in one
// transaction: each record's id, file, hash, times and whether it was
// removed. A row whose content changed is marked as not parsed until
// writeCaches writes its parse; one with the same content keeps its saved
// parse, the last good version of its file. Fingerprints that rows
// replace are dropped. It reads nothing of the records that another
// goroutine may change.
func writeMeta(ctx context.Context, db *sql.DB, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	return inTx(ctx, db, "save articles", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO articles (id, file, hash, size, mtime, first_seen, updated, removed, parser, article, class)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', x'', NULL)
		ON CONFLICT (id) DO UPDATE SET file = excluded.file, hash = excluded.hash, size = excluded.size,
			mtime = excluded.mtime, first_seen = min(articles.first_seen, excluded.first_seen), updated = excluded.updated,
			removed = excluded.removed,
			parser = CASE WHEN articles.hash = excluded.hash THEN articles.parser ELSE '' END,
			article = CASE WHEN articles.hash = excluded.hash THEN articles.article ELSE x'' END,
			class = CASE WHEN articles.hash = excluded.hash THEN articles.class ELSE NULL END`)
		if err != nil {
			return fmt.Errorf("save articles: %w", err)
		}
		defer stmt.Close()
		dropPrint, err := tx.PrepareContext(ctx, `DELETE FROM prints WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("save articles: %w", err)
		}
		defer dropPrint.Close()
		for _, w := range rows {
			r := w.r
			if _, err := stmt.ExecContext(ctx, r.id, r.file, r.hash, r.size, r.mtime,
				r.firstSeen.UnixNano(), r.updated.UnixNano(), r.removed); err != nil {
				return fmt.Errorf("save article %s: %w", r.id, err)
			}
			// A record that did not load its fingerprint keeps the saved one:
			// its text is the one the fingerprint was made of.
			if w.p != nil {
				if _, err := dropPrint.ExecContext(ctx, r.id); err != nil {
					return fmt.Errorf("save fingerprint %s: %w", r.id, err)
				}
			}
		}
		return nil
	})
}

// writeCaches writes the encoded parse, classification and fingerprint of
// rows that writeMeta wrote, in one transaction. A row whose file changed
// again since (another hash) is left for its own write.
func writeCaches(ctx context.Context, db *sql.DB, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	return inTx(ctx, db, "save parsed articles", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE articles SET parser = ?, article = ?, class = ? WHERE id = ? AND hash = ?`)
		if err != nil {
			return fmt.Errorf("save parsed articles: %w", err)
		}
		defer stmt.Close()
		printStmt, err := tx.PrepareContext(ctx, `INSERT INTO prints (id, print) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET print = excluded.print`)
		if err != nil {
			return fmt.Errorf("save parsed articles: %w", err)
		}
		defer printStmt.Close()
		for _, w := range rows {
			r := w.r
			if w.article == nil {
				continue // nothing parsed to keep: the row stays marked as not parsed
			}
			if _, err := stmt.ExecContext(ctx, r.parser, w.article, w.class, r.id, r.hash); err != nil {
				return fmt.Errorf("save parsed article %s: %w", r.id, err)
			}
			if w.print != nil {
				if _, err := printStmt.ExecContext(ctx, r.id, w.print); err != nil {
					return fmt.Errorf("save fingerprint %s: %w", r.id, err)
				}
			}
		}
		return nil
	})
}

// saveClasses writes the classifications of recs, in one transaction: all
// that changes when the taxonomy does.
func saveClasses(ctx context.Context, db *sql.DB, recs []*record) error {
	if len(recs) == 0 {
		return nil
	}
	return inTx(ctx, db, "save classifications", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE articles SET class = ? WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("save classifications: %w", err)
		}
		defer stmt.Close()
		for _, r := range recs {
			if _, err := stmt.ExecContext(ctx, encodeClass(r.class), r.id); err != nil {
				return fmt.Errorf("save classification %s: %w", r.id, err)
			}
		}
		return nil
	})
}

// inTx runs f in one transaction, committed when f succeeds; what names
// the work in errors.
func inTx(ctx context.Context, db *sql.DB, what string, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
