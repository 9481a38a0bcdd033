package digest

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Subscriber is one address on the list.
type Subscriber struct {
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
}

// NormalizeAddress validates an email address and returns it lower-cased,
// without a display name.
func NormalizeAddress(s string) (string, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("%w: %q", ErrBadAddress, s)
	}
	addr := strings.ToLower(a.Address)
	if _, domain, ok := strings.Cut(addr, "@"); !ok || !strings.Contains(domain, ".") && domain != "localhost" {
		return "", fmt.Errorf("%w: %q has no domain", ErrBadAddress, s)
	}
	if err := CheckRecipient(addr); err != nil {
		return "", err
	}
	return addr, nil
}

// Subscribe adds an address; an address already on the list is ErrDuplicate.
func (d *Digest) Subscribe(ctx context.Context, email string) (string, error) {
	addr, err := NormalizeAddress(email)
	if err != nil {
		return "", err
	}
	res, err := d.db.ExecContext(ctx, `INSERT INTO subscribers (email, created) VALUES (?, ?) ON CONFLICT(email) DO NOTHING`,
		addr, fmtTime(d.opts.Now()))
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
		// What Subscribers lists can be removed, even an address stored
		// before addresses were checked as they are now ("m m@x.org").
		addr = strings.ToLower(strings.TrimSpace(email))
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
		WHERE recipient = ? AND status = 'pending' AND digest_id IN (SELECT id FROM digests WHERE kind != 'to')`,
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

// Subscribers lists the addresses on the list, alphabetically.
func (d *Digest) Subscribers(ctx context.Context) ([]Subscriber, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT email, created FROM subscribers ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("list subscribers: %w", err)
	}
	defer rows.Close()
	out := []Subscriber{}
	for rows.Next() {
		var s Subscriber
		var created string
		if err := rows.Scan(&s.Email, &created); err != nil {
			return nil, fmt.Errorf("list subscribers: %w", err)
		}
		s.Created = parseTime(created)
		out = append(out, s)
	}
	return out, rows.Err()
}
