package digest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// confirmSchema is the queue of mail to one address outside the digest:
// double opt-in emails and, since version 4 (kind), welcome messages. A
// subscribe or confirm request adds a row and is answered at once;
// SendConfirmations mails it, retrying as digest deliveries are retried
// (the same status values and the same due condition). A confirmation
// row is also the link's state: confirmed once, or void once the address
// unsubscribed, it confirms nothing again.
const confirmSchema = `
CREATE TABLE IF NOT EXISTS confirmations (
	token_hash TEXT PRIMARY KEY,       -- SHA-256 of the link's token: the table alone confirms no one
	email      TEXT NOT NULL,
	themes     TEXT NOT NULL,          -- the themes chosen, comma-separated, as signed in the token ('' = all)
	created    TEXT NOT NULL,          -- RFC 3339
	expires    INTEGER NOT NULL,       -- Unix seconds, as signed in the token
	status     TEXT NOT NULL,          -- pending, sent, failed, in_doubt; then confirmed or void
	attempts   INTEGER NOT NULL DEFAULT 0,
	doubts     INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL,
	next_try   TEXT NOT NULL           -- RFC 3339: not sent before
);
CREATE INDEX IF NOT EXISTS confirmations_by_email ON confirmations (email, created);`

// migrateConfirmations (version 3) adds the queue of confirmation emails.
func migrateConfirmations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, confirmSchema)
	return err
}

// migrateConfirmFrequency (version 8) lets a confirmation carry the
// cadence its subscriber is added with: an imported row's (subscribers
// import --confirm), where every confirmation used to add a weekly one.
// A column already there is left as it is (a ledger set back to an older
// version by hand).
func migrateConfirmFrequency(ctx context.Context, tx *sql.Tx) error {
	if has, err := hasColumn(ctx, tx, "confirmations", "frequency"); err != nil || has {
		return err
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE confirmations ADD COLUMN frequency TEXT NOT NULL DEFAULT '`+Weekly+`'`)
	return err
}

// Kinds of queued email.
const (
	kindConfirm = "confirm" // the double opt-in email with its link
	kindWelcome = "welcome" // the welcome message, built when it is sent
)

// migrateWelcomes (version 4) lets the queue hold welcome messages too, so
// they are sent and retried by the same loop and the same rule as
// confirmation emails. A welcome row's key is its confirmation's key with
// a "welcome:" prefix: one welcome per confirmation, and no link's hash
// can name it. Its themes are left empty: the message is built from the
// subscriber as they are when it is sent.
func migrateWelcomes(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `ALTER TABLE confirmations ADD COLUMN kind TEXT NOT NULL DEFAULT '`+kindConfirm+`'`) // confirm, welcome
	return err
}

const (
	// confirmPerAddress is how many confirmation emails one address gets
	// per confirmWindow, whoever asks and from however many addresses.
	confirmPerAddress = 3
	confirmWindow     = 24 * time.Hour
	// confirmRetry is the wait before a confirmation that failed for now
	// (after its tries) is tried again.
	confirmRetry = 5 * time.Minute
	// confirmGiveUp is how long a confirmation is retried before it is
	// recorded as failed.
	confirmGiveUp = 24 * time.Hour
)

// confirmLease is how long a claimed email is left to its sender: longer
// than its tries, two of which may each wait the 10 minutes a relay has
// for its final reply (and 30 s for each of the others), so another
// process never claims an email still being sent.
const confirmLease = 30 * time.Minute

// ErrTooManyConfirmations reports an address that already received
// confirmPerAddress confirmation emails in the last confirmWindow.
var ErrTooManyConfirmations = errors.New("too many confirmation emails for this address")

// ErrLinkUsed reports a confirmation link that was used already, or whose
// address unsubscribed since it was sent.
var ErrLinkUsed = errors.New("confirmation link already used")

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// queueConfirmation records a confirmation email to addr for the themes
// (nil: every theme) and the frequency ("": weekly), to be sent by
// SendConfirmations from notBefore, and wakes it. An address that had confirmPerAddress emails in the last
// confirmWindow gets ErrTooManyConfirmations, with how long until it may
// have another.
func (d *Digest) queueConfirmation(ctx context.Context, addr string, themes []string, frequency string, notBefore time.Time) (pendingConfirmation, time.Duration, error) {
	now := d.opts.Now()
	frequency, err := checkFrequency(frequency)
	if err != nil {
		return pendingConfirmation{}, 0, err
	}
	p := pendingConfirmation{email: addr, themes: strings.Join(themes, ","), expires: now.Add(confirmTTL).Unix(),
		messageID: "<confirm." + randomID() + "@" + d.domain() + ">", nextTry: fmtTime(notBefore)}
	p.hash = hashToken(d.confirmToken(p))
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return p, 0, fmt.Errorf("queue confirmation to %s: %w", addr, err)
	}
	defer tx.Rollback()
	var n int
	var oldest sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created) FROM confirmations WHERE kind = '`+kindConfirm+`' AND email = ? AND created > ?`,
		addr, fmtTime(now.Add(-confirmWindow))).Scan(&n, &oldest); err != nil {
		return p, 0, fmt.Errorf("queue confirmation to %s: %w", addr, err)
	}
	if n >= confirmPerAddress {
		return p, parseTime(oldest.String).Add(confirmWindow).Sub(now), fmt.Errorf("%w: %s", ErrTooManyConfirmations, addr)
	}
	// The same request twice in one second makes the same token: one email.
	if _, err := tx.ExecContext(ctx, `INSERT INTO confirmations (token_hash, email, themes, frequency, created, expires, status, message_id, next_try)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(token_hash) DO NOTHING`,
		p.hash, addr, p.themes, frequency, fmtTime(now), p.expires, p.messageID, fmtTime(notBefore)); err != nil {
		return p, 0, fmt.Errorf("queue confirmation to %s: %w", addr, err)
	}
	if err := tx.Commit(); err != nil {
		return p, 0, fmt.Errorf("queue confirmation to %s: %w", addr, err)
	}
	d.wakeSender()
	return p, 0, nil
}

