package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kdigest/kdigest/feed"
	"github.com/kdigest/kdigest/feed/article"
	"github.com/kdigest/kdigest/feed/theme"
)

func inspectCommand() *command {
	var asJSON bool
	return &command{
		name:    "inspect",
		args:    "[--json] [--themes FILE] FILE...",
		summary: "parse article files and print what was extracted (no server, no state)",
		help: `Inspect parses each FILE as a raw article and prints its title, date, outlet,
agency, dateline, summary, body, themes, relevance and story. With --json it
prints one JSON array with an object per file. A file that cannot be read or
is not text (binary, empty, over 2 MiB) gets an object with an "error" field,
and the command exits 1 after printing all the others. A seed's sidecar
(NAME.json beside NAME.txt or NAME.html) is read with it; named among the
files too (inspect seeds/*), it is not inspected as a page of its own.`,
		settings: groupThemes,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print JSON instead of a text report")
		},
		run: func(ctx context.Context, e env, c *config, args []string) int {
			if len(args) == 0 {
				fmt.Fprintln(e.stderr, "kdigest inspect: no files given")
				return exitUsage
			}
			tax, err := loadTaxonomy(c.Themes)
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest inspect: %v\n", err)
				return exitFailure
			}
			reports := inspectFiles(withoutSidecars(args), tax, time.Now())
			if asJSON {
				err = writeInspectJSON(e.stdout, reports)
			} else {
				err = writeInspectText(e.stdout, reports)
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "kdigest inspect: %v\n", err)
				return exitFailure
			}
			for _, r := range reports {
				if r.err != nil {
					fmt.Fprintf(e.stderr, "kdigest inspect: %v\n", r.err)
				}
			}
			for _, r := range reports {
				if r.err != nil {
					return exitFailure
				}
			}
			return exitOK
		},
	}
}

// loadTaxonomy returns the embedded default taxonomy, or the one in path.
func loadTaxonomy(path string) (*theme.Taxonomy, error) {
	if path == "" {
		return theme.Default()
	}
	return theme.Load(path)
}

// withoutSidecars leaves out of files the sidecars of the seeds among
// them, which are read with their seed.
func withoutSidecars(files []string) []string {
	sidecars := map[string]bool{} // the paths inspectFiles reads as a seed's sidecar
	for _, f := range files {
		if feed.IsSeed(filepath.Base(f)) {
			sidecars[feed.SidecarName(f)] = true
		}
	}
	var out []string
	for _, f := range files {
		if !sidecars[f] {
			out = append(out, f)
		}
	}
	return out
}

// inspection is what inspect learned about one file.
type inspection struct {
	file    string
	article *article.Article
	class   theme.Result
	story   string
	err     error
}

// inspectFiles runs the files through the corpus's pipeline as one batch
// (feed.AnalyzeAll): the same line statistics, classification and story
// rules as serve applies to a folder of these files.
func inspectFiles(files []string, tax *theme.Taxonomy, now time.Time) []inspection {
	out := make([]inspection, len(files))
	var seeds []feed.Seed
	var at []int // out index of each seed
	for i, f := range files {
		out[i].file = f
		raw, err := readFile(f)
		if err != nil {
			out[i].err = err
			continue
		}
		sidecar, _ := os.ReadFile(feed.SidecarName(f)) // optional
		seeds = append(seeds, feed.Seed{Name: filepath.Base(f), Raw: raw, Sidecar: sidecar})
		at = append(at, i)
	}
	for k, an := range feed.AnalyzeAll(seeds, tax, now) {
		i := at[k]
		if an.Err != nil {
			out[i].err = an.Err
			continue
		}
		out[i].article, out[i].class, out[i].story = an.Article, an.Class, an.Story
	}
	return out
}

