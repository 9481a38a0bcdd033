package digest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// schema is the ledger: digests, deliveries, subscribers and the send lock.
const schema = `
CREATE TABLE IF NOT EXISTS digests (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,          -- scheduled, manual, or to (a one-off to given addresses)
	created     TEXT NOT NULL,          -- RFC 3339
	since       TEXT NOT NULL,          -- window start: articles first seen after it
	cutoff      TEXT NOT NULL,          -- window end: the next digest starts here
	subject     TEXT NOT NULL,
	article_ids TEXT NOT NULL,          -- JSON array
	html        TEXT NOT NULL,          -- the web copy ("view in browser")
	text        TEXT NOT NULL,
	issue       TEXT NOT NULL,          -- JSON of the Issue, to resume and resend identically
	status      TEXT NOT NULL           -- sending, done
);
CREATE TABLE IF NOT EXISTS deliveries (
	digest_id  TEXT NOT NULL REFERENCES digests(id),
	recipient  TEXT NOT NULL,
	status     TEXT NOT NULL,           -- pending, sent, failed, unsubscribed (left before it was sent)
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	updated    TEXT NOT NULL,
	PRIMARY KEY (digest_id, recipient)
);
CREATE TABLE IF NOT EXISTS subscribers (
	email   TEXT PRIMARY KEY,
	created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS digest_lock (
	name    TEXT PRIMARY KEY,
	holder  TEXT NOT NULL,
	expires TEXT NOT NULL
);`

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("digest: migrate: %w", err)
	}
	return nil
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// lockLease is how long a run's lock lasts without renewal: a crashed run
// blocks others at most this long.
const lockLease = 2 * time.Minute

// lock takes the send lock, or fails with ErrBusy while another live run
// holds it.
func (d *Digest) lock(ctx context.Context) error {
	now := d.opts.Now()
	res, err := d.db.ExecContext(ctx, `
		INSERT INTO digest_lock (name, holder, expires) VALUES ('send', ?, ?)
		ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE digest_lock.expires < ? OR digest_lock.holder = excluded.holder`,
		d.holder, fmtTime(now.Add(lockLease)), fmtTime(now))
	if err != nil {
		return fmt.Errorf("digest: lock: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrBusy
	}
	return nil
}

// renew extends the lock while a long run goes on.
func (d *Digest) renew(ctx context.Context) {
	d.db.ExecContext(ctx, `UPDATE digest_lock SET expires = ? WHERE name = 'send' AND holder = ?`,
		fmtTime(d.opts.Now().Add(lockLease)), d.holder)
}

func (d *Digest) unlock() {
	d.db.Exec(`DELETE FROM digest_lock WHERE name = 'send' AND holder = ?`, d.holder)
}

// record is one digest row.
type record struct {
	ID, Kind, Subject, HTML, Text, Status string
	Issue                                 Issue
	Created, Since, Cutoff                time.Time
	ArticleIDs                            []string
}

const recordColumns = `id, kind, created, since, cutoff, subject, article_ids, html, text, issue, status`

func scanRecord(row interface{ Scan(...any) error }) (*record, error) {
	var r record
	var created, since, cutoff, ids, issue string
	if err := row.Scan(&r.ID, &r.Kind, &created, &since, &cutoff, &r.Subject, &ids, &r.HTML, &r.Text, &issue, &r.Status); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(issue), &r.Issue); err != nil {
		return nil, fmt.Errorf("digest %s: stored issue: %w", r.ID, err)
	}
	r.Created, r.Since, r.Cutoff = parseTime(created), parseTime(since), parseTime(cutoff)
	if err := json.Unmarshal([]byte(ids), &r.ArticleIDs); err != nil {
		return nil, fmt.Errorf("digest %s: article ids: %w", r.ID, err)
	}
	return &r, nil
}

func (d *Digest) record(ctx context.Context, id string) (*record, error) {
	r, err := scanRecord(d.db.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM digests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("digest %q: %w", id, ErrNotFound)
	}
	return r, err
}