// wakeSender tells SendConfirmations that an email was queued.
func (d *Digest) wakeSender() {
	select {
	case d.wake <- struct{}{}:
	default: // a wake-up is already waiting
	}
}

// confirmToken is the token of p's link: signed, with the address, the
// themes and the expiry, so the queue needs to keep no secret.
func (d *Digest) confirmToken(p pendingConfirmation) string {
	return d.token(purposeConfirm, p.email, time.Unix(p.expires, 0), p.themes)
}

// SendConfirmation queues a confirmation email to addr for the themes (nil:
// every theme) and sends it at once, from this process: "subscribers import
// --confirm". One the relay does not take now stays queued, and the
// service's SendConfirmations retries it; the error says so.
func (d *Digest) SendConfirmation(ctx context.Context, addr string, themes []string) error {
	// Not due for the service until this attempt is over.
	p, _, err := d.queueConfirmation(ctx, addr, themes, Weekly, d.opts.Now().Add(confirmRetry))
	if err != nil {
		return err
	}
	sender, err := d.dial()
	if err != nil {
		return err
	}
	defer sender.Close()
	sendErr, err := d.sendConfirmation(ctx, sender, p)
	if err != nil {
		return err
	}
	return confirmationOutcome(addr, sendErr)
}

// confirmationOutcome is what the operator is told of a confirmation email
// sent at once: nil when the relay took it.
func confirmationOutcome(addr string, sendErr error) error {
	switch {
	case sendErr == nil:
		return nil
	case IsTemporary(sendErr) || IsInDoubt(sendErr):
		return fmt.Errorf("confirmation to %s not sent yet (queued: the service tries again): %w", addr, sendErr)
	default:
		return fmt.Errorf("confirmation to %s refused: %w", addr, sendErr)
	}
}

