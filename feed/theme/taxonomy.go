package theme

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed default.toml
var defaultFile []byte

// ErrInvalid marks a taxonomy file that cannot be used.
var ErrInvalid = errors.New("invalid taxonomy")

// fileFormat is the TOML layout of a taxonomy file.
type fileFormat struct {
	Name     string              `toml:"name"`
	MinScore float64             `toml:"min_score"`
	Aliases  map[string][]string `toml:"aliases"`
	Topic    topicFormat         `toml:"topic"`
	Themes   []themeFormat       `toml:"theme"`
}

type topicFormat struct {
	Description  string             `toml:"description"`
	MinRelevance float64            `toml:"min_relevance"`
	MinTheme     float64            `toml:"min_theme_score"`
	Anchors      map[string]float64 `toml:"anchors"`
	SideA        map[string]float64 `toml:"side_a"`
	SideB        map[string]float64 `toml:"side_b"`
	Negative     map[string]float64 `toml:"negative"`
}

type themeFormat struct {
	ID          string             `toml:"id"`
	Name        string             `toml:"name"`
	Description string             `toml:"description"`
	Color       string             `toml:"color"`
	Terms       map[string]float64 `toml:"terms"`
}

// Default returns the embedded Karabakh diplomacy taxonomy.
func Default() (*Taxonomy, error) {
	return Parse("default.toml", defaultFile)
}

// Load reads a taxonomy file that replaces the default.
func Load(path string) (*Taxonomy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load themes: %w", err)
	}
	return Parse(path, data)
}

// OtherID is the id of the section of the articles outside every theme
// (feed.OtherTheme): no theme may have it, or its stories and those would
// be one section, listed twice.
const OtherID = "other"

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	colorPattern = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
)

// Parse builds a taxonomy from the text of a file. Every problem is an
// error naming the file, the line where it can be found, and what is wrong;
// a taxonomy is returned only whole.
func Parse(name string, data []byte) (*Taxonomy, error) {
	var f fileFormat
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s: %w", name, pe.Position.Line, pe.Message, ErrInvalid)
		}
		return nil, fmt.Errorf("%s: %v: %w", name, err, ErrInvalid)
	}
	bad := func(format string, key []string, args ...any) error {
		line := 1
		if len(key) > 0 {
			line = lineOf(data, key[len(key)-1])
		}
		return fmt.Errorf("%s:%d: %s: %w", name, line, fmt.Sprintf(format, args...), ErrInvalid)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, bad("unknown key %q", und[0], und[0].String())
	}
	if strings.TrimSpace(f.Name) == "" {
		return nil, bad("missing name", nil)
	}
	if len(f.Themes) == 0 {
		return nil, bad("no [[theme]] entries", nil)
	}
	// TOML has nan, which no bound refuses: a NaN threshold passes no score.
	for _, th := range []struct {
		key []string
		v   float64
	}{{[]string{"min_score"}, f.MinScore}, {[]string{"topic", "min_relevance"}, f.Topic.MinRelevance}, {[]string{"topic", "min_theme_score"}, f.Topic.MinTheme}} {
		if math.IsNaN(th.v) {
			return nil, bad("%s is not a number", th.key, strings.Join(th.key, "."))
		}
	}
	// Relevance is a share of an article's paragraphs: a threshold above
	// 1 (a percentage) would pass no article.
	if f.Topic.MinRelevance > 1 {
		return nil, bad("topic.min_relevance %g is over 1: it is a share (0.3 for 30%%)", []string{"topic", "min_relevance"}, f.Topic.MinRelevance)
	}
	sum := sha256.Sum256(data)
	t := &Taxonomy{Name: f.Name, minScore: f.MinScore, topic: f.Topic.Description, hash: hex.EncodeToString(sum[:16])}
	if t.minScore <= 0 {
		t.minScore = 3
	}
	t.aliases, err = newAliases(f.Aliases)
	if err != nil {
		return nil, bad("%v", []string{"aliases"}, err)
	}
	seen := map[string]bool{}
	var groups [][]term
	for i, tf := range f.Themes {
		// Array tables have no key path of their own: find the theme's line.
		at := lineOf(data, `"`+tf.ID+`"`)
		key := func(string) []string { return nil }
		bad := func(format string, _ []string, args ...any) error {
			return fmt.Errorf("%s:%d: %s: %w", name, at, fmt.Sprintf(format, args...), ErrInvalid)
		}
		switch {
		case !idPattern.MatchString(tf.ID):
			return nil, bad("theme %d: id %q must be lower-case letters, digits and hyphens", key("id"), i+1, tf.ID)
		case tf.ID == OtherID:
			return nil, bad("theme id %q is reserved for the articles outside every theme: choose another", key("id"), tf.ID)
		case seen[tf.ID]:
			return nil, bad("theme %q defined twice", key("id"), tf.ID)
		case strings.TrimSpace(tf.Name) == "":
			return nil, bad("theme %q has no name", key("id"), tf.ID)
		case tf.Color != "" && !colorPattern.MatchString(tf.Color):
			return nil, bad("theme %q: colour %q is not #rgb or #rrggbb", key("id"), tf.ID, tf.Color)
		case len(tf.Terms) == 0:
			return nil, bad("theme %q has no terms", key("id"), tf.ID)
		}
		seen[tf.ID] = true
		terms, err := t.compile(tf.Terms)
		if err != nil {
			return nil, bad("theme %q: %v", key("id"), tf.ID, err)
		}
		color := tf.Color
		if color == "" {
			color = palette[i%len(palette)]
		}
		t.Themes = append(t.Themes, Theme{ID: tf.ID, Name: tf.Name, Description: tf.Description, Color: color, Terms: len(terms)})
		groups = append(groups, terms)
	}
	topic := []struct {
		name string
		m    map[string]float64
		need bool
	}{
		{"topic.anchors", f.Topic.Anchors, true},
		{"topic.side_a", f.Topic.SideA, false},
		{"topic.side_b", f.Topic.SideB, false},
		{"topic.negative", f.Topic.Negative, false},
	}
	for _, g := range topic {
		if g.need && len(g.m) == 0 {
			return nil, bad("[%s] is empty: the topic needs terms that make an article on-topic", nil, g.name)
		}
		terms, err := t.compile(g.m)
		if err != nil {
			return nil, bad("[%s]: %v", strings.Split(g.name, "."), g.name, err)
		}
		groups = append(groups, terms)
	}
	t.index = newIndex(groups)
	t.minRelevance = f.Topic.MinRelevance
	if t.minRelevance <= 0 {
		t.minRelevance = 0.3
	}
	t.minTheme = f.Topic.MinTheme
	if t.minTheme <= 0 {
		t.minTheme = t.minScore
	}
	return t, nil
}

