package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/theme"
)

// Archive is where the site finds the digests it shows at /digests,
// /digests/{id} and /digests.atom. The digest package provides it (web
// does not import digest); which digests it lists is its decision.
type Archive interface {
	// Issues returns the issues the archive lists, newest first, at most
	// limit, without their Sections.
	Issues(ctx context.Context, limit int) ([]Issue, error)
	// Issue returns one issue with its Sections, or an error wrapping
	// ErrNoIssue when there is none to show under id.
	Issue(ctx context.Context, id string) (*Issue, error)
}

// ErrNoIssue reports an archive id with no issue to show.
var ErrNoIssue = errors.New("no such digest")

// Issue is one digest as its readers received it, all themes.
type Issue struct {
	// ID names the issue's page, /digests/{ID}.
	ID string
	// Name is the newsletter's name, Subject the email's subject.
	Name, Subject string
	// Period is the window it covers, e.g. "16–22 Nov 2026".
	Period string
	// Overview counts the stories by theme, e.g. "3 summits · 1 security".
	Overview string
	// Created is when it was made.
	Created time.Time
	// Articles counts the articles it holds, every outlet's report.
	Articles int
	// Quiet is true for an issue with nothing new; Note is its sentence,
	// or "" for the default one.
	Quiet bool
	Note  string
	// Sections are its themes, in order; Issues leaves them out.
	Sections []IssueSection
}

// IssueSection is one theme of an issue.
type IssueSection struct {
	theme.Theme
	Items []IssueItem
	// More counts the stories that did not fit; MoreURL is the theme's page.
	More    int
	MoreURL string
}

// IssueItem is one story of an issue, as the email showed it.
type IssueItem struct {
	Title, URL, Outlet, Summary string
	// Date is the date as the email stated it, e.g. "30 Nov 2026" or
	// "first seen 30 Nov 2026".
	Date string
	// Original is the article on its outlet's site, or "".
	Original string
	// Also are the story's other outlets.
	Also []IssueLink
}

// IssueLink is another outlet's report of a story.
type IssueLink struct{ Outlet, URL string }

// Limits of the archive's list page and feed.
const (
	archivePageSize = 500
	archiveFeedSize = 20
)

// issueSection is an IssueSection with its items in the site's item form.
type issueSection struct {
	theme.Theme
	Items   []item
	More    int
	MoreURL string
}

// issueView is what the issue template shows.
type issueView struct {
	*Issue
	Sections []issueSection
}

func viewOf(is *Issue) issueView {
	v := issueView{Issue: is}
	for _, sec := range is.Sections {
		out := issueSection{Theme: sec.Theme, More: sec.More, MoreURL: sec.MoreURL}
		for _, it := range sec.Items {
			x := item{URL: it.URL, Title: it.Title, Outlet: it.Outlet, Summary: it.Summary, Color: sec.Color, DateText: it.Date, Original: it.Original}
			for _, a := range it.Also {
				x.Also = append(x.Also, link{URL: a.URL, Outlet: a.Outlet})
			}
			out.Items = append(out.Items, x)
		}
		v.Sections = append(v.Sections, out)
	}
	return v
}

type archivePage struct {
	Site   site
	Issues []Issue
	More   bool // the list stops at archivePageSize
}

type issuePage struct {
	Site  site
	Issue issueView
}

// handleArchive lists the past digests.
func (s *server) handleArchive() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.opts.Archive.Issues(r.Context(), archivePageSize+1)
		if err != nil {
			s.opts.Log.Error("http: digest archive", "err", err)
			http.Error(w, "the digest archive could not be read", http.StatusInternalServerError)
			return
		}
		p := archivePage{Site: s.site(s.opts.Snapshot()), Issues: list}
		if len(list) > archivePageSize {
			p.Issues, p.More = list[:archivePageSize], true
		}
		s.render(w, r, http.StatusOK, "archive", p)
	})
}

// handleIssue shows one digest in the site's layout: the "view in
// browser" page.
func (s *server) handleIssue() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is, err := s.opts.Archive.Issue(r.Context(), r.PathValue("id"))
		if errors.Is(err, ErrNoIssue) {
			s.notFound(w, r, "There is no digest with this id.")
			return
		}
		if err != nil {
			s.opts.Log.Error("http: digest page", "err", err)
			http.Error(w, "the digest could not be read", http.StatusInternalServerError)
			return
		}
		s.render(w, r, http.StatusOK, "issue", issuePage{Site: s.site(s.opts.Snapshot()), Issue: viewOf(is)})
	})
}

// handleArchiveFeed serves /digests.atom: an Atom feed of the newest
// issues, one entry per digest, whose content is the issue as its page
// shows it, in plain HTML. It is rendered per request (a query of the newest issues) and
// served like the corpus's feeds: ETag, Last-Modified, 304, gzip. An issue
// never changes once sent, so a poll that finds the same issues (one query)
// gets the document rendered before.
func (s *server) handleArchiveFeed() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, err := s.archiveFeed(r.Context())
		if err != nil {
			s.opts.Log.Error("http: digest feed", "err", err)
			http.Error(w, "the digest feed could not be rendered", http.StatusInternalServerError)
			return
		}
		serveDocument(w, r, doc)
	})
}

func (s *server) archiveFeed(ctx context.Context) (*feed.Document, error) {
	snap := s.opts.Snapshot()
	list, err := s.opts.Archive.Issues(ctx, archiveFeedSize)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint(snap.BaseURL, snap.Title, snap.TagURI(""), snap.Changed.UnixNano())
	if len(list) > 0 { // the issues, not the corpus, date the feed then
		key = fmt.Sprint(snap.BaseURL, snap.Title, snap.TagURI(""))
	}
	for _, head := range list {
		key += "\x00" + head.ID
	}
	s.archive.Lock()
	defer s.archive.Unlock()
	if s.archive.doc != nil && s.archive.key == key {
		return s.archive.doc, nil
	}
	f := feed.AtomFeed{
		ID:    snap.TagURI("digests"),
		Title: snap.Title + ": past digests",
		Self:  snap.BaseURL + "/digests.atom",
		Home:  snap.BaseURL + "/digests",
		// With no issue yet, the feed is as old as the corpus's last change.
		Updated: snap.Changed,
	}
	if len(list) > 0 {
		f.Updated = list[0].Created
	}
	for _, head := range list {
		is, err := s.opts.Archive.Issue(ctx, head.ID)
		if err != nil {
			return nil, err
		}
		var body bytes.Buffer
		if err := s.pages["issue"].ExecuteTemplate(&body, "issuefeed", viewOf(is)); err != nil {
			return nil, fmt.Errorf("render digest %s: %w", is.ID, err)
		}
		summary := is.Overview
		if is.Quiet {
			summary = "Nothing new."
		}
		f.Entries = append(f.Entries, feed.AtomEntry{
			ID: snap.TagURI("digest/" + url.PathEscape(is.ID)), Title: is.Subject, Summary: summary,
			Link:    snap.BaseURL + "/digests/" + url.PathEscape(is.ID),
			Content: strings.TrimSpace(body.String()), Published: is.Created, Updated: is.Created,
		})
	}
	b, err := feed.RenderAtom(f)
	if err != nil {
		return nil, fmt.Errorf("render /digests.atom: %w", err)
	}
	// The previous rendering keeps Last-Modified from going back (the
	// corpus's scan time dates an empty archive, the issues a full one).
	s.archive.key, s.archive.doc = key, feed.NewDocument(b, feed.TypeAtom, f.Updated, s.archive.doc)
	return s.archive.doc, nil
}
