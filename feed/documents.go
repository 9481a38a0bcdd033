package feed

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A restart serves the feeds the last run published while it loads the
// corpus (a few seconds at 100,000 articles): each published snapshot
// saves the documents it rendered anew in feed_documents, under a key
// naming what they depend on besides the articles (documentsKey), and
// SavedDocuments reads them back when that key is the same; the corpus,
// once loaded, renders and serves its own. The copy is written after the
// change's own transaction, so the key also holds the tables' generation
// the documents were rendered at (see bumpGeneration): a change saved
// after them (by another process, or by this one before it stopped
// without saving them) moves it, and the copy is then not served.

// migrateDocuments adds the table of the documents last published.
func migrateDocuments(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `CREATE TABLE feed_documents (
		path         TEXT PRIMARY KEY,
		key          TEXT NOT NULL,
		content_type TEXT NOT NULL,
		etag         TEXT NOT NULL,
		modified     TEXT NOT NULL,
		body         BLOB NOT NULL
	)`)
	return err
}

// documentsKey names what a snapshot's documents are rendered from
// besides its articles: the options that reach them, the feed id in use
// (the stored one, when Options.FeedID is unset), the taxonomy, the
// pipeline's version and the release (Options.Release). Documents saved
// under another key are not served.
func documentsKey(o Options, tag FeedID) string {
	h := sha256.Sum256([]byte(strings.Join([]string{
		o.Title, o.BaseURL, strconv.Itoa(o.Size), tag.String(), strconv.FormatBool(o.IncludeIrrelevant),
		o.Hub, o.Taxonomy.Hash(), o.ParserVersion, o.Release,
	}, "\x00")))
	return hex.EncodeToString(h[:])
}

// savedKey is the key documents are saved under: what they are rendered
// from besides the articles, and the generation of the articles' tables.
func savedKey(key string, gen int64) string {
	return key + "@" + strconv.FormatInt(gen, 10)
}

// SavedDocuments returns the documents the last run published with the
// same options and release, by path (see Snapshot.Document), or none. It
// migrates nothing: a database without the table has none.
func SavedDocuments(ctx context.Context, db *sql.DB, opts Options) (map[string]*Document, error) {
	opts, _, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	switch ok, err := tableExists(ctx, db, "feed_documents"); {
	case err != nil:
		return nil, fmt.Errorf("saved documents: %w", err)
	case !ok:
		return nil, nil
	}
	tag, err := feedIDInUse(ctx, db, opts.FeedID)
	if err != nil {
		return nil, fmt.Errorf("saved documents: %w", err)
	}
	gen, err := readGeneration(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("saved documents: %w", err)
	}
	docs, err := readDocuments(ctx, db, savedKey(documentsKey(opts, tag), gen), true)
	if err != nil {
		return nil, fmt.Errorf("saved documents: %w", err)
	}
	return docs, nil
}

// readSavedStamps returns the ETag, type and Last-Modified of the saved
// documents (no body) when they are the current ones (same key and
// generation), by path, or none: they only keep a Last-Modified, so a
// failure to read them is no error.
func (c *Corpus) readSavedStamps(ctx context.Context) map[string]*Document {
	stamps, err := readDocuments(ctx, c.db, savedKey(c.docKey, c.gen), false)
	if err != nil {
		return nil
	}
	return stamps
}

// readDocuments reads the saved documents of key by path, with their
// bodies or (bodies false) their ETag, type and Last-Modified only.
func readDocuments(ctx context.Context, db *sql.DB, key string, bodies bool) (map[string]*Document, error) {
	body := "NULL"
	if bodies {
		body = "body"
	}
	rows, err := db.QueryContext(ctx, `SELECT path, content_type, etag, modified, `+body+` FROM feed_documents WHERE key = ?`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	docs := map[string]*Document{}
	for rows.Next() {
		var path, modified string
		d := &Document{}
		if err := rows.Scan(&path, &d.ContentType, &d.ETag, &modified, &d.Body); err != nil {
			return nil, err
		}
		if d.Modified, err = time.Parse(timeLayout, modified); err != nil {
			return nil, fmt.Errorf("document %s: modified %q: %w", path, modified, err)
		}
		docs[path] = d
	}
	return docs, rows.Err()
}

// feedIDInUse is the feed id Open will use: override when set, else the
// stored one (none stored: the zero FeedID, which no documents were saved
// under).
func feedIDInUse(ctx context.Context, db *sql.DB, override string) (FeedID, error) {
	if override == "" {
		stored, err := storedFeedID(ctx, db)
		if err != nil || stored == "" {
			return FeedID{}, err
		}
		override = stored
	}
	return ParseFeedID(override)
}

// saveDocuments saves the documents of s that prev did not have (every
// one, when prev is nil: the first snapshot of a run, whose key may be
// new, or the first after a failed save).
func (c *Corpus) saveDocuments(ctx context.Context, prev, s *Snapshot) error {
	return inTx(ctx, c.db, "save documents", func(tx *sql.Tx) error {
		if prev == nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM feed_documents`); err != nil {
				return fmt.Errorf("save documents: %w", err)
			}
		}
		// The documents kept from prev are the snapshot's too, at its generation.
		key, err := c.rekeyDocuments(ctx, tx)
		if err != nil {
			return fmt.Errorf("save documents: %w", err)
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO feed_documents (path, key, content_type, etag, modified, body)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (path) DO UPDATE SET key = excluded.key, content_type = excluded.content_type,
				etag = excluded.etag, modified = excluded.modified, body = excluded.body`)
		if err != nil {
			return fmt.Errorf("save documents: %w", err)
		}
		defer st.Close()
		for _, p := range s.paths {
			d := s.docs[p]
			if prev != nil && prev.docs[p] == d {
				continue
			}
			if _, err := st.ExecContext(ctx, p, key, d.ContentType, d.ETag, d.Modified.UTC().Format(timeLayout), d.Body); err != nil {
				return fmt.Errorf("save document %s: %w", p, err)
			}
		}
		return nil
	})
}

// keepDocuments moves the saved documents to the tables' generation after
// a change that saved rows but left every document as it was (a file's
// time moved): they are still the snapshot's, and a restart serves them.
func (c *Corpus) keepDocuments(ctx context.Context) {
	if !c.opts.SaveDocuments || !c.docsSaved {
		return
	}
	if _, err := c.rekeyDocuments(context.WithoutCancel(ctx), c.db); err != nil {
		c.opts.Log.Warn("the feeds a restart serves at once could not be kept", "err", err)
	}
}

// execer runs a statement: the database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rekeyDocuments puts every saved document under the key of the
// corpus's options and its tables' generation, which it returns: the
// documents saved are the current snapshot's (SavedDocuments).
func (c *Corpus) rekeyDocuments(ctx context.Context, ex execer) (string, error) {
	key := savedKey(c.docKey, c.gen)
	_, err := ex.ExecContext(ctx, `UPDATE feed_documents SET key = ?`, key)
	return key, err
}

// dropDocuments removes the saved documents after a failure to save
// them, so that a restart does not serve a copy older than the last
// change; it may fail as the save did, and then a restart serves an
// older copy until its corpus is loaded.
func (c *Corpus) dropDocuments(ctx context.Context) {
	if _, err := c.db.ExecContext(ctx, `DELETE FROM feed_documents`); err != nil {
		c.opts.Log.Warn("the saved feeds could not be cleared", "err", err)
	}
}
