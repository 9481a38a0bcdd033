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

	"github.com/kdigest/kdigest/internal/dbmigrate"
)

// schema is the ledger: digests, deliveries and subscribers. The send lock
// is a file lock (lock.go), not a table.
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
	status     TEXT NOT NULL,           -- pending, sent, failed, in_doubt, unsubscribed (left before it was sent)
	attempts   INTEGER NOT NULL DEFAULT 0,
	doubts     INTEGER NOT NULL DEFAULT 0, -- sends whose final reply never came (in doubt)
	last_error TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	updated    TEXT NOT NULL,
	PRIMARY KEY (digest_id, recipient)
);
CREATE TABLE IF NOT EXISTS subscribers (
	email   TEXT PRIMARY KEY,
	created TEXT NOT NULL
);
DROP TABLE IF EXISTS digest_lock;`

// migrations are the ledger's schema changes, in order; the
// schema_version table (shared with the corpus, keyed by component) holds
// how many a database has had. Each runs in one transaction with the
// version it brings.
var migrations = []func(ctx context.Context, tx *sql.Tx) error{
	migrateLedger,
	migrateSubscriptions,
	migrateConfirmations,
	migrateWelcomes,
	migrateRuns,
	migrateAddresses,
	migrateCoverage,
	migrateConfirmFrequency,
}

// migrateCoverage (version 7) records, per subscriber, up to when the
// digests of their cadence covered them, and, per delivery, where its
// message starts: a subscriber who switches between weekly and daily gets
// what is new since their last digest, whichever cadence made it.
// Subscribers from before are covered up to the last digest of their
// cadence (none made yet: none), where their next digest starts, as
// before; deliveries from before hold their digest's
// whole window, so an unfinished digest resumes as it began. A column
// already there is left as it is (a ledger set back to an older version
// by hand).
func migrateCoverage(ctx context.Context, tx *sql.Tx) error {
	for _, c := range []struct{ table, column, def string }{
		// RFC 3339: the cutoff of the last digest of their cadence made
		// while they were on it; '' = none yet.
		{"subscribers", "covered_until", "TEXT NOT NULL DEFAULT ''"},
		// RFC 3339: the message holds what is new after it; '' = the
		// digest's whole window.
		{"deliveries", "since", "TEXT NOT NULL DEFAULT ''"},
	} {
		has, err := hasColumn(ctx, tx, c.table, c.column)
		if err != nil {
			return err
		}
		if has {
			continue
		}
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+c.table+` ADD COLUMN `+c.column+` `+c.def); err != nil {
			return err
		}
	}
	// Each subscriber is covered up to the last digest of their cadence,
	// where their next one starts anyway: a switch before it then carries
	// the days since it, as any later switch does.
	_, err := tx.ExecContext(ctx, `UPDATE subscribers SET covered_until = COALESCE(
		(SELECT MAX(cutoff) FROM digests WHERE kind != 'to' AND cadence = subscribers.frequency), '')
		WHERE covered_until = ''`)
	return err
}

// cover records, in ex (the database or the transaction recording a
// digest), that the digests of their cadence covered the subscribers
// emails up to cutoff.
func (d *Digest) cover(ctx context.Context, ex interface {
	PrepareContext(context.Context, string) (*sql.Stmt, error)
}, cutoff time.Time, emails []string) error {
	if len(emails) == 0 {
		return nil
	}
	stmt, err := ex.PrepareContext(ctx, `UPDATE subscribers SET covered_until = ? WHERE email = ?`)
	if err != nil {
		return fmt.Errorf("record what the digest covered: %w", err)
	}
	defer stmt.Close()
	at := fmtTime(cutoff)
	for _, e := range emails {
		if _, err := stmt.ExecContext(ctx, at, e); err != nil {
			return fmt.Errorf("record what the digest covered of %s: %w", e, err)
		}
	}
	return nil
}

// coverHeldBack is cover for a run that records no digest: the
// subscribers it holds back (paused, suspended) are covered up to cutoff
// all the same, in one transaction.
func (d *Digest) coverHeldBack(ctx context.Context, cutoff time.Time, emails []string) error {
	if len(emails) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record what the digest covered: %w", err)
	}
	defer tx.Rollback()
	if err := d.cover(ctx, tx, cutoff, emails); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record what the digest covered: %w", err)
	}
	return nil
}

// coveredUntil returns the subscribers who have a covered-until time, with
// it.
func (d *Digest) coveredUntil(ctx context.Context) (map[string]time.Time, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT email, covered_until FROM subscribers WHERE covered_until != ''`)
	if err != nil {
		return nil, fmt.Errorf("what the digests covered: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var e, t string
		if err := rows.Scan(&e, &t); err != nil {
			return nil, fmt.Errorf("what the digests covered: %w", err)
		}
		out[e] = parseTime(t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("what the digests covered: %w", err)
	}
	return out, nil
}

// migrateAddresses (version 6) rewrites each subscriber's address as
// NormalizeAddress makes it since it writes a domain in Unicode
// ("ann@xn--bcher-kva.de" is "ann@bücher.de"), so that the address a link
// or a command names finds its row. Of two rows for one mailbox, the one
// already written so stays and the other goes: it got every digest twice.
func migrateAddresses(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT email FROM subscribers`)
	if err != nil {
		return err
	}
	var emails []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return err
		}
		emails = append(emails, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range emails {
		n, err := NormalizeAddress(e)
		if err != nil || n == e {
			continue // an address stored before it was checked stays as it is
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM subscribers WHERE email = ?)`, n).Scan(&taken); err != nil {
			return err
		}
		q := `UPDATE subscribers SET email = ? WHERE email = ?`
		args := []any{n, e}
		if taken {
			q, args = `DELETE FROM subscribers WHERE email = ?`, []any{e}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// migrateRuns (version 5) records when each cadence's digest last ran,
// even a run that had nothing to send: the scheduler's catch-up must not
// take a quiet week for a missed one.
func migrateRuns(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS digest_runs (cadence TEXT PRIMARY KEY, last TEXT NOT NULL)`)
	return err
}

// ran records that a run of a cadence made its plan at t.
func (d *Digest) ran(ctx context.Context, cadence string, t time.Time) error {
	_, err := d.db.ExecContext(context.WithoutCancel(ctx), `INSERT INTO digest_runs (cadence, last) VALUES (?, ?)
		ON CONFLICT (cadence) DO UPDATE SET last = excluded.last`, cadence, fmtTime(t))
	if err != nil {
		return fmt.Errorf("record the %s run: %w", cadence, err)
	}
	return nil
}

// component is the digest's key in the schema_version table.
const component = "digest"

// ErrNewerSchema reports a ledger written by a newer release.
var ErrNewerSchema = errors.New("digest ledger written by a newer release")

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate the digest ledger: %w", err)
	}
	var version int
	err := db.QueryRowContext(ctx, `SELECT version FROM schema_version WHERE component = ?`, component).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("migrate the digest ledger: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("migrate the digest ledger: schema version %d, this release knows %d: %w", version, len(migrations), ErrNewerSchema)
	}
	for v := version; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate the digest ledger: %w", err)
		}
		// Another process (serve, and a digest started with it) may be
		// migrating too: take the write lock first, then see whether it
		// already made this version.
		if done, err := dbmigrate.Applied(ctx, tx, component, v+1); err != nil || done {
			tx.Rollback()
			if err != nil {
				return fmt.Errorf("migrate the digest ledger to version %d: %w", v+1, err)
			}
			continue
		}
		if err := migrations[v](ctx, tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate the digest ledger to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (component, version) VALUES (?, ?)
			ON CONFLICT (component) DO UPDATE SET version = excluded.version`, component, v+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate the digest ledger to version %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate the digest ledger to version %d: %w", v+1, err)
		}
	}
	return nil
}

