package digest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// Frequencies a subscriber can choose.
const (
	Weekly = "weekly"
	Daily  = "daily"
)

// Subscriber statuses.
const (
	// Active subscribers get digests (unless paused).
	Active = "active"
	// Suspended subscribers get none: their deliveries failed permanently
	// in suspendAfter digests in a row (Reason says the last error).
	Suspended = "suspended"
)

// Consent methods recorded with a subscription.
const (
	ConsentDoubleOptIn = "double opt-in (web form, confirmed by email)"
	ConsentOperator    = "added by the operator (kdigest subscribers add)"
)

// Subscriber is one address on the list.
type Subscriber struct {
	Email string `json:"email"`
	// Themes are the theme ids the subscriber gets; empty means every theme.
	Themes []string `json:"themes"`
	// Frequency is Weekly or Daily.
	Frequency string `json:"frequency"`
	// PausedUntil, when after now, holds their digests back until then.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	// Status is Active or Suspended, and Reason why it is suspended.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Created is when consent was given, and Consent how.
	Created time.Time `json:"created"`
	Consent string    `json:"consent"`
}

// Paused reports whether the subscriber's digests are held back at now.
func (s Subscriber) Paused(now time.Time) bool { return s.PausedUntil.After(now) }

// Subscription is what a new subscriber chose and how they consented.
type Subscription struct {
	// Themes are theme ids; empty means every theme.
	Themes []string
	// Frequency is Weekly (the default) or Daily.
	Frequency string
	// Consent says how consent was given; default ConsentOperator.
	Consent string
}

// wireAddress is addr as it goes into a message's envelope and header:
// its domain in ASCII (punycode), which every relay takes, where the
// ledger keeps it in Unicode (NormalizeAddress). A local part that is not
// ASCII is left as it is: only SMTPUTF8 carries it.
func wireAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	if a, err := idna.Lookup.ToASCII(addr[at+1:]); err == nil && a != "" {
		return addr[:at+1] + a
	}
	return addr
}

// NormalizeAddress validates an email address and returns it lower-cased,
// without a display name, its domain in Unicode.
func NormalizeAddress(s string) (string, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("%w: %q", ErrBadAddress, s)
	}
	addr := strings.ToLower(a.Address)
	at := strings.LastIndexByte(addr, '@')
	local, domain := addr[:max(at, 0)], addr[at+1:]
	if at < 0 || !strings.Contains(domain, ".") && domain != "localhost" {
		return "", fmt.Errorf("%w: %q has no domain", ErrBadAddress, s)
	}
	// One mailbox is one row: a domain written in punycode or decomposed
	// is the Unicode domain a person types ("bücher.de").
	if u, err := idna.Lookup.ToUnicode(domain); err == nil && u != "" {
		addr = local + "@" + u
	}
	if err := CheckRecipient(addr); err != nil {
		return "", err
	}
	return addr, nil
}

// CheckThemes returns theme ids checked against the taxonomy, in taxonomy
// order without repeats; an unknown id is ErrUnknownTheme naming it and the
// known ones. Choosing every theme is the same as choosing none: both
// return nil (every theme, including those added later).
func (d *Digest) CheckThemes(ids []string) ([]string, error) {
	tax := d.taxonomy()
	chosen := map[string]bool{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		if id == "" {
			continue
		}
		if tax == nil {
			return nil, fmt.Errorf("%w %q: no taxonomy to check it against", ErrUnknownTheme, id)
		}
		if _, ok := tax.Lookup(id); !ok {
			known := make([]string, len(tax.Themes))
			for i, t := range tax.Themes {
				known[i] = t.ID
			}
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownTheme, id, strings.Join(known, ", "))
		}
		chosen[id] = true
	}
	if len(chosen) == 0 {
		return nil, nil
	}
	var out []string
	for _, t := range tax.Themes {
		if chosen[t.ID] {
			out = append(out, t.ID)
		}
	}
	if len(out) == len(tax.Themes) {
		return nil, nil
	}
	return out, nil
}

func checkFrequency(f string) (string, error) {
	switch f {
	case "", Weekly:
		return Weekly, nil
	case Daily:
		return Daily, nil
	}
	return "", fmt.Errorf("%w %q (want weekly or daily)", ErrBadFrequency, f)
}

