package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// FeedID is the tag: URI prefix (RFC 4151) of every feed and entry id,
// "tag:AUTHORITY,DATE:". It is fixed when a database is first used and
// stored in it, so a new base URL never re-keys the entries readers have.
type FeedID struct {
	// Authority is a DNS name or an e-mail address, lower case.
	Authority string
	// Date is YYYY, YYYY-MM or YYYY-MM-DD: a day the authority was held.
	Date string
}

// String returns "AUTHORITY,DATE", the form ParseFeedID reads.
func (id FeedID) String() string { return id.Authority + "," + id.Date }

// tag returns the tag: URI of specific under id.
func (id FeedID) tag(specific string) string {
	return "tag:" + id.Authority + "," + id.Date + ":" + specific
}

// ErrFeedID reports a feed id that is not "AUTHORITY,DATE".
var ErrFeedID = errors.New("feed id must be AUTHORITY,DATE such as example.org,2026")

var (
	dnsName    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
	emailLocal = regexp.MustCompile(`^[a-z0-9!#$%&'*+/=?^_{|}~.-]+$`)
)

// ParseFeedID reads "AUTHORITY,DATE", with or without a leading "tag:":
// a DNS name or e-mail address, and a date of the form YYYY, YYYY-MM or
// YYYY-MM-DD. It is the one check of --feed-id and of the stored id.
func ParseFeedID(s string) (FeedID, error) {
	auth, date, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(s), "tag:"), ",")
	id := FeedID{Authority: strings.ToLower(auth), Date: date}
	host := id.Authority
	if local, domain, isMail := strings.Cut(host, "@"); isMail {
		if !emailLocal.MatchString(local) {
			ok = false
		}
		host = domain
	}
	if !ok || len(host) > 253 || !dnsName.MatchString(host) || !validTagDate(date) {
		return FeedID{}, fmt.Errorf("%q: %w", s, ErrFeedID)
	}
	return id, nil
}

func validTagDate(d string) bool {
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		if len(d) == len(layout) {
			if _, err := time.Parse(layout, d); err == nil {
				return true
			}
		}
	}
	return false
}

// legacyTagDate is the date of every id written before ids were stored:
// those entries keep it.
const legacyTagDate = "2026"

// storedFeedID returns the feed id the database holds, "" when none is
// stored yet.
func storedFeedID(ctx context.Context, q queryer) (string, error) {
	var stored string
	err := q.QueryRowContext(ctx, `SELECT value FROM feed_settings WHERE key = 'feed_id'`).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read feed id: %w", err)
	}
	return stored, nil
}

// settleFeedID returns the feed id of the database and stores it: the
// override when given; else the stored one; else, for a database that
// already has articles (written before ids were stored), the id they
// already have, host and legacyTagDate; else host and now's year.
func settleFeedID(ctx context.Context, db *sql.DB, override *FeedID, host string, now time.Time) (FeedID, error) {
	stored, err := storedFeedID(ctx, db)
	if err != nil {
		return FeedID{}, err
	}
	var id FeedID
	switch {
	case override != nil:
		id = *override
	case stored != "":
		if id, err = ParseFeedID(stored); err != nil {
			return FeedID{}, fmt.Errorf("stored feed id: %w", err)
		}
		return id, nil
	default:
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
			return FeedID{}, fmt.Errorf("read feed id: %w", err)
		}
		id = FeedID{Authority: host, Date: now.Format("2006")}
		if n > 0 {
			id.Date = legacyTagDate
		}
		// Store only what the next start can read back: a host that is
		// no DNS name (an IPv6 literal, a name with "_") needs --feed-id.
		if _, err := ParseFeedID(id.String()); err != nil {
			return FeedID{}, fmt.Errorf("base URL host %q cannot name the feed ids, set --feed-id: %w", host, ErrFeedID)
		}
	}
	if id.String() != stored {
		if _, err := db.ExecContext(ctx, `INSERT INTO feed_settings (key, value) VALUES ('feed_id', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, id.String()); err != nil {
			return FeedID{}, fmt.Errorf("store feed id: %w", err)
		}
	}
	return id, nil
}