// migrateLedger (version 1) makes the tables of releases before
// versioning, or brings theirs up to date: ledgers written before
// in-doubt deliveries existed lack the doubts column.
func migrateLedger(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return err
	}
	if has, err := hasColumn(ctx, tx, "deliveries", "doubts"); err != nil || has {
		return err
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE deliveries ADD COLUMN doubts INTEGER NOT NULL DEFAULT 0`)
	return err
}

// migrateSubscriptions (version 2) adds what a subscriber chooses and how
// the list treats them, the digest's cadence, and the themes each delivery
// held. Subscribers from before get every theme, weekly; their consent is
// recorded as unknown.
const migrateSubscriptionsSQL = `
ALTER TABLE subscribers ADD COLUMN themes TEXT NOT NULL DEFAULT '';           -- theme ids, comma-separated; '' = every theme
ALTER TABLE subscribers ADD COLUMN frequency TEXT NOT NULL DEFAULT 'weekly';  -- weekly, daily
ALTER TABLE subscribers ADD COLUMN paused_until TEXT NOT NULL DEFAULT '';     -- RFC 3339; '' = not paused
ALTER TABLE subscribers ADD COLUMN status TEXT NOT NULL DEFAULT 'active';     -- active, suspended
ALTER TABLE subscribers ADD COLUMN reason TEXT NOT NULL DEFAULT '';           -- why suspended
ALTER TABLE subscribers ADD COLUMN consent TEXT NOT NULL DEFAULT 'unknown (subscribed before consent was recorded)'; -- how; created says when
ALTER TABLE digests ADD COLUMN cadence TEXT NOT NULL DEFAULT 'weekly';        -- weekly, daily
ALTER TABLE deliveries ADD COLUMN chosen TEXT NOT NULL DEFAULT '';            -- the subscriber's themes then; '' = every theme
ALTER TABLE deliveries ADD COLUMN themes TEXT NOT NULL DEFAULT '';            -- the themes (sections) the message held`

func migrateSubscriptions(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, migrateSubscriptionsSQL)
	return err
}

func hasColumn(ctx context.Context, tx *sql.Tx, table, column string) (bool, error) {
	var has bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pragma_table_info(?) WHERE name = ?)`, table, column).Scan(&has)
	return has, err
}

