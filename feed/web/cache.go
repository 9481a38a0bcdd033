package web

import (
	"sync"

	"github.com/kdigest/kdigest/feed"
)

// pageCache holds the pages that depend on the snapshot alone (the front
// page, the theme pages), rendered once per snapshot, as the feeds are:
// a request then costs what serving bytes costs, whatever the corpus's
// size, and a burst of requests after a change renders each page once.
type pageCache struct {
	mu    sync.Mutex
	pages map[string]cachedPage // by page key, its latest rendering
}

// cachedPage is a page's latest rendering and the version of the snapshot
// it was rendered from (the version, not the snapshot: a page not asked
// for since must not keep an old corpus in memory).
type cachedPage struct {
	version uint64
	doc     *feed.Document
}

// get returns the page key of snap, made by render (given the page's
// latest rendering, so an unchanged page keeps its Modified) when the
// cache has none of snap yet. A request holding a snapshot older than the
// page's latest rendering gets its page rendered, not kept.
func (c *pageCache) get(snap *feed.Snapshot, key string, render func(*feed.Snapshot, *feed.Document) (*feed.Document, error)) (*feed.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[key]
	switch {
	case ok && p.version == snap.Version:
		return p.doc, nil
	case ok && snap.Version < p.version:
		return render(snap, nil)
	}
	d, err := render(snap, p.doc)
	if err != nil {
		return nil, err
	}
	if c.pages == nil {
		c.pages = map[string]cachedPage{}
	}
	c.pages[key] = cachedPage{version: snap.Version, doc: d}
	return d, nil
}