// checkConfirmation returns the address and themes of a confirmation
// token, if it can still confirm: ErrBadToken for a forged, altered,
// expired or unknown one, ErrLinkUsed for one used or voided by an
// unsubscribe.
func (d *Digest) checkConfirmation(ctx context.Context, tok string) (addr, themes string, err error) {
	addr, themes, err = d.verifyData(purposeConfirm, tok)
	if err != nil {
		return "", "", err
	}
	var status string
	err = d.db.QueryRowContext(ctx, `SELECT status FROM confirmations WHERE token_hash = ? AND kind = '`+kindConfirm+`'`, hashToken(tok)).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrBadToken
	}
	if err != nil {
		return "", "", fmt.Errorf("confirmation of %s: %w", addr, err)
	}
	if status == "confirmed" || status == "void" {
		return "", "", fmt.Errorf("%w: %s", ErrLinkUsed, addr)
	}
	return addr, themes, nil
}

// Confirm subscribes the address of a confirmation token to its themes
// (a subscriber already on the list gets those themes instead of theirs),
// uses the token up, and queues the welcome message for a new subscriber:
// SendConfirmations sends it, so the visitor's page never waits for the
// relay. Errors as checkConfirmation's.
func (d *Digest) Confirm(ctx context.Context, tok string) (string, error) {
	addr, themes, err := d.checkConfirmation(ctx, tok)
	if err != nil {
		return "", err
	}
	addr, err = NormalizeAddress(addr)
	if err != nil {
		return "", err
	}
	chosen, err := d.CheckThemes(splitThemes(themes))
	if err != nil {
		return "", err
	}
	hash := hashToken(tok)
	// The subscription, the used link and the welcome are one write:
	// a failure between them must not leave a subscriber without the
	// welcome (a second post of the link would find them subscribed).
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("confirmation of %s: %w", addr, err)
	}
	defer tx.Rollback()
	// The cadence the confirmation was queued with (an imported row's).
	var frequency string
	if err := tx.QueryRowContext(ctx, `SELECT frequency FROM confirmations WHERE token_hash = ?`, hash).Scan(&frequency); err != nil {
		return "", fmt.Errorf("confirmation of %s: %w", addr, err)
	}
	_, err = d.subscribe(ctx, tx, addr, chosen, frequency, ConsentDoubleOptIn)
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return "", err
	}
	isNew := err == nil
	if !isNew {
		// A subscriber who filled in the form again, and confirmed it,
		// chose these themes now: they replace the old ones (the form
		// offers no cadence, so theirs stays).
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET themes = ? WHERE email = ?`, strings.Join(chosen, ","), addr); err != nil {
			return "", fmt.Errorf("confirmation of %s: %w", addr, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE confirmations SET status = 'confirmed' WHERE token_hash = ?`, hash); err != nil {
		return "", fmt.Errorf("confirmation of %s: %w", addr, err)
	}
	if isNew {
		// Keyed by the confirmation: a second POST of the same link, or a
		// restart, queues no second welcome.
		now := d.opts.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO confirmations (token_hash, kind, email, themes, created, expires, status, message_id, next_try)
			VALUES (?, '`+kindWelcome+`', ?, '', ?, ?, 'pending', ?, ?) ON CONFLICT(token_hash) DO NOTHING`,
			kindWelcome+":"+hash, addr, fmtTime(now), now.Add(confirmTTL).Unix(),
			"<welcome."+randomID()+"@"+d.domain()+">", fmtTime(now)); err != nil {
			return "", fmt.Errorf("queue the welcome message to %s: %w", addr, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("confirmation of %s: %w", addr, err)
	}
	if isNew {
		d.wakeSender()
	}
	return addr, nil
}

// voidConfirmations makes addr's unused confirmation links useless and
// its unsent confirmation emails and welcome messages unsent: called as it
// unsubscribes. A welcome already sent or refused keeps its record.
func voidConfirmations(ctx context.Context, tx *sql.Tx, addr string) error {
	_, err := tx.ExecContext(ctx, `UPDATE confirmations SET status = 'void' WHERE email = ?
		AND ((kind = '`+kindConfirm+`' AND status != 'confirmed') OR (kind = '`+kindWelcome+`' AND `+due+`))`, addr)
	return err
}

// SendConfirmations mails queued confirmation emails and welcome messages
// until ctx ends: at once when a request queues one, and when a failed one
// is due again. Its caller owns it: it runs in a goroutine the caller waits for,
// and the message in flight when ctx ends is finished (see
// SMTPConfig.StopGrace) and recorded.
func (d *Digest) SendConfirmations(ctx context.Context) {
	for ctx.Err() == nil {
		next, err := d.SendDueConfirmations(ctx)
		if err != nil && ctx.Err() == nil {
			d.opts.Log.Error("digest: confirmation emails", "err", err)
		}
		wait := confirmRetry
		if !next.IsZero() {
			wait = min(max(next.Sub(d.opts.Now()), time.Second), confirmRetry)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-d.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// pendingConfirmation is one queued email to send: a confirmation email
// or a welcome message (kind).
type pendingConfirmation struct {
	hash, kind, email, themes, messageID string
	nextTry                              string // next_try as read: the claim compares it
	expires                              int64
	attempts                             int
}

// SendDueConfirmations sends, over one connection, the confirmation emails
// and welcome messages that are due, and returns when the next one will be (zero: none waits).
// As a digest run, it stops after maxTempInARow temporary failures in a row;
// an email in doubt is tried once more later, never twice in one pass.
// Links past their expiry are deleted, and emails still failing after
// confirmGiveUp are recorded as failed.
func (d *Digest) SendDueConfirmations(ctx context.Context) (time.Time, error) {
	now := d.opts.Now()
	if _, err := d.db.ExecContext(ctx, `DELETE FROM confirmations WHERE expires < ?`, now.Unix()); err != nil {
		return time.Time{}, fmt.Errorf("prune confirmations: %w", err)
	}
	if _, err := d.db.ExecContext(ctx, `UPDATE confirmations SET status = 'failed' WHERE `+due+` AND created < ?`,
		fmtTime(now.Add(-confirmGiveUp))); err != nil {
		return time.Time{}, fmt.Errorf("give up old confirmations: %w", err)
	}
	list, err := d.dueConfirmations(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	if len(list) > 0 {
		if err := d.sendConfirmations(ctx, list); err != nil {
			return time.Time{}, err
		}
	}
	var next sql.NullString
	if err := d.db.QueryRowContext(context.WithoutCancel(ctx), `SELECT MIN(next_try) FROM confirmations WHERE `+due).Scan(&next); err != nil {
		return time.Time{}, fmt.Errorf("next confirmation: %w", err)
	}
	return parseTime(next.String), nil
}

func (d *Digest) dueConfirmations(ctx context.Context, now time.Time) ([]pendingConfirmation, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT token_hash, kind, email, themes, expires, attempts, message_id, next_try FROM confirmations
		WHERE `+due+` AND next_try <= ? ORDER BY created`, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("due confirmations: %w", err)
	}
	defer rows.Close()
	var out []pendingConfirmation
	for rows.Next() {
		var p pendingConfirmation
		if err := rows.Scan(&p.hash, &p.kind, &p.email, &p.themes, &p.expires, &p.attempts, &p.messageID, &p.nextTry); err != nil {
			return nil, fmt.Errorf("due confirmations: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due confirmations: %w", err)
	}
	return out, nil
}