// due is the SQL condition of a delivery a run still has to make: pending,
// or in doubt once. An in-doubt delivery (the relay may have delivered it)
// is tried again once, by a later run, and never after that.
const due = `(status = 'pending' OR (status = 'in_doubt' AND doubts < 2))`

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newMessageID is the Message-ID of one delivery of digest id, with <>.
func (d *Digest) newMessageID(id string) string {
	return "<" + id + "." + randomID() + "@" + d.domain() + ">"
}

// secretID is an identifier nobody can guess (128 random bits): the id of a
// one-off digest, whose archive page must not be found by counting.
func secretID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// timeLayout is how the ledger writes times: UTC, nanoseconds, fixed
// width, so that SQL orders them by their text (MAX(cutoff), ORDER BY
// created) as they are in time. RFC 3339 with as many digits as a time
// needs sorted 08:00:00Z after 08:00:00.5Z. A row written before keeps
// its text, which sorts right against any time of another second.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// record is one digest row.
type record struct {
	ID, Kind, Cadence, Subject, HTML, Text, Status string
	Issue                                          Issue
	Created, Since, Cutoff                         time.Time
	ArticleIDs                                     []string
}

const recordColumns = `id, kind, cadence, created, since, cutoff, subject, article_ids, html, text, issue, status`

func scanRecord(row interface{ Scan(...any) error }) (*record, error) {
	var r record
	var created, since, cutoff, ids, issue string
	if err := row.Scan(&r.ID, &r.Kind, &r.Cadence, &created, &since, &cutoff, &r.Subject, &ids, &r.HTML, &r.Text, &issue, &r.Status); err != nil {
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

// unfinished returns the digests still being sent (one-offs included),
// oldest first.
func (d *Digest) unfinished(ctx context.Context) ([]*record, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM digests WHERE status = 'sending' ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("unfinished digests: %w", err)
	}
	defer rows.Close()
	var out []*record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unfinished digests: %w", err)
	}
	return out, nil
}

// lastCutoff returns the cutoff of the newest digest of a cadence to
// subscribers (zero when none was ever made).
func (d *Digest) lastCutoff(ctx context.Context, cadence string) (time.Time, error) {
	var s sql.NullString
	err := d.db.QueryRowContext(ctx, `SELECT MAX(cutoff) FROM digests WHERE kind != 'to' AND cadence = ?`, cadence).Scan(&s)
	if err != nil {
		return time.Time{}, fmt.Errorf("last digest cutoff: %w", err)
	}
	return parseTime(s.String), nil
}

// LastSent returns when the newest digest to subscribers was made, zero if
// none: the scheduler's catch-up compares it with the last slot. An
// unfinished one counts too: the start-up resume finishes it, and a new
// digest made for it would cover almost nothing.
func (d *Digest) LastSent(ctx context.Context) (time.Time, error) {
	return d.LastSentOf(ctx, Weekly)
}

