// Package digest owns the weekly email digest: what was already sent (the
// ledger, in the shared SQLite database), selecting and grouping what is new,
// rendering it as HTML and text, sending it over SMTP with go-mail (or to an
// outbox folder), the subscribers, and the subscribe, unsubscribe and
// digest-archive handlers it hands to the web server.
//
// Preview and dry runs never write the ledger, and a delivery is recorded as
// sent only after the mail server accepted it.
package digest

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/theme"
)

// Sentinel errors callers branch on.
var (
	// ErrBusy reports that another run (in this process or another)
	// holds the send lock.
	ErrBusy = errors.New("another digest run is sending right now")
	// ErrNotFound reports an unknown digest id.
	ErrNotFound = errors.New("no such digest")
	// ErrDuplicate reports a subscriber who is already subscribed.
	ErrDuplicate = errors.New("already subscribed")
	// ErrNoSubscriber reports removing an address that is not subscribed.
	ErrNoSubscriber = errors.New("not subscribed")
	// ErrBadAddress reports an address that is not a valid email address.
	ErrBadAddress = errors.New("invalid email address")
	// ErrBadToken reports a forged, altered or expired token, or one made
	// for another purpose.
	ErrBadToken = errors.New("invalid token")
	// ErrUnknownTheme reports a theme id the taxonomy does not have.
	ErrUnknownTheme = errors.New("unknown theme")
	// ErrBadFrequency reports a frequency other than weekly or daily.
	ErrBadFrequency = errors.New("invalid frequency")
	// ErrBadPause reports a pause length out of range.
	ErrBadPause = errors.New("invalid pause")
)

// Options configures a Digest. Zero fields get the defaults documented on
// each one.
type Options struct {
	// BaseURL is the public URL of the service, for every link.
	BaseURL string
	// From is the sender address, e.g. "Karabakh digest <digest@example.org>",
	// parsed by the caller (which checks it with its other settings).
	From *mail.Address
	// Name is the newsletter's name; default "Karabakh diplomacy weekly".
	Name string
	// DailyName names the daily digest; default Name with "weekly"
	// replaced by "daily", or Name plus " (daily)".
	DailyName string
	// Taxonomy checks the themes subscribers choose; default the
	// snapshot's.
	Taxonomy *theme.Taxonomy
	// Next says when the next digest of a frequency (Weekly, Daily) is
	// due, for the welcome message; nil or a zero time says "on the next
	// scheduled run".
	Next func(frequency string) time.Time
	// UnsubscribeMailto, if set, is an address someone reads, offered as
	// a mailto: in List-Unsubscribe beside the one-click URL.
	UnsubscribeMailto *mail.Address
	// Location is the zone of the dates in the digest; default UTC.
	Location *time.Location
	// Window is how far back the first digest looks; default 7 days.
	Window time.Duration
	// PerTheme is the most items per theme; default 10.
	PerTheme int
	// Templates overrides the embedded digest templates (a folder holding
	// digest.html.tmpl and/or digest.txt.tmpl); nil uses the embedded ones.
	Templates fs.FS
	// Secret signs subscribe and unsubscribe tokens (at least 32 bytes).
	Secret []byte
	// LockFile is the file whose OS lock (flock) keeps digest runs apart,
	// across processes: a file in the data folder, beside the database.
	// Run and Resend refuse to send without it.
	LockFile string
	// MaxAttempts bounds the tries per message on temporary failures; default 4.
	MaxAttempts int
	// Backoff is the wait before retry n (1-based); default 1 s doubling, at most 30 s.
	Backoff func(n int) time.Duration
	// Sleep waits for d or until ctx ends; tests replace it. Default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnSent is called after each accepted message (metrics).
	OnSent func()
	// Log receives progress and errors; default discards.
	Log *slog.Logger
	// Horizon returns the time up to which the snapshot holds every
	// article first seen (the corpus's Horizon); a window ends there at
	// the latest. Default: Now.
	Horizon func() time.Time
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Digest builds, records and sends digests.
type Digest struct {
	db       *sql.DB
	snapshot func() *feed.Snapshot
	dial     func() (Sender, error)
	opts     Options
	tmpl     *templateSet
	pages    *pageTemplates
	from     *mail.Address
	// wake tells SendConfirmations that an email was queued.
	wake chan struct{}
}

// New migrates the digest tables in db and checks the templates and the
// sender address. dial makes a Sender for each run (one connection per run)
// and for each confirmation email.
func New(ctx context.Context, db *sql.DB, snapshot func() *feed.Snapshot, dial func() (Sender, error), opts Options) (*Digest, error) {
	if opts.Name == "" {
		opts.Name = "Karabakh diplomacy weekly"
	}
	if opts.DailyName == "" {
		opts.DailyName = strings.Replace(opts.Name, "weekly", "daily", 1)
		if opts.DailyName == opts.Name {
			opts.DailyName = opts.Name + " (daily)"
		}
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Window <= 0 {
		opts.Window = 7 * 24 * time.Hour
	}
	if opts.PerTheme <= 0 {
		opts.PerTheme = 10
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 4
	}
	if opts.Backoff == nil {
		opts.Backoff = func(n int) time.Duration {
			return min(time.Second<<(n-1), 30*time.Second)
		}
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Secret) < 32 {
		return nil, errors.New("token secret must be at least 32 bytes")
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	if opts.From == nil || opts.From.Address == "" {
		return nil, errors.New("no from address")
	}
	from := *opts.From
	// Its domain in ASCII, as recipients' go out: it is in the From
	// header, the envelope, Message-IDs and List-Id, where a relay
	// without SMTPUTF8 takes no other.
	from.Address = wireAddress(from.Address)
	tmpl, err := loadTemplates(opts.Templates)
	if err != nil {
		return nil, err
	}
	pages, err := loadPageTemplates()
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	return &Digest{db: db, snapshot: snapshot, dial: dial, opts: opts, tmpl: tmpl, pages: pages, from: &from, wake: make(chan struct{}, 1)}, nil
}

// taxonomy is the taxonomy subscribers choose themes from, nil when
// there is none (no snapshot and none given).
func (d *Digest) taxonomy() *theme.Taxonomy {
	if d.opts.Taxonomy != nil {
		return d.opts.Taxonomy
	}
	if d.snapshot != nil {
		if snap := d.snapshot(); snap != nil {
			return snap.Taxonomy
		}
	}
	return nil
}

// domain is the part of the sender address after the @, for Message-IDs
// and List-Id.
func (d *Digest) domain() string {
	_, dom, _ := strings.Cut(d.from.Address, "@")
	return strings.ToLower(dom)
}

func sleep(ctx context.Context, dur time.Duration) error {
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