// Subscribe adds an address with every theme, weekly, as added by the
// operator; see SubscribeWith.
func (d *Digest) Subscribe(ctx context.Context, email string) (string, error) {
	return d.SubscribeWith(ctx, email, Subscription{})
}

// SubscribeWith adds an address with its choices. An address already on
// the list is ErrDuplicate, unless it was suspended: subscribing again
// makes it active, with the new choices.
func (d *Digest) SubscribeWith(ctx context.Context, email string, s Subscription) (string, error) {
	addr, err := NormalizeAddress(email)
	if err != nil {
		return "", err
	}
	themes, err := d.CheckThemes(s.Themes)
	if err != nil {
		return "", err
	}
	freq, err := checkFrequency(s.Frequency)
	if err != nil {
		return "", err
	}
	if s.Consent == "" {
		s.Consent = ConsentOperator
	}
	return d.subscribe(ctx, d.db, addr, themes, freq, s.Consent)
}

// subscribe adds addr (checked) in ex, a database or a transaction.
func (d *Digest) subscribe(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, addr string, themes []string, freq, consent string) (string, error) {
	res, err := ex.ExecContext(ctx, `INSERT INTO subscribers (email, created, themes, frequency, consent) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(email) DO UPDATE SET status = 'active', reason = '', themes = excluded.themes, frequency = excluded.frequency,
			created = excluded.created, consent = excluded.consent
		WHERE subscribers.status = 'suspended'`,
		addr, fmtTime(d.opts.Now()), strings.Join(themes, ","), freq, consent)
	if err != nil {
		return "", fmt.Errorf("subscribe %s: %w", addr, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", fmt.Errorf("%w: %s", ErrDuplicate, addr)
	}
	return addr, nil
}

// Unsubscribe removes an address; one not on the list is ErrNoSubscriber.
// Its pending deliveries of unfinished digests are dropped, so a resumed
// run does not mail someone who has left.
func (d *Digest) Unsubscribe(ctx context.Context, email string) error {
	addr, badAddr := NormalizeAddress(email)
	if badAddr != nil {
		addr = rowAddress(email)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("unsubscribe %s: %w", addr, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM subscribers WHERE email = ?`, addr)
	if err != nil {
		return fmt.Errorf("unsubscribe %s: %w", addr, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if badAddr != nil {
			return badAddr
		}
		return fmt.Errorf("%w: %s", ErrNoSubscriber, addr)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'unsubscribed', updated = ?
		WHERE recipient = ? AND `+due+` AND digest_id IN (SELECT id FROM digests WHERE kind != 'to')`,
		fmtTime(d.opts.Now()), addr); err != nil {
		return fmt.Errorf("unsubscribe %s: %w", addr, err)
	}
	if err := voidConfirmations(ctx, tx, addr); err != nil {
		return fmt.Errorf("unsubscribe %s: %w", addr, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("unsubscribe %s: %w", addr, err)
	}
	return nil
}

// rowAddress is the address of the subscribers row that email names: as
// NormalizeAddress writes it (a link made before the ledger wrote domains
// in Unicode names "ann@xn--bcher-kva.de", whose row is "ann@bücher.de"),
// or, for an address stored before addresses were checked as they are now
// ("m m@x.org"), as given: what Subscribers lists can be found.
func rowAddress(email string) string {
	if addr, err := NormalizeAddress(email); err == nil {
		return addr
	}
	return strings.ToLower(strings.TrimSpace(email))
}

const subscriberColumns = `email, created, themes, frequency, paused_until, status, reason, consent`

func scanSubscriber(row interface{ Scan(...any) error }) (Subscriber, error) {
	var s Subscriber
	var created, themes, paused string
	if err := row.Scan(&s.Email, &created, &themes, &s.Frequency, &paused, &s.Status, &s.Reason, &s.Consent); err != nil {
		return s, err
	}
	s.Created, s.PausedUntil, s.Themes = parseTime(created), parseTime(paused), splitThemes(themes)
	return s, nil
}

func splitThemes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Subscribers lists the addresses on the list, alphabetically.
func (d *Digest) Subscribers(ctx context.Context) ([]Subscriber, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	defer rows.Close()
	out := []Subscriber{}
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			return nil, fmt.Errorf("list subscribers: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Subscriber returns one subscriber; one not on the list is ErrNoSubscriber.
func (d *Digest) Subscriber(ctx context.Context, email string) (Subscriber, error) {
	email = rowAddress(email)
	s, err := scanSubscriber(d.db.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("%w: %s", ErrNoSubscriber, email)
	}
	if err != nil {
		return s, fmt.Errorf("subscriber %s: %w", email, err)
	}
	return s, nil
}

// Preferences is what a subscriber can change on the preferences page.
type Preferences struct {
	// Themes are theme ids; empty means every theme.
	Themes []string
	// Frequency is Weekly or Daily.
	Frequency string
}

// SetPreferences changes a subscriber's themes and frequency.
func (d *Digest) SetPreferences(ctx context.Context, email string, p Preferences) error {
	themes, err := d.CheckThemes(p.Themes)
	if err != nil {
		return err
	}
	freq, err := checkFrequency(p.Frequency)
	if err != nil {
		return err
	}
	return d.updateSubscriber(ctx, email, `themes = ?, frequency = ?`, strings.Join(themes, ","), freq)
}

// maxPauseWeeks bounds a pause: longer than a year is an unsubscribe.
const maxPauseWeeks = 52

// Pause holds a subscriber's digests back for weeks weeks (1 to 52) from
// now; Resume ends a pause at once.
func (d *Digest) Pause(ctx context.Context, email string, weeks int) error {
	if weeks < 1 || weeks > maxPauseWeeks {
		return fmt.Errorf("%w: %d weeks (want 1 to %d)", ErrBadPause, weeks, maxPauseWeeks)
	}
	until := d.opts.Now().Add(time.Duration(weeks) * 7 * 24 * time.Hour)
	return d.updateSubscriber(ctx, email, `paused_until = ?`, fmtTime(until))
}

// Resume ends a subscriber's pause.
func (d *Digest) Resume(ctx context.Context, email string) error {
	return d.updateSubscriber(ctx, email, `paused_until = ''`)
}

func (d *Digest) updateSubscriber(ctx context.Context, email, set string, args ...any) error {
	email = rowAddress(email)
	res, err := d.db.ExecContext(ctx, `UPDATE subscribers SET `+set+` WHERE email = ?`, append(args, email)...)
	if err != nil {
		return fmt.Errorf("update subscriber %s: %w", email, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", ErrNoSubscriber, email)
	}
	return nil
}

// suspendAfter is how many digests in a row must fail permanently (a 5xx
// answer to RCPT TO about the address, or an address nobody can send to)
// before an address is suspended.
const suspendAfter = 3

// noteRefusal suspends rcpt when its deliveries of its last suspendAfter
// digests to subscribers all failed permanently, and returns whether it did.
func (d *Digest) noteRefusal(ctx context.Context, rcpt, lastErr string) (bool, error) {
	ctx = context.WithoutCancel(ctx)
	rows, err := d.db.QueryContext(ctx, `SELECT x.status FROM deliveries x JOIN digests g ON g.id = x.digest_id
		WHERE x.recipient = ? AND g.kind != 'to' ORDER BY g.created DESC, g.id DESC LIMIT ?`, rcpt, suspendAfter)
	if err != nil {
		return false, fmt.Errorf("bounces of %s: %w", rcpt, err)
	}
	var statuses []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return false, fmt.Errorf("bounces of %s: %w", rcpt, err)
		}
		statuses = append(statuses, s)
	}
	rows.Close()
	if len(statuses) < suspendAfter || slices.ContainsFunc(statuses, func(s string) bool { return s != "failed" }) {
		return false, rows.Err()
	}
	reason := fmt.Sprintf("%d digests in a row refused for good; last: %s", suspendAfter, lastErr)
	res, err := d.db.ExecContext(ctx, `UPDATE subscribers SET status = 'suspended', reason = ? WHERE email = ? AND status = 'active'`, reason, rcpt)
	if err != nil {
		return false, fmt.Errorf("suspend %s: %w", rcpt, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