// LastSentOf is LastSent for the digests of one cadence (Weekly, Daily):
// each has its own schedule.
func (d *Digest) LastSentOf(ctx context.Context, cadence string) (time.Time, error) {
	var s sql.NullString
	err := d.db.QueryRowContext(ctx, `SELECT MAX(t) FROM (SELECT MAX(created) AS t FROM digests WHERE kind != 'to' AND cadence = ?
		UNION ALL SELECT last FROM digest_runs WHERE cadence = ?)`, cadence, cadence).Scan(&s)
	if err != nil {
		return time.Time{}, fmt.Errorf("last digest: %w", err)
	}
	return parseTime(s.String), nil
}

// Summary describes one recorded digest.
type Summary struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Cadence  string    `json:"cadence"`
	Created  time.Time `json:"created"`
	Since    time.Time `json:"since"`
	Cutoff   time.Time `json:"cutoff"`
	Subject  string    `json:"subject"`
	Articles int       `json:"articles"`
	Status   string    `json:"status"`
	Sent     int       `json:"sent"`
	Failed   int       `json:"failed"`
	Pending  int       `json:"pending"`
	// InDoubt counts deliveries whose final reply never came: the relay
	// may have delivered them.
	InDoubt   int    `json:"in_doubt"`
	LastError string `json:"last_error,omitempty"`
}

// Digests lists recorded digests, newest first.
func (d *Digest) Digests(ctx context.Context, limit int) ([]Summary, error) {
	rows, err := d.db.QueryContext(ctx, `
		SELECT d.id, d.kind, d.cadence, d.created, d.since, d.cutoff, d.subject, d.article_ids, json_extract(d.issue, '$.Articles'), d.status,
			COALESCE(SUM(x.status = 'sent'), 0), COALESCE(SUM(x.status = 'failed'), 0), COALESCE(SUM(x.status = 'pending'), 0),
			COALESCE(SUM(x.status = 'in_doubt'), 0), COALESCE(MAX(x.last_error), '')
		FROM digests d LEFT JOIN deliveries x ON x.digest_id = d.id
		GROUP BY d.id ORDER BY d.created DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var s Summary
		var created, since, cutoff, ids string
		var articles sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Kind, &s.Cadence, &created, &since, &cutoff, &s.Subject, &ids, &articles, &s.Status, &s.Sent, &s.Failed, &s.Pending, &s.InDoubt, &s.LastError); err != nil {
			return nil, fmt.Errorf("list digests: %w", err)
		}
		s.Created, s.Since, s.Cutoff = parseTime(created), parseTime(since), parseTime(cutoff)
		// The issue's count, as its subject and archive page give it (a
		// second report by one outlet is shown, and counted, once).
		s.Articles = int(articles.Int64)
		if !articles.Valid {
			var list []string
			json.Unmarshal([]byte(ids), &list)
			s.Articles = len(list)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// delivery is one recipient of one digest.
type delivery struct {
	Recipient string
	Status    string
	Attempts  int
	Doubts    int
	MessageID string    // fixed when the delivery is recorded; "" in old ledgers
	Chosen    []string  // the recipient's themes when it was recorded; nil: every theme
	Since     time.Time // where the message starts (recipient.Since); zero: the digest's window
}

// pending returns the deliveries of digest id a run still has to make:
// those pending, and those in doubt once; the least tried first. A run
// stops after maxTempInARow temporary failures in a row: in the order of
// the addresses alone, three whose mailboxes stay full would stop every
// run before those after them were ever tried.
func (d *Digest) pending(ctx context.Context, id string) ([]delivery, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT recipient, status, attempts, doubts, message_id, chosen, since FROM deliveries WHERE digest_id = ? AND `+due+` ORDER BY attempts, recipient`, id)
	if err != nil {
		return nil, fmt.Errorf("digest %s: deliveries: %w", id, err)
	}
	defer rows.Close()
	var out []delivery
	for rows.Next() {
		var x delivery
		var chosen, since string
		if err := rows.Scan(&x.Recipient, &x.Status, &x.Attempts, &x.Doubts, &x.MessageID, &chosen, &since); err != nil {
			return nil, err
		}
		x.Chosen, x.Since = splitThemes(chosen), parseTime(since)
		out = append(out, x)
	}
	return out, rows.Err()
}

