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
	mu   sync.Mutex
	snap *feed.Snapshot
	docs map[string]*feed.Document // by page key, rendered from snap
	last map[string]*feed.Document // by page key, the latest rendered: an unchanged page keeps its Modified
}

// get returns the page key of snap, made by render (given the page's
// latest rendering) when snap has none yet. A request holding a snapshot
// older than the cache's gets its page rendered, not kept.
func (c *pageCache) get(snap *feed.Snapshot, key string, render func(*feed.Snapshot, *feed.Document) (*feed.Document, error)) (*feed.Document, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if snap != c.snap {
		if c.snap != nil && snap.Version < c.snap.Version {
			return render(snap, nil)
		}
		c.snap, c.docs = snap, map[string]*feed.Document{}
	}
	if d, ok := c.docs[key]; ok {
		return d, nil
	}
	d, err := render(snap, c.last[key])
	if err != nil {
		return nil, err
	}
	if c.last == nil {
		c.last = map[string]*feed.Document{}
	}
	c.docs[key], c.last[key] = d, d
	return d, nil
}
