package web

import (
	"net/http"
	"sort"
)

// The routes of the subscription pages. Their handlers belong to the
// package that keeps the subscribers (digest), which hands them in through
// Options.Routes under these patterns: every route of the site is named in
// this file.
const (
	RouteSubscribe       = "POST /subscribe"         // the subscribe form
	RouteConfirmPage     = "GET /subscribe/confirm"  // the confirmation link: a page with a Confirm button
	RouteConfirm         = "POST /subscribe/confirm" // the Confirm button
	RouteUnsubscribePage = "GET /unsubscribe"        // the unsubscribe link: a page with a button
	RouteUnsubscribe     = "POST /unsubscribe"       // that button, and the RFC 8058 one-click unsubscribe
	RoutePreferencesPage = "GET /preferences"        // a reader's preferences
	RoutePreferences     = "POST /preferences"       // a change of them
)

// routes registers every route of the site, in one place.
func (s *server) routes() {
	for _, doc := range []string{"feed.atom", "feed.rss", "feed.json", "feeds.opml"} {
		s.handle("GET /"+doc, s.handleDocument(func(*http.Request) string { return doc }))
	}
	s.handle("GET /themes/{file}", s.handleTheme())
	s.handle("GET /themes/{id}/page/{n}", s.handleThemeOlder())
	s.handle("GET /articles/{id}", s.handleArticle())
	// A page's address with a trailing slash, as a static host of the
	// build (PATH/index.html) has it, is the page's.
	s.handle("GET /articles/{id}/{$}", s.handleSlash("/articles/"))
	s.handle("GET /themes/{file}/{$}", s.handleSlash("/themes/"))
	s.handle("GET /themes/{id}/page/{n}/{$}", s.handleSlash("/themes/"))
	if s.opts.Archive != nil {
		s.handle("GET /digests", s.handleArchive())
		s.handle("GET /digests/{id}", s.handleIssue())
		s.handle("GET /digests/{$}", s.handleSlash("/"))
		s.handle("GET /digests/{id}/{$}", s.handleSlash("/digests/"))
		s.handle("GET /digests.atom", s.handleArchiveFeed())
	}
	s.handle("GET /healthz", s.handleHealth())
	s.handle("GET /{$}", s.handleIndex())
	s.handle("/", s.handleNotFound())

	// The handlers handed in: the subscription routes above (and, in
	// tests, any other).
	patterns := make([]string, 0, len(s.opts.Routes))
	for p := range s.opts.Routes {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, p := range patterns {
		s.handle(p, s.opts.Routes[p])
	}
}

// handle registers h under pattern with request logging and metrics
// labelled by the pattern.
func (s *server) handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, s.instrument(pattern, h))
}
