package web

import (
	"net/http"
	"sort"
)

// routes registers every route of the site, in one place.
func (s *server) routes() {
	for _, doc := range []string{"feed.atom", "feed.rss", "feed.json", "feeds.opml"} {
		s.handle("GET /"+doc, s.handleDocument(func(*http.Request) string { return doc }))
	}
	s.handle("GET /themes/{file}", s.handleTheme())
	s.handle("GET /articles/{id}", s.handleArticle())
	if s.opts.Archive != nil {
		s.handle("GET /digests", s.handleArchive())
		s.handle("GET /digests/{id}", s.handleIssue())
		s.handle("GET /digests.atom", s.handleArchiveFeed())
	}
	s.handle("GET /healthz", s.handleHealth())
	s.handle("GET /{$}", s.handleIndex())
	s.handle("/", s.handleNotFound())

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