// readFile reads one file given to inspect, refusing what is no regular
// file or is over article.MaxSize.
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", path)
	}
	if st.Size() > article.MaxSize {
		return nil, fmt.Errorf("read %s: %w (%d bytes, limit %d)", path, article.ErrTooLarge, st.Size(), article.MaxSize)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return raw, nil
}

// classJSON is the themes part of an inspect object.
type classJSON struct {
	Theme     *string             `json:"theme"`
	Themes    []string            `json:"themes"`
	Scores    map[string]float64  `json:"theme_scores"`
	Matches   map[string][]string `json:"theme_matches"`
	Relevant  bool                `json:"relevant"`
	Relevance float64             `json:"relevance"`
	Story     string              `json:"story"`
}

func writeInspectJSON(w io.Writer, reports []inspection) error {
	var buf bytes.Buffer
	buf.WriteString("[")
	for i, r := range reports {
		if i > 0 {
			buf.WriteString(",")
		}
		head := map[string]string{"file": r.file}
		if r.err != nil {
			head["error"] = r.err.Error()
			b, err := json.Marshal(head)
			if err != nil {
				return err
			}
			buf.Write(b)
			continue
		}
		cj := classJSON{Themes: r.class.Themes, Scores: r.class.Scores, Matches: r.class.Matches,
			Relevant: r.class.Relevant, Relevance: r.class.Relevance, Story: r.story}
		if r.class.Theme != "" {
			cj.Theme = &r.class.Theme
		}
		if cj.Themes == nil {
			cj.Themes = []string{}
		}
		if cj.Scores == nil {
			cj.Scores = map[string]float64{}
		}
		if cj.Matches == nil {
			cj.Matches = map[string][]string{}
		}
		obj, err := joinObjects(head, r.article, cj)
		if err != nil {
			return fmt.Errorf("encode %s: %w", r.file, err)
		}
		buf.Write(obj)
	}
	buf.WriteString("]")
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// joinObjects marshals each value to a JSON object and joins their members,
// in order, into one object.
func joinObjects(parts ...any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		b = bytes.TrimSpace(b)
		if len(b) < 2 || b[0] != '{' {
			return nil, fmt.Errorf("%T is not a JSON object", p)
		}
		inner := bytes.TrimSpace(b[1 : len(b)-1])
		if len(inner) == 0 {
			continue
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(inner)
		n++
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func writeInspectText(w io.Writer, reports []inspection) error {
	var b strings.Builder
	for i, r := range reports {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "== %s\n", r.file)
		if r.err != nil {
			fmt.Fprintf(&b, "error:      %v\n", r.err)
			continue
		}
		a := r.article
		title := a.Title
		if a.TitleSynthesized {
			title += "  (synthesized from the lede)"
		}
		line := func(label, v string) {
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(&b, "%-11s %s\n", label+":", v)
		}
		line("id", a.ID)
		line("title", title)
		pub := ""
		if !a.Published.IsZero() {
			pub = a.Published.Format(time.RFC3339) + " (" + string(a.PublishedPrecision) + ")"
		}
		line("published", pub)
		line("source", a.Source)
		line("agency", a.Agency)
		line("dateline", a.Dateline)
		line("url", a.URL)
		line("words", fmt.Sprint(a.Words))
		rel := "no"
		if r.class.Relevant {
			rel = "yes"
		}
		line("relevant", fmt.Sprintf("%s (%.2f)", rel, r.class.Relevance))
		line("theme", r.class.Theme)
		var ts []string
		for _, id := range r.class.Themes {
			ts = append(ts, fmt.Sprintf("%s %.2f [%s]", id, r.class.Scores[id], strings.Join(r.class.Matches[id], ", ")))
		}
		line("themes", strings.Join(ts, "; "))
		line("story", r.story)
		line("summary", a.Summary)
		for _, wmsg := range a.Warnings {
			line("warning", wmsg)
		}
		b.WriteString("body:\n")
		for _, p := range a.Body {
			fmt.Fprintf(&b, "  | %s\n", p)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
