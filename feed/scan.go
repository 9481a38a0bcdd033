package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kdigest/kdigest/feed/article"
)

// seedName reports whether a file name is a seed: a visible .txt file that
// is not an editor's backup or a partial download.
func seedName(name string) bool {
	if name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") {
		return false
	}
	return strings.HasSuffix(name, ".txt") && len(name) > len(".txt")
}

// idOf is the article id of a seed file: its name without the extension.
func idOf(name string) string { return strings.TrimSuffix(name, ".txt") }

// job is one seed file to read.
type job struct {
	name string
	id   string
	size int64
	mod  int64
}

// outcome is what reading one seed file gave.
type outcome struct {
	job
	hash   string
	rec    *record  // the new record, nil when the file failed
	parsed *parsed  // what its parse adds to the record; nil when not parsed
	lines  []uint64 // the page's line keys, when it needs a parse
	err    error    // why the file failed
}

// Rescan reads the whole seeds folder: new and changed files are parsed,
// unchanged ones (same size and modification time, or same content) are
// not, and files that are gone leave the corpus. A file that fails to parse
// is recorded in Snapshot.Failed and keeps its last good version, if any.
func (c *Corpus) Rescan(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := time.Now()
	if err := c.statDir(); err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	des, err := os.ReadDir(c.opts.Dir)
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	var names []string
	for _, de := range des {
		if seedName(de.Name()) {
			names = append(names, de.Name())
		}
	}
	// One stat per file, on every CPU: most of a rescan that finds nothing new.
	infos := make([]fs.FileInfo, len(names))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, name := range names {
		g.Go(func() error {
			infos[i], _ = os.Stat(filepath.Join(c.opts.Dir, name)) // follows symlinks
			return nil
		})
	}
	g.Wait()
	present := make(map[string]bool, len(names))
	var jobs []job
	for i, name := range names {
		info := infos[i]
		if info == nil || !info.Mode().IsRegular() {
			continue // gone since the listing, or not a file
		}
		j := job{name: name, id: idOf(name), size: info.Size(), mod: info.ModTime().UnixNano()}
		present[name] = true
		if r := c.recs[j.id]; r != nil && c.current(r, j) {
			if _, bad := c.failed[name]; !bad {
				continue
			}
		}
		jobs = append(jobs, j)
	}
	outs, err := c.read(ctx, jobs)
	if err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	ch := c.collect(outs)
	for _, r := range c.recs {
		if !r.removed && !present[r.file] {
			ch.remove(r)
		}
	}
	for name := range c.failed {
		if !present[name] {
			ch.forget(name)
		}
	}
	if err := c.commit(ctx, ch); err != nil {
		return fmt.Errorf("rescan: %w", err)
	}
	c.opts.Log.Debug("rescan", "files", len(present), "read", len(jobs), "duration", time.Since(start))
	return nil
}

// Apply brings the changes of the named seed files into the corpus:
// created, changed or removed. Names are base names or paths; other files
// are not read, and the feeds are rendered once for the whole batch. Names
// that are not seeds (hidden, backup, not .txt) are ignored.
func (c *Corpus) Apply(ctx context.Context, names ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	start := time.Now()
	if err := c.statDir(); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	ch := &change{}
	var jobs []job
	seen := map[string]bool{}
	for _, name := range names {
		name = filepath.Base(name)
		if !seedName(name) || seen[name] {
			continue
		}
		seen[name] = true
		info, err := os.Stat(filepath.Join(c.opts.Dir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist) || (err == nil && !info.Mode().IsRegular()):
			if r := c.recs[idOf(name)]; r != nil && !r.removed && r.file == name {
				ch.remove(r)
			}
			if _, bad := c.failed[name]; bad {
				ch.forget(name)
			}
		case err != nil:
			return fmt.Errorf("apply %s: %w", name, err)
		default:
			jobs = append(jobs, job{name: name, id: idOf(name), size: info.Size(), mod: info.ModTime().UnixNano()})
		}
	}
	if len(jobs) > 0 {
		outs, err := c.read(ctx, jobs)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		ch.merge(c.collect(outs))
	}
	if err := c.commit(ctx, ch); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	c.opts.Log.Debug("apply", "files", len(seen), "read", len(jobs), "duration", time.Since(start))
	return nil
}

// current reports whether r already holds what the file j would give.
func (c *Corpus) current(r *record, j job) bool {
	return !r.removed && r.entry != nil && r.file == j.name && r.size == j.size &&
		r.mtime == j.mod && c.upToDate(r)
}

// upToDate reports whether r's fields were made by this parser and taxonomy.
func (c *Corpus) upToDate(r *record) bool {
	return r.entry != nil && r.extractor == c.opts.ParserVersion && r.taxonomy == c.opts.Taxonomy.Hash()
}

