// Package feed owns the corpus: it scans the seeds folder, applies one
// batch of changes at a time, keeps every article in SQLite (plain columns,
// with its content hash, first-seen time and the versions that parsed it),
// keeps the story index and the line statistics extraction uses, and
// renders the Atom, RSS, JSON Feed and OPML documents once per change.
// Memory holds what is served: the rendered feeds, each article's entry
// without its body, and the story index. It knows nothing of HTTP or email: feed/web
// serves the bytes it renders and digest reads its snapshots.
package feed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdigest/kdigest/feed/theme"
)

// ErrBaseURL reports an Options.BaseURL that is not an absolute http(s) URL.
var ErrBaseURL = errors.New("base URL must be an absolute http or https URL")

// Options configures a Corpus. Zero fields get the defaults documented on
// each one when the corpus is opened.
type Options struct {
	// Dir is the seeds folder; only its seed files (see IsSeed) are read,
	// and a symbolic link only when its target is inside the folder.
	Dir string
	// Size is the most entries a feed carries; default 50.
	Size int
	// BaseURL is the absolute base of every link, e.g. "https://example.org";
	// default "http://127.0.0.1:8080".
	BaseURL string
	// Title is the feeds' title; default "Karabakh diplomacy".
	Title string
	// IncludeIrrelevant puts off-topic articles into feeds and digests too.
	IncludeIrrelevant bool
	// SaveDocuments saves each snapshot's documents for the next start to
	// serve while it loads (SavedDocuments): the service sets it, a
	// command that opens the corpus for one job does not.
	SaveDocuments bool
	// Release names the program's build (its version line): documents
	// saved by another release are not served (SavedDocuments).
	Release string
	// Taxonomy classifies articles; default theme.Default().
	Taxonomy *theme.Taxonomy
	// FeedID, when set ("AUTHORITY,DATE", see ParseFeedID), replaces the
	// feed id stored in the database, and is stored. Unset, the stored id
	// is kept; the first run stores BaseURL's host and the year.
	FeedID string
	// Hub is a WebSub hub URL advertised in the feeds, or "".
	Hub string
	// OnChange, when set, is called with each new snapshot after a change,
	// while the corpus is locked: it must not call Rescan or Apply.
	OnChange func(*Snapshot)
	// ParserVersion identifies the pipeline's output; rows saved by
	// another version are parsed again. Default: PipelineVersion.
	ParserVersion string
	// Log receives one line per failed file and per change; default discards.
	Log *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Corpus is the set of articles in a seeds folder and the state that
// outlives restarts. Its methods are safe for concurrent use; changes are
// applied one at a time.
type Corpus struct {
	db   *sql.DB
	opts Options
	tag  FeedID // the prefix of every feed and entry id
	addr *entryAddr
	// themeLists holds one copy of each list of themes entries have,
	// by the list joined (see share); parses add to it concurrently.
	themeLists sync.Map
	// docKey is the key the documents are saved under (SavedDocuments);
	// docsSaved reports that the last snapshot's were (see store).
	docKey    string
	docsSaved bool
	// savedStamps are the saved documents of the first snapshot's key,
	// without their bodies, while Open publishes it: a document whose
	// bytes are the same keeps its Last-Modified over a restart (see
	// document).
	savedStamps map[string]*Document

	// the most files, and bytes of them, a change reads and saves at
	// once: scanPart and partBytes
	scanPart  int
	partBytes int64

	// busySince is when the change in progress began (Unix ns), or the
	// first change whose saved articles are not published yet, 0 when
	// none is: their articles are first seen after it (Horizon).
	busySince atomic.Int64

	mu      sync.Mutex
	outside map[string]bool    // links out of the folder, logged once
	links   map[string]string  // seeds that are links inside the folder: name -> target
	recs    map[string]*record // by article id, removed files included
	failed  map[string]failure // by file name
	stories *theme.StoryIndex  // every parsed article present, by story
	// storiesStale reports an index that a failed write left ahead of
	// the database; the next commit reloads it first.
	storiesStale bool
	// pending holds, while a change updates the index, the parses of
	// the change, which the database does not hold yet.
	pending map[string]*parsed
	// loaded holds, while a change updates the index, the shingles read
	// from the database, so each is read once per change however many
	// of its articles it is compared with.
	loaded map[string][]uint32
	// shingles reads the shingles of one article (setStories): prepared
	// once, as a first start reads hundreds of thousands.
	shingles *sql.Stmt
	docs     int // the articles line_df counts
	// gen is the corpus tables' generation this corpus last read or
	// wrote (see bumpGeneration): another process that scans the same
	// folder into the same database (kdigest digest or build beside
	// serve) moves it, and memory is then read again before a change.
	gen int64
	// unpublished reports a change saved and in memory whose snapshot
	// could not be built, or was not to be (the parts of a large change
	// before its last); the next commit publishes it, and reports the
	// articles it added, updated and removed, held here, with its own.
	unpublished bool
	held        tally
	snap        atomic.Pointer[Snapshot]
}

// failure is why a file could not be used, and the content that failed,
// so an unchanged bad file is neither parsed nor logged again.
type failure struct {
	reason string
	hash   string
}

// Open migrates the corpus's table in db, loads the saved articles and
// publishes a first snapshot of them. It does not read Dir: call Rescan.
func Open(ctx context.Context, db *sql.DB, opts Options) (*Corpus, error) {
	opts, host, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	var override *FeedID
	if opts.FeedID != "" {
		id, err := ParseFeedID(opts.FeedID)
		if err != nil {
			return nil, fmt.Errorf("open corpus: %w", err)
		}
		override = &id
	}
	if err := migrate(ctx, db, opts.Log); err != nil {
		return nil, err
	}
	tag, err := settleFeedID(ctx, db, override, host, opts.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("open corpus: %w", err)
	}
	start := time.Now()
	c := &Corpus{db: db, opts: opts, tag: tag, addr: &entryAddr{base: opts.BaseURL, tag: tag}, docKey: documentsKey(opts, tag), scanPart: scanPart, partBytes: partBytes, failed: map[string]failure{}, outside: map[string]bool{}, links: map[string]string{}}
	if c.shingles, err = db.PrepareContext(ctx, `SELECT shingles FROM article_texts WHERE id = ?`); err != nil {
		return nil, fmt.Errorf("open corpus: %w", err)
	}
	if err := c.load(ctx); err != nil {
		c.shingles.Close()
		return nil, err
	}
	if opts.SaveDocuments {
		c.savedStamps = c.readSavedStamps(ctx)
	}
	err = c.publish(ctx)
	c.savedStamps = nil
	if err != nil {
		c.shingles.Close()
		return nil, err
	}
	c.opts.Log.Debug("open", "articles", len(c.recs), "duration", time.Since(start))
	return c, nil
}

func withDefaults(o Options) (Options, string, error) {
	if o.Size <= 0 {
		o.Size = 50
	}
	if o.BaseURL == "" {
		o.BaseURL = "http://127.0.0.1:8080"
	}
	base, err := ParseBaseURL(o.BaseURL)
	if err != nil {
		return o, "", fmt.Errorf("open corpus: %w", err)
	}
	o.BaseURL = base
	u, _ := url.Parse(base)
	if o.Title == "" {
		o.Title = "Karabakh diplomacy"
	}
	if o.Taxonomy == nil {
		t, err := theme.Default()
		if err != nil {
			return o, "", fmt.Errorf("open corpus: %w", err)
		}
		o.Taxonomy = t
	}
	if o.ParserVersion == "" {
		o.ParserVersion = PipelineVersion
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, strings.ToLower(u.Hostname()), nil
}

// ParseBaseURL checks a base URL (Options.BaseURL) and returns it without
// its trailing slashes: an absolute http or https URL with a host name.
// It is the one rule: the command line checks --base-url with it, so a
// value it accepts is one Open accepts.
func ParseBaseURL(s string) (string, error) {
	base := strings.TrimRight(s, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("%q: %w", s, ErrBaseURL)
	}
	return base, nil
}

// Snapshot returns the current snapshot; it never returns nil.
func (c *Corpus) Snapshot() *Snapshot { return c.snap.Load() }

// FeedID returns the prefix of every feed and entry id, as stored.
func (c *Corpus) FeedID() FeedID { return c.tag }

// Dir returns the seeds folder the corpus reads.
func (c *Corpus) Dir() string { return c.opts.Dir }

func (c *Corpus) now() time.Time { return c.opts.Now().UTC() }

// Horizon returns a time up to which every article the corpus has first
// seen is in the snapshot read after it: the start of the change in
// progress (or of the first change saved but not yet published), or now.
// A digest ends its window there, so an article parsed but not yet
// published is not left before the next window.
func (c *Corpus) Horizon() time.Time {
	if b := c.busySince.Load(); b != 0 {
		return time.Unix(0, b-1).UTC() // its articles may be first seen at its very start
	}
	return c.now()
}

// busy marks a change in progress until the returned function is called,
// and past it while a change saved is not published (see commit): the
// horizon stays at the start of the first such change until a later one
// publishes its articles. Called with c.mu held.
func (c *Corpus) busy() func() {
	c.busySince.CompareAndSwap(0, c.now().UnixNano())
	return func() {
		if !c.unpublished {
			c.busySince.Store(0)
		}
	}
}

// statDir checks that the seeds folder exists, so a missing folder is an
// error rather than every article being removed, and returns its real
// path (links resolved), which the reads of a change go by.
func (c *Corpus) statDir() (string, error) {
	root, err := filepath.Abs(c.opts.Dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return "", fmt.Errorf("seeds folder: %w", err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return "", fmt.Errorf("seeds folder: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("seeds folder %s: %w", c.opts.Dir, ErrNotDir)
	}
	return root, nil
}

// ErrNotDir reports a seeds path that is not a folder.
var ErrNotDir = errors.New("not a directory")
