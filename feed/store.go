package feed

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unique"

	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
	"github.com/kdigest/kdigest/internal/dbmigrate"
)

// The corpus's tables hold every article in plain columns an operator can
// query with sqlite3. A removed file keeps its row (removed = 1) so that
// the same id added back later keeps its first-seen time and feed id, and
// a digest never announces it as new again. Times are UTC text of one
// fixed width (timeLayout), so they sort and SQLite's date functions read
// them.

// migrations are the corpus's schema changes, in order; schema_version
// holds, per component, how many of them a database has had. A migration
// runs in one transaction with the version it brings.
var migrations = []migration{
	{migratePlainColumns, true},
	{migrateSettings, false},
	{migrateTexts, true},
	{migrateDocuments, false},
}

// migration is one schema change. One that rewrites tables leaves their
// old pages free, which an upgrade gives back (VACUUM: 23 s at 100,000
// articles); one that only adds a table does not need it.
type migration struct {
	apply    func(ctx context.Context, tx *sql.Tx) error
	rewrites bool
}

// component is this package's key in the schema_version table, which other
// packages sharing the database may use for their own tables.
const component = "feed"

const schemaVersionTable = `CREATE TABLE IF NOT EXISTS schema_version (
	component TEXT PRIMARY KEY,
	version   INTEGER NOT NULL
)`

// articlesTable is the articles table of migration 1 (migrateTexts moved
// its large columns, body to lines, into article_texts since). extractor
// and taxonomy name what produced the row's fields: a row made by another
// version of either is parsed again (” : never parsed). body and
// warnings are JSON arrays of strings, themes too; print is the
// story fingerprint (MinHash signature then sorted shingle hashes, as
// little-endian uint32s) and lines the page's line keys (little-endian
// uint64s) counted in line_df.
const articlesTable = `CREATE TABLE articles (
	id                TEXT PRIMARY KEY,
	file              TEXT NOT NULL,
	hash              TEXT NOT NULL,
	size              INTEGER NOT NULL,
	mtime             INTEGER NOT NULL,
	first_seen        TEXT NOT NULL,
	updated           TEXT NOT NULL,
	removed           INTEGER NOT NULL DEFAULT 0,
	extractor         TEXT NOT NULL DEFAULT '',
	taxonomy          TEXT NOT NULL DEFAULT '',
	title             TEXT NOT NULL DEFAULT '',
	title_synthesized INTEGER NOT NULL DEFAULT 0,
	published         TEXT NOT NULL DEFAULT '',
	precision         TEXT NOT NULL DEFAULT '',
	source            TEXT NOT NULL DEFAULT '',
	agency            TEXT NOT NULL DEFAULT '',
	url               TEXT NOT NULL DEFAULT '',
	dateline          TEXT NOT NULL DEFAULT '',
	summary           TEXT NOT NULL DEFAULT '',
	words             INTEGER NOT NULL DEFAULT 0,
	theme             TEXT NOT NULL DEFAULT '',
	themes            TEXT NOT NULL DEFAULT '[]',
	relevant          INTEGER NOT NULL DEFAULT 0,
	relevance         REAL NOT NULL DEFAULT 0,
	story             TEXT NOT NULL DEFAULT '',
	copy_of           TEXT NOT NULL DEFAULT '',
	print             BLOB,
	lines             BLOB,
	warnings          TEXT NOT NULL DEFAULT '[]',
	body              TEXT NOT NULL DEFAULT '[]'
)`