func (d *Digest) sendConfirmations(ctx context.Context, list []pendingConfirmation) error {
	sender, err := d.dial()
	if err != nil {
		return err
	}
	defer sender.Close()
	tempInARow := 0
	for _, p := range list {
		if ctx.Err() != nil {
			return nil
		}
		sendErr, err := d.sendConfirmation(ctx, sender, p)
		if err != nil {
			return err
		}
		if IsTemporary(sendErr) || IsInDoubt(sendErr) {
			if tempInARow++; tempInARow == maxTempInARow {
				d.opts.Log.Warn("digest: the relay keeps failing: the other queued emails wait", "for", confirmRetry)
				return nil
			}
		} else {
			tempInARow = 0
		}
	}
	return nil
}

// sendConfirmation sends one queued email with the retry rule of digest
// deliveries, and records the outcome: sent, failed (refused), in doubt or
// pending, the last two tried again after confirmRetry. A welcome message
// is built here, from the subscriber as they are now; one to an address
// that is no longer subscribed is recorded void, unsent. It returns Send's
// last error; err reports what could not be built or recorded.
func (d *Digest) sendConfirmation(ctx context.Context, sender Sender, p pendingConfirmation) (sendErr, err error) {
	// Claim the email: another process (the service, an import) may have
	// it in its list too. The claim moves next_try past the longest send.
	res, err := d.db.ExecContext(ctx, `UPDATE confirmations SET next_try = ? WHERE token_hash = ? AND next_try = ? AND `+due,
		fmtTime(d.opts.Now().Add(confirmLease)), p.hash, p.nextTry)
	if err != nil {
		return nil, fmt.Errorf("claim the %s email to %s: %w", p.kind, p.email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil // sent, settled or being sent by another
	}
	what, build := "confirmation email", func() (*gomail.Msg, error) {
		return d.confirmation(p.email, d.confirmToken(p), p.messageID)
	}
	if p.kind == kindWelcome {
		s, err := d.Subscriber(ctx, p.email)
		if errors.Is(err, ErrNoSubscriber) {
			d.opts.Log.Info("digest: welcome message dropped: no longer subscribed", "to", p.email)
			return nil, d.recordQueued(ctx, p, "void", 0, 0, err.Error())
		}
		if err != nil {
			return nil, fmt.Errorf("welcome %s: %w", p.email, err)
		}
		what, build = "welcome message", func() (*gomail.Msg, error) { return d.welcome(s, p.messageID) }
	}
	tries, sendErr, buildErr := d.attempt(ctx, sender, p.email, build)
	if buildErr != nil {
		return nil, buildErr
	}
	status, lastErr, doubt := "sent", "", 0
	switch {
	case sendErr == nil:
		d.opts.Log.Info("digest: "+what+" sent", "to", p.email)
	case IsInDoubt(sendErr):
		status, doubt = "in_doubt", 1
		d.opts.Log.Warn("digest: "+what+" in doubt: the relay had it and never answered", "to", p.email, "err", sendErr)
	case IsTemporary(sendErr):
		status = "pending"
		d.opts.Log.Warn("digest: "+what+" failed for now: it is tried again", "to", p.email, "in", confirmRetry, "err", sendErr)
	default:
		status = "failed"
		d.opts.Log.Warn("digest: "+what+" refused", "to", p.email, "err", sendErr)
	}
	if sendErr != nil {
		lastErr = sendErr.Error()
	}
	return sendErr, d.recordQueued(ctx, p, status, tries, doubt, lastErr)
}

// recordQueued records the outcome of an attempt at a queued email, even
// when ctx ended: the message may have gone. A link confirmed or voided
// meanwhile keeps that state.
func (d *Digest) recordQueued(ctx context.Context, p pendingConfirmation, status string, tries, doubt int, lastErr string) error {
	if _, err := d.db.ExecContext(context.WithoutCancel(ctx), `UPDATE confirmations SET status = ?, attempts = ?, doubts = doubts + ?,
		last_error = ?, next_try = ? WHERE token_hash = ? AND status NOT IN ('confirmed', 'void')`,
		status, p.attempts+tries, doubt, lastErr, fmtTime(d.opts.Now().Add(confirmRetry)), p.hash); err != nil {
		return fmt.Errorf("record %s email to %s: %w", p.kind, p.email, err)
	}
	return nil
}

// confirmation builds the double opt-in email with the link to tok.
func (d *Digest) confirmation(rcpt, tok, messageID string) (*gomail.Msg, error) {
	link := d.opts.BaseURL + "/subscribe/confirm?t=" + tok
	m, err := d.newMsg(rcpt, "Confirm your subscription to "+d.opts.Name, messageID, "")
	if err != nil {
		return nil, err
	}
	body := fmt.Sprintf("Someone, probably you, asked to receive %s at %s.\n\nTo confirm, open this link within %d days and press Confirm:\n\n%s\n\nIf it was not you, ignore this email: nothing will be sent.\n",
		d.opts.Name, rcpt, int(confirmTTL/(24*time.Hour)), link)
	m.SetBodyString(gomail.TypeTextPlain, body)
	return m, nil
}
