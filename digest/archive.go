package digest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kdigest/kdigest/feed/web"
)

// Archive returns the archive of past digests for the web server: every
// digest to subscribers is listed; a one-off (--to) is never listed, and
// its page is found only by its random id, which only its recipients have.
// The archive shows each issue as its readers received it, all themes,
// and nothing of who received it.
func (d *Digest) Archive() web.Archive { return archive{d} }

type archive struct{ d *Digest }

// Issues lists the digests to subscribers, newest first, without their
// sections: the fields come out of the stored issue in SQL.
func (a archive) Issues(ctx context.Context, limit int) ([]web.Issue, error) {
	rows, err := a.d.db.QueryContext(ctx, `
		SELECT id, created, subject, json_extract(issue, '$.Name'), json_extract(issue, '$.Period'),
			json_extract(issue, '$.Overview'), json_extract(issue, '$.Articles'), json_extract(issue, '$.Quiet'),
			json_extract(issue, '$.Note')
		FROM digests WHERE kind != 'to' ORDER BY created DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("digest archive: %w", err)
	}
	defer rows.Close()
	var out []web.Issue
	for rows.Next() {
		var is web.Issue
		var created string
		var name, period, overview, note sql.NullString
		var articles sql.NullInt64
		var quiet sql.NullBool
		if err := rows.Scan(&is.ID, &created, &is.Subject, &name, &period, &overview, &articles, &quiet, &note); err != nil {
			return nil, fmt.Errorf("digest archive: %w", err)
		}
		is.Created, is.Name, is.Period, is.Overview = parseTime(created), name.String, period.String, overview.String
		is.Articles, is.Quiet, is.Note = int(articles.Int64), quiet.Bool, note.String
		out = append(out, is)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("digest archive: %w", err)
	}
	return out, nil
}

// Issue returns the web copy of digest id.
func (a archive) Issue(ctx context.Context, id string) (*web.Issue, error) {
	var created, issue string
	err := a.d.db.QueryRowContext(ctx, `SELECT created, issue FROM digests WHERE id = ?`, id).Scan(&created, &issue)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("digest %q: %w", id, web.ErrNoIssue)
	}
	if err != nil {
		return nil, fmt.Errorf("digest %q: %w", id, err)
	}
	var is Issue
	if err := json.Unmarshal([]byte(issue), &is); err != nil {
		return nil, fmt.Errorf("digest %s: stored issue: %w", id, err)
	}
	return webIssue(id, parseTime(created), &is), nil
}

// webIssue is the issue as the archive shows it.
func webIssue(id string, created time.Time, is *Issue) *web.Issue {
	out := &web.Issue{ID: id, Name: is.Name, Subject: is.Subject, Period: is.Period, Overview: is.Overview,
		Created: created, Articles: is.Articles, Quiet: is.Quiet, Note: is.Note}
	for _, sec := range is.Sections {
		ws := web.IssueSection{Theme: sec.Theme, More: sec.More, MoreURL: sec.MoreURL}
		for _, it := range sec.Items {
			wi := web.IssueItem{Title: it.Title, URL: it.URL, Outlet: it.Outlet, Summary: it.Summary, Date: it.Date, Original: it.Original}
			for _, o := range it.Also {
				wi.Also = append(wi.Also, web.IssueLink{Outlet: o.Outlet, URL: o.URL})
			}
			ws.Items = append(ws.Items, wi)
		}
		out.Sections = append(out.Sections, ws)
	}
	return out
}