// migratePlainColumns creates the tables of the plain-column schema. A
// database of an earlier release (one articles table of codec blobs, a
// prints table and one saved grouping) keeps what must survive, each
// row's id, file, hash, times and removed flag; its rows are parsed again
// by the next Rescan.
func migratePlainColumns(ctx context.Context, tx *sql.Tx) error {
	old, err := tableExists(ctx, tx, "articles")
	if err != nil {
		return err
	}
	stmts := []string{}
	if old {
		stmts = append(stmts, `ALTER TABLE articles RENAME TO articles_old`)
	}
	stmts = append(stmts, articlesTable,
		`CREATE INDEX articles_story ON articles (story) WHERE story <> ''`,
		`CREATE TABLE story_edges (
			a TEXT NOT NULL,
			b TEXT NOT NULL,
			PRIMARY KEY (a, b)
		) WITHOUT ROWID`,
		`CREATE TABLE line_df (
			key  INTEGER PRIMARY KEY,
			docs INTEGER NOT NULL
		)`)
	if old {
		stmts = append(stmts, `INSERT INTO articles (id, file, hash, size, mtime, first_seen, updated, removed)
			SELECT id, file, hash, size, mtime,
				strftime('%Y-%m-%dT%H:%M:%S', first_seen / 1000000000, 'unixepoch') || printf('.%09dZ', first_seen % 1000000000),
				strftime('%Y-%m-%dT%H:%M:%S', updated / 1000000000, 'unixepoch') || printf('.%09dZ', updated % 1000000000),
				removed
			FROM articles_old`,
			`DROP TABLE articles_old`,
			`DROP TABLE IF EXISTS prints`,
			`DROP TABLE IF EXISTS stories`)
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// migrateSettings adds the table of the corpus's settings that outlive a
// run, by key: "feed_id" (see FeedID).
func migrateSettings(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `CREATE TABLE feed_settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	)`)
	return err
}

// metaColumns are the columns articles keeps from migration 1 to 3.
const metaColumns = `id, file, hash, size, mtime, first_seen, updated, removed, extractor, taxonomy,
	title, title_synthesized, published, precision, source, agency, url, dateline, summary, words,
	theme, themes, relevant, relevance, story, copy_of`

// migrateTexts moves each article's large columns (body, warnings, the
// fingerprint's shingles, line keys) out of articles into article_texts,
// and keeps in articles the fingerprint's signature (its first 256 bytes)
// and its number of shingles: a start reads every row of articles, and
// rows of a few hundred bytes make that a read of megabytes, where rows
// with their bodies made it a read of the whole database. articles is
// written anew, not altered, so its pages hold the small rows densely.
func migrateTexts(ctx context.Context, tx *sql.Tx) error {
	for _, s := range []string{
		`CREATE TABLE article_texts (
			id       TEXT PRIMARY KEY,
			body     TEXT NOT NULL DEFAULT '[]',
			warnings TEXT NOT NULL DEFAULT '[]',
			shingles BLOB,
			lines    BLOB
		)`,
		`INSERT INTO article_texts (id, body, warnings, shingles, lines)
			SELECT id, body, warnings, CASE WHEN length(print) >= 256 THEN substr(print, 257) END, lines
			FROM articles`,
		`ALTER TABLE articles RENAME TO articles_v2`,
		articlesTableV3,
		`INSERT INTO articles (` + metaColumns + `, signature, shingles)
			SELECT ` + metaColumns + `,
				CASE WHEN length(print) >= 256 THEN substr(print, 1, 256) END,
				CASE WHEN length(print) >= 256 THEN (length(print) - 256) / 4 ELSE 0 END
			FROM articles_v2`,
		`DROP TABLE articles_v2`,
		`CREATE INDEX articles_story ON articles (story) WHERE story <> ''`,
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// articlesTableV3 is the articles table since migration 3: migration 1's
// columns but the large ones, and the fingerprint's signature (64
// little-endian uint32s) and number of shingles, whose hashes are in
// article_texts.
const articlesTableV3 = `CREATE TABLE articles (
	id                TEXT PRIMARY KEY,
	file              TEXT NOT NULL,
	hash              TEXT NOT NULL,
	size              INTEGER NOT NULL,
	mtime             INTEGER NOT NULL,
	first_seen        TEXT NOT NULL,
	updated           TEXT NOT NULL,
	removed           INTEGER NOT NULL DEFAULT 0,
	extractor         TEXT NOT NULL DEFAULT '',
	taxonomy          TEXT NOT NULL DEFAULT '',
	title             TEXT NOT NULL DEFAULT '',
	title_synthesized INTEGER NOT NULL DEFAULT 0,
	published         TEXT NOT NULL DEFAULT '',
	precision         TEXT NOT NULL DEFAULT '',
	source            TEXT NOT NULL DEFAULT '',
	agency            TEXT NOT NULL DEFAULT '',
	url               TEXT NOT NULL DEFAULT '',
	dateline          TEXT NOT NULL DEFAULT '',
	summary           TEXT NOT NULL DEFAULT '',
	words             INTEGER NOT NULL DEFAULT 0,
	theme             TEXT NOT NULL DEFAULT '',
	themes            TEXT NOT NULL DEFAULT '[]',
	relevant          INTEGER NOT NULL DEFAULT 0,
	relevance         REAL NOT NULL DEFAULT 0,
	story             TEXT NOT NULL DEFAULT '',
	copy_of           TEXT NOT NULL DEFAULT '',
	signature         BLOB,
	shingles          INTEGER NOT NULL DEFAULT 0
)`

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tableExists reports whether the database has the table name.
func tableExists(ctx context.Context, q queryer, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0, err
}

// ErrNewerSchema reports a database written by a newer release.
var ErrNewerSchema = errors.New("database written by a newer release")

// migrate brings the corpus's tables to the last version, one migration
// per transaction. Upgrading a database that holds articles is logged:
// on a large corpus it takes a while (migration 3 and the VACUUM after it:
// 23 s for 100,000 articles).
func migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	if _, err := db.ExecContext(ctx, schemaVersionTable); err != nil {
		return fmt.Errorf("migrate corpus: %w", err)
	}
	var version int
	err := db.QueryRowContext(ctx, `SELECT version FROM schema_version WHERE component = ?`, component).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("migrate corpus: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("migrate corpus: schema version %d, this release knows %d: %w", version, len(migrations), ErrNewerSchema)
	}
	if version > 0 && version < len(migrations) {
		log.Info("upgrading the database's corpus tables", "from", version, "to", len(migrations))
	}
	vacuum := false
	for v := version; v < len(migrations); v++ {
		vacuum = vacuum || (version > 0 && migrations[v].rewrites)
		err := inTx(ctx, db, "migrate corpus", func(tx *sql.Tx) error {
			// Another process (serve, and a digest started with it) may
			// be migrating too: see dbmigrate.Applied.
			if done, err := dbmigrate.Applied(ctx, tx, component, v+1); err != nil || done {
				return err
			}
			if err := migrations[v].apply(ctx, tx); err != nil {
				return fmt.Errorf("migrate corpus to version %d: %w", v+1, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (component, version) VALUES (?, ?)
				ON CONFLICT (component) DO UPDATE SET version = excluded.version`, component, v+1)
			return err
		})
		if err != nil {
			return err
		}
	}
	if vacuum {
		// An upgrade that rewrote tables leaves their old pages free, and
		// the file as large as both: give them back.
		if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
			return fmt.Errorf("migrate corpus: vacuum: %w", err)
		}
	}
	return nil
}

// timeLayout is how the tables write times: UTC, nanoseconds, fixed width.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// record is what the corpus keeps in memory of one row: the file's
// identity and, when it was parsed, its entry without the body.
type record struct {
	id        string
	file      string
	hash      string
	size      int64
	mtime     int64 // unix nanoseconds of the file's modification time, mixed with its sidecar's (job.mod)
	firstSeen time.Time
	updated   time.Time
	removed   bool
	extractor string // the parser version of the fields; "" when not parsed
	taxonomy  string // the taxonomy hash of the classification
	entry     *Entry // the entry without its body, as the last snapshot shows it (its story set by build); nil when not parsed
	// unread reports a parsed row whose saved fields could not be read:
	// it has no entry until it is parsed again, and its line keys are
	// still counted in line_df.
	unread bool
}

// parsed is what a parse of one file adds to its record, written with it.
type parsed struct {
	body, warnings []string
	summary        string // the entry keeps none (see Snapshot.Summaries)
	print          *theme.Print
	lines          []uint64
}

// recordColumns are what a record keeps of a row: not the summary, which
// an entry does not keep (Snapshot.Summaries reads it).
const recordColumns = `id, file, hash, size, mtime, first_seen, updated, removed, extractor, taxonomy,
	title, title_synthesized, published, precision, source, agency, url, dateline, words,
	theme, themes, relevant, relevance`

// loadRecords reads every row without its body, print and lines, and
// gives each record to share before it makes its entry.
func (c *Corpus) loadRecords(ctx context.Context, share func(*record)) ([]*record, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT `+recordColumns+`, story, copy_of FROM articles`)
	if err != nil {
		return nil, fmt.Errorf("load articles: %w", err)
	}
	defer rows.Close()
	var recs []*record
	for rows.Next() {
		r, err := c.scanRecord(rows, share)
		if err != nil {
			return nil, fmt.Errorf("load articles: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load articles: %w", err)
	}
	return recs, nil
}

// scanRecord reads one row of recordColumns, story and copy_of, and gives
// the record to share before it makes its entry. A row
// that was never parsed has no entry; one whose fields cannot be read is
// treated so, and parsed again by the next Rescan. The entry has the
// saved story, which the snapshot keeps when the index gives the same.
func (c *Corpus) scanRecord(rows *sql.Rows, share func(*record)) (*record, error) {
	r := &record{}
	a := &article.Article{}
	var cl theme.Result
	var first, updated, published, themes, precision, story, copyOf string
	if err := rows.Scan(&r.id, &r.file, &r.hash, &r.size, &r.mtime, &first, &updated, &r.removed, &r.extractor, &r.taxonomy,
		&a.Title, &a.TitleSynthesized, &published, &precision, &a.Source, &a.Agency, &a.URL, &a.Dateline, &a.Words,
		&cl.Theme, &themes, &cl.Relevant, &cl.Relevance, &story, &copyOf); err != nil {
		return nil, err
	}
	share(r)
	var err error
	if r.firstSeen, err = parseTime(first); err != nil {
		return nil, fmt.Errorf("article %s: first_seen: %w", r.id, err)
	}
	if r.updated, err = parseTime(updated); err != nil {
		return nil, fmt.Errorf("article %s: updated: %w", r.id, err)
	}
	if r.extractor == "" {
		return r, nil
	}
	a.ID, a.PublishedPrecision = r.id, article.Precision(precision)
	a.Published, err = parseTime(published)
	if err == nil {
		err = json.Unmarshal([]byte(themes), &cl.Themes)
	}
	if err != nil {
		c.opts.Log.Warn("saved article unreadable; parsed again", "id", r.id, "err", err)
		r.extractor, r.unread = "", true
		return r, nil
	}
	// Every row of this release has the same versions: a few copies (see share), not one per row.
	r.extractor, r.taxonomy = unique.Make(r.extractor).Value(), unique.Make(r.taxonomy).Value()
	r.entry = c.newEntry(r, a, cl)
	r.entry.Story, r.entry.CopyOf = story, copyOf
	return r, nil
}

// readSummaries returns the saved summaries of the articles ids, by id:
// one query of up to 500 ids by primary key.
func readSummaries(ctx context.Context, db *sql.DB, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT id, summary FROM articles WHERE id IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("read summaries: %w", err)
		}
		for rows.Next() {
			var id, summary string
			if err := rows.Scan(&id, &summary); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read summaries: %w", err)
			}
			out[id] = summary
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read summaries: %w", err)
		}
	}
	return out, nil
}

// bodyQuery reads one article's body by its primary key.
const bodyQuery = `SELECT body FROM article_texts WHERE id = ?`

// readBody returns the saved body of the article id: one indexed query.
func readBody(ctx context.Context, db *sql.DB, id string) ([]string, error) {
	var body string
	if err := db.QueryRowContext(ctx, bodyQuery, id).Scan(&body); err != nil {
		return nil, fmt.Errorf("read article %s: %w", id, err)
	}
	var out []string
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		return nil, fmt.Errorf("read article %s: body: %w", id, err)
	}
	return out, nil
}

// saveRows writes recs in tx. A record with its parse (p[r.id]) writes its
// fields; one without keeps the fields saved, unless its content changed,
// which clears them (it is parsed again). Removing keeps the fields: the
// same file added back is the last good version.
func saveRows(ctx context.Context, tx *sql.Tx, recs []*record, p map[string]*parsed) error {
	meta, err := tx.PrepareContext(ctx, `INSERT INTO articles (id, file, hash, size, mtime, first_seen, updated, removed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET file = excluded.file, hash = excluded.hash, size = excluded.size,
			mtime = excluded.mtime, first_seen = excluded.first_seen, updated = excluded.updated,
			removed = excluded.removed,
			extractor = CASE WHEN articles.hash = excluded.hash THEN articles.extractor ELSE '' END`)
	if err != nil {
		return fmt.Errorf("save articles: %w", err)
	}
	defer meta.Close()
	fields, err := tx.PrepareContext(ctx, `UPDATE articles SET extractor = ?, taxonomy = ?,
		title = ?, title_synthesized = ?, published = ?, precision = ?, source = ?, agency = ?, url = ?,
		dateline = ?, summary = ?, words = ?,
		theme = ?, themes = ?, relevant = ?, relevance = ?, signature = ?, shingles = ?
		WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("save articles: %w", err)
	}
	defer fields.Close()
	texts, err := tx.PrepareContext(ctx, `INSERT INTO article_texts (id, body, warnings, shingles, lines)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body, warnings = excluded.warnings,
			shingles = excluded.shingles, lines = excluded.lines`)
	if err != nil {
		return fmt.Errorf("save articles: %w", err)
	}
	defer texts.Close()
	for _, r := range recs {
		if _, err := meta.ExecContext(ctx, r.id, r.file, r.hash, r.size, r.mtime,
			formatTime(r.firstSeen), formatTime(r.updated), r.removed); err != nil {
			return fmt.Errorf("save article %s: %w", r.id, err)
		}
		pr := p[r.id]
		if pr == nil || r.entry == nil {
			continue
		}
		a, cl := r.entry.Article, r.entry.Class
		body, _ := json.Marshal(nonNil(pr.body)) // []string always marshals
		warnings, _ := json.Marshal(nonNil(pr.warnings))
		themes, _ := json.Marshal(nonNil(cl.Themes))
		sig, shingles := encodePrint(pr.print)
		if _, err := fields.ExecContext(ctx, r.extractor, r.taxonomy,
			a.Title, a.TitleSynthesized, formatTime(a.Published), string(a.PublishedPrecision), a.Source, a.Agency, a.URL,
			a.Dateline, pr.summary, a.Words,
			cl.Theme, string(themes), cl.Relevant, cl.Relevance, sig, len(shingles)/4, r.id); err != nil {
			return fmt.Errorf("save article %s: %w", r.id, err)
		}
		if _, err := texts.ExecContext(ctx, r.id, string(body), string(warnings), shingles, encodeKeys(pr.lines)); err != nil {
			return fmt.Errorf("save article %s: %w", r.id, err)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// encodePrint stores a fingerprint as its signature and its shingles,
// each as little-endian uint32s. A nil print is two NULLs.
func encodePrint(p *theme.Print) (sig, shingles []byte) {
	if p == nil {
		return nil, nil
	}
	sig = make([]byte, 0, 4*len(p.Sig))
	for _, v := range p.Sig {
		sig = binary.LittleEndian.AppendUint32(sig, v)
	}
	shingles = make([]byte, 0, 4*len(p.Shingles))
	for _, v := range p.Shingles {
		shingles = binary.LittleEndian.AppendUint32(shingles, v)
	}
	return sig, shingles
}

// decodeSignature reverses encodePrint's signature, into a print without
// shingles; ok is false for a missing or malformed blob, whose row is then
// parsed again.
func decodeSignature(b []byte) (*theme.Print, bool) {
	p := &theme.Print{}
	if len(b) != 4*len(p.Sig) {
		return nil, false
	}
	for i := range p.Sig {
		p.Sig[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return p, true
}

// decodeShingles reverses encodePrint's shingles; ok is false for a
// malformed blob.
func decodeShingles(b []byte) ([]uint32, bool) {
	if len(b)%4 != 0 {
		return nil, false
	}
	var sh []uint32
	if n := len(b) / 4; n > 0 {
		sh = make([]uint32, n)
		for i := range sh {
			sh[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
	}
	return sh, true
}

// encodeKeys stores line keys as little-endian uint64s.
func encodeKeys(keys []uint64) []byte {
	b := make([]byte, 0, 8*len(keys))
	for _, k := range keys {
		b = binary.LittleEndian.AppendUint64(b, k)
	}
	return b
}

func decodeKeys(b []byte) []uint64 {
	keys := make([]uint64, len(b)/8)
	for i := range keys {
		keys[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return keys
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