// read reads, hashes, parses and classifies the files of jobs on every
// CPU, with the corpus's line statistics as extraction's evidence: first
// the line keys of the files to parse are counted in, then each is parsed
// (see evidence). Called with c.mu held; workers only read the corpus.
func (c *Corpus) read(ctx context.Context, jobs []job) ([]outcome, error) {
	outs := make([]outcome, len(jobs))
	raws := make([][]byte, len(jobs))
	each := func(f func(i int)) error {
		var g errgroup.Group
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i := range jobs {
			if ctx.Err() != nil {
				break
			}
			g.Go(func() error { f(i); return nil })
		}
		g.Wait()
		return ctx.Err()
	}
	// Pass one: read and hash every file, and take the line keys of those
	// that need a parse. Bytes are kept only for a batch small enough;
	// a large one reads its files again in pass two.
	keep := len(jobs) <= 256
	err := each(func(i int) {
		raw, o := c.readFile(jobs[i])
		outs[i] = o
		if raw == nil || !c.needsParse(&outs[i]) {
			return
		}
		outs[i].lines = article.LineKeys(jobs[i].name, raw)
		if outs[i].lines == nil {
			outs[i].lines = []uint64{} // to parse all the same: Parse says why it fails
		}
		if keep {
			raws[i] = raw
		}
	})
	if err != nil {
		return outs, err
	}
	counts, err := c.batchCounts(ctx, outs)
	if err != nil {
		return outs, err
	}
	err = each(func(i int) {
		o := &outs[i]
		if o.err != nil || o.rec != nil || o.lines == nil {
			return
		}
		raw := raws[i]
		if raw == nil {
			var fresh outcome
			if raw, fresh = c.readFile(jobs[i]); raw == nil || fresh.hash != o.hash {
				*o = fresh // changed between the passes: its next change parses it
				o.lines = nil
				if o.err == nil {
					o.err = fmt.Errorf("%s changed while it was read", jobs[i].name)
				}
				return
			}
		}
		c.parse(o, raw, counts.page(o.lines))
		raws[i] = nil
	})
	return outs, err
}

// readFile reads and hashes the file of j. A file that cannot be read
// gives a nil raw and the reason in the outcome.
func (c *Corpus) readFile(j job) ([]byte, outcome) {
	o := outcome{job: j}
	if j.size > article.MaxSize {
		o.err = fmt.Errorf("%w (%d bytes, limit %d)", article.ErrTooLarge, j.size, article.MaxSize)
		return nil, o
	}
	raw, err := readSeed(filepath.Join(c.opts.Dir, j.name), j.size)
	if err != nil {
		o.err = err
		return nil, o
	}
	sum := sha256.Sum256(raw)
	o.hash = hex.EncodeToString(sum[:])
	return raw, o
}

// needsParse settles, without parsing, an outcome whose content the corpus
// already holds (the same content, parsed by this parser: only the file's
// times changed) or already failed on; it reports whether o needs a parse.
func (c *Corpus) needsParse(o *outcome) bool {
	j := o.job
	if old := c.recs[j.id]; old != nil && old.hash == o.hash && c.upToDate(old) {
		r := *old
		r.file, r.size, r.mtime, r.removed = j.name, j.size, j.mod, false
		o.rec = &r
		return false
	}
	if f, ok := c.failed[j.name]; ok && f.hash == o.hash {
		o.err = errors.New(f.reason)
		return false
	}
	return true
}

// parse runs o's bytes through the pipeline, with ev as its evidence, and
// makes its record.
func (c *Corpus) parse(o *outcome, raw []byte, ev article.Evidence) {
	j := o.job
	ev.Sidecar = c.sidecar(j.name)
	now := c.now()
	ev.Now = now
	p, err := Analyze(j.name, raw, ev, c.opts.Taxonomy)
	if err != nil {
		o.err = err
		return
	}
	r := &record{id: j.id, file: j.name, hash: o.hash, size: j.size, mtime: j.mod,
		firstSeen: now, updated: now, extractor: c.opts.ParserVersion, taxonomy: c.opts.Taxonomy.Hash()}
	if old := c.recs[j.id]; old != nil {
		r.firstSeen, r.updated = old.firstSeen, old.updated
		if old.hash != o.hash {
			r.updated = now
		}
	}
	o.parsed = &parsed{body: p.Article.Body, warnings: p.Article.Warnings, print: p.Print, lines: o.lines}
	r.entry = c.newEntry(r, p.Article, p.Class)
	o.rec = r
}

// sidecar returns the content of the seed's optional NAME.json, or nil.
func (c *Corpus) sidecar(name string) []byte {
	b, err := os.ReadFile(filepath.Join(c.opts.Dir, strings.TrimSuffix(name, filepath.Ext(name))+".json"))
	if err != nil {
		return nil
	}
	return b
}

// readSeed reads a file whose size a stat just gave. os.ReadFile stats the
// file again and reads until a read returns nothing; this reads once when
// the size still holds, which spares two of six system calls per file (a
// tenth of a cold start's time on a virtual machine). A file that grew
// since the stat is read to its end; one that shrank, to its end.
func readSeed(path string, size int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, size+1) // one byte more, to see growth
	n, err := f.Read(buf)
	for n < int(size) && err == nil { // a short read: keep on to the size
		var m int
		m, err = f.Read(buf[n:])
		n += m
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if n < len(buf) {
		return buf[:n], nil
	}
	rest, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return append(buf, rest...), nil
}