// unfinished returns the newest digest still being sent, or nil.
func (d *Digest) unfinished(ctx context.Context) (*record, error) {
	r, err := scanRecord(d.db.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM digests WHERE status = 'sending' AND kind != 'to' ORDER BY created DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// lastCutoff returns the cutoff of the newest digest to subscribers (zero
// when none was ever made).
func (d *Digest) lastCutoff(ctx context.Context) (time.Time, error) {
	var s sql.NullString
	err := d.db.QueryRowContext(ctx, `SELECT MAX(cutoff) FROM digests WHERE kind != 'to'`).Scan(&s)
	if err != nil {
		return time.Time{}, fmt.Errorf("digest: last cutoff: %w", err)
	}
	return parseTime(s.String), nil
}

// LastSent returns when the newest finished digest to subscribers was made,
// zero if none: the scheduler's catch-up compares it with the last slot. An
// unfinished digest does not count, so a restart finishes it.
func (d *Digest) LastSent(ctx context.Context) (time.Time, error) {
	var s sql.NullString
	err := d.db.QueryRowContext(ctx, `SELECT MAX(created) FROM digests WHERE kind != 'to' AND status = 'done'`).Scan(&s)
	if err != nil {
		return time.Time{}, fmt.Errorf("digest: last sent: %w", err)
	}
	return parseTime(s.String), nil
}

// Summary describes one recorded digest.
type Summary struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Created   time.Time `json:"created"`
	Since     time.Time `json:"since"`
	Cutoff    time.Time `json:"cutoff"`
	Subject   string    `json:"subject"`
	Articles  int       `json:"articles"`
	Status    string    `json:"status"`
	Sent      int       `json:"sent"`
	Failed    int       `json:"failed"`
	Pending   int       `json:"pending"`
	LastError string    `json:"last_error,omitempty"`
}

// Digests lists recorded digests, newest first.
func (d *Digest) Digests(ctx context.Context, limit int) ([]Summary, error) {
	rows, err := d.db.QueryContext(ctx, `
		SELECT d.id, d.kind, d.created, d.since, d.cutoff, d.subject, d.article_ids, d.status,
			COALESCE(SUM(x.status = 'sent'), 0), COALESCE(SUM(x.status = 'failed'), 0), COALESCE(SUM(x.status = 'pending'), 0),
			COALESCE(MAX(x.last_error), '')
		FROM digests d LEFT JOIN deliveries x ON x.digest_id = d.id
		GROUP BY d.id ORDER BY d.created DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("digest: list: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var s Summary
		var created, since, cutoff, ids string
		if err := rows.Scan(&s.ID, &s.Kind, &created, &since, &cutoff, &s.Subject, &ids, &s.Status, &s.Sent, &s.Failed, &s.Pending, &s.LastError); err != nil {
			return nil, fmt.Errorf("digest: list: %w", err)
		}
		s.Created, s.Since, s.Cutoff = parseTime(created), parseTime(since), parseTime(cutoff)
		var list []string
		json.Unmarshal([]byte(ids), &list)
		s.Articles = len(list)
		out = append(out, s)
	}
	return out, rows.Err()
}

// delivery is one recipient of one digest.
type delivery struct {
	Recipient string
	Status    string
	Attempts  int
}

func (d *Digest) pending(ctx context.Context, id string) ([]delivery, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT recipient, status, attempts FROM deliveries WHERE digest_id = ? AND status = 'pending' ORDER BY recipient`, id)
	if err != nil {
		return nil, fmt.Errorf("digest %s: deliveries: %w", id, err)
	}
	defer rows.Close()
	var out []delivery
	for rows.Next() {
		var x delivery
		if err := rows.Scan(&x.Recipient, &x.Status, &x.Attempts); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// mark records a delivery's outcome.
func (d *Digest) mark(ctx context.Context, id, rcpt, status string, attempts int, lastErr, messageID string) error {
	_, err := d.db.ExecContext(context.WithoutCancel(ctx), `
		UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, message_id = ?, updated = ?
		WHERE digest_id = ? AND recipient = ?`, status, attempts, lastErr, messageID, fmtTime(d.opts.Now()), id, rcpt)
	if err != nil {
		return fmt.Errorf("digest %s: record delivery to %s: %w", id, rcpt, err)
	}
	return nil
}

func (d *Digest) finish(ctx context.Context, id string) error {
	_, err := d.db.ExecContext(context.WithoutCancel(ctx), `UPDATE digests SET status = 'done' WHERE id = ?`, id)
	return err
}