// stillDue reports whether the delivery of digest id to rcpt is still to
// be made (it may have been unsubscribed since the run read the list).
func (d *Digest) stillDue(ctx context.Context, id, rcpt string) (bool, error) {
	var ok bool
	// As the marks: a stop between two messages must not make the
	// ledger's answer an error (the run reports it interrupted).
	err := d.db.QueryRowContext(context.WithoutCancel(ctx), `SELECT EXISTS (SELECT 1 FROM deliveries WHERE digest_id = ? AND recipient = ? AND `+due+`)`, id, rcpt).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("digest %s: delivery to %s: %w", id, rcpt, err)
	}
	return ok, nil
}

// mark records a delivery's outcome. A delivery left pending (a
// temporary failure) whose recipient unsubscribed while it was tried stays
// unsubscribed: pending again, the next run would send it.
func (d *Digest) mark(ctx context.Context, id, rcpt, status string, attempts int, lastErr, messageID string) error {
	_, err := d.db.ExecContext(context.WithoutCancel(ctx), `
		UPDATE deliveries SET status = CASE WHEN status = 'unsubscribed' AND ?1 = 'pending' THEN status ELSE ?1 END,
			attempts = ?2, last_error = ?3, message_id = ?4, updated = ?5
		WHERE digest_id = ?6 AND recipient = ?7`, status, attempts, lastErr, messageID, fmtTime(d.opts.Now()), id, rcpt)
	if err != nil {
		return fmt.Errorf("digest %s: record delivery to %s: %w", id, rcpt, err)
	}
	return nil
}

// markDoubt records a delivery whose final reply never came. One whose
// recipient unsubscribed meanwhile stays unsubscribed: in doubt, the next
// run would try it once more.
func (d *Digest) markDoubt(ctx context.Context, id, rcpt string, attempts int, lastErr, messageID string) error {
	_, err := d.db.ExecContext(context.WithoutCancel(ctx), `
		UPDATE deliveries SET status = CASE WHEN status = 'unsubscribed' THEN status ELSE 'in_doubt' END,
			doubts = doubts + 1, attempts = ?, last_error = ?, message_id = ?, updated = ?
		WHERE digest_id = ? AND recipient = ?`, attempts, lastErr, messageID, fmtTime(d.opts.Now()), id, rcpt)
	if err != nil {
		return fmt.Errorf("digest %s: record delivery to %s: %w", id, rcpt, err)
	}
	return nil
}

// settle marks digest id done when no delivery is left to make, and
// sending otherwise (a resend that must be retried), and returns how many
// are left.
func (d *Digest) settle(ctx context.Context, id string) (int, error) {
	ctx = context.WithoutCancel(ctx) // an interrupted run still records its state
	var left int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE digest_id = ? AND `+due, id).Scan(&left); err != nil {
		return 0, fmt.Errorf("digest %s: %w", id, err)
	}
	status := "done"
	if left > 0 {
		status = "sending"
	}
	if _, err := d.db.ExecContext(ctx, `UPDATE digests SET status = ? WHERE id = ?`, status, id); err != nil {
		return 0, fmt.Errorf("digest %s: %w", id, err)
	}
	return left, nil
}

// DeliveryStatus is one recipient's delivery of one digest.
type DeliveryStatus struct {
	Recipient string `json:"recipient"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	// Themes are the themes (sections) the message held.
	Themes []string `json:"themes"`
	// Since is where the message started: it held what was new after it
	// (the end of the recipient's last digest); zero in deliveries
	// recorded before messages had a start of their own.
	Since   time.Time `json:"since,omitzero"`
	Updated time.Time `json:"updated"`
}

// Deliveries lists digest id's deliveries by recipient, for the operator.
func (d *Digest) Deliveries(ctx context.Context, id string) ([]DeliveryStatus, error) {
	if _, err := d.record(ctx, id); err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT recipient, status, attempts, last_error, message_id, themes, since, updated FROM deliveries WHERE digest_id = ? ORDER BY recipient`, id)
	if err != nil {
		return nil, fmt.Errorf("digest %s: deliveries: %w", id, err)
	}
	defer rows.Close()
	out := []DeliveryStatus{}
	for rows.Next() {
		var x DeliveryStatus
		var updated, themes, since string
		if err := rows.Scan(&x.Recipient, &x.Status, &x.Attempts, &x.LastError, &x.MessageID, &themes, &since, &updated); err != nil {
			return nil, fmt.Errorf("digest %s: deliveries: %w", id, err)
		}
		x.Updated, x.Themes, x.Since = parseTime(updated), splitThemes(themes), parseTime(since)
		if x.Themes == nil {
			x.Themes = []string{}
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