// palette colours themes whose file gives none: hues a reader tells
// apart on a small dot, none the grey of "Other coverage" (#6e7781).
var palette = []string{"#1f6feb", "#8250df", "#1a7f37", "#cf222e", "#bc4c00", "#bf3989", "#0a7b83", "#9a6700"}

// compile turns a map of term to weight into matchable terms, sorted so the
// result does not depend on map order.
func (t *Taxonomy) compile(m map[string]float64) ([]term, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []term
	seen := map[string]string{}
	for _, k := range keys {
		w := m[k]
		if w == 0 || math.IsNaN(w) || w > 100 || w < -100 {
			return nil, fmt.Errorf("term %q: weight %v must be non-zero and within ±100", k, w)
		}
		toks := t.aliases.canonical(tokenize(k), nil)
		if len(toks) == 0 {
			return nil, fmt.Errorf("term %q has no words", k)
		}
		norm := strings.Join(toks, " ")
		if prev, ok := seen[norm]; ok {
			return nil, fmt.Errorf("terms %q and %q are the same once inflections and aliases are folded: keep one", prev, k)
		}
		seen[norm] = k
		out = append(out, term{text: k, tokens: toks, weight: w})
	}
	return out, nil
}

// Lookup returns the theme with the given id.
func (t *Taxonomy) Lookup(id string) (Theme, bool) {
	for _, th := range t.Themes {
		if th.ID == id {
			return th, true
		}
	}
	return Theme{}, false
}

// Hash identifies the taxonomy's content: classifications made with a
// taxonomy of the same hash are the same, so callers may cache them.
func (t *Taxonomy) Hash() string { return t.hash }

// Topic describes what the taxonomy counts as on-topic.
func (t *Taxonomy) Topic() string { return t.topic }

// lineOf returns the 1-based line of the first occurrence of needle, or 1.
func lineOf(data []byte, needle string) int {
	i := strings.Index(string(data), needle)
	if i < 0 {
		return 1
	}
	return strings.Count(string(data[:i]), "\n") + 1
}
