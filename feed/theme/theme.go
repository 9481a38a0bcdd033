// Package theme owns the taxonomy of themes (an embedded default file, or one
// an operator supplies), classifies articles into themes, decides whether an
// article is on topic at all, and groups articles that report the same story.
// It is deterministic and does no I/O beyond loading its file.
package theme

// Theme is one entry of the taxonomy.
type Theme struct {
	// ID is the stable identifier used in URLs and feeds, e.g. "summits".
	ID string
	// Name is the display name, e.g. "Summits and talks".
	Name string
	// Description is a one-line explanation shown in the digest.
	Description string
	// Color is a CSS colour for the theme, e.g. "#1f6feb".
	Color string
	// Terms is the number of terms and phrases that define the theme.
	Terms int
}

// Result is the classification of one article.
type Result struct {
	// Theme is the primary theme id, or "" when the article is not relevant.
	Theme string
	// Themes lists every theme scoring above the threshold, best first.
	Themes []string
	// Scores maps each theme id to its score.
	Scores map[string]float64
	// Matches maps each theme id to the terms that matched.
	Matches map[string][]string
	// Relevant reports whether the article is on topic.
	Relevant bool
	// Relevance is the on-topic score.
	Relevance float64
}

// Taxonomy is the set of themes in use plus the topic definition that decides
// relevance. Build one with Default or Load.
type Taxonomy struct {
	// Name is the topic's display name, e.g. "Karabakh diplomacy".
	Name string
	// Themes are the themes in display order.
	Themes []Theme

	topic        string
	hash         string  // of the file's bytes
	minScore     float64 // a theme scoring less is not listed
	minRelevance float64 // an article scoring less is off-topic
	minTheme     float64 // an on-topic article needs a theme scoring this much
	aliases      *aliases
	// index holds, in order, each theme's terms, then the topic's anchors
	// (the conflict itself), side A (Armenia), side B (Azerbaijan) and
	// negative terms (look-alike subjects such as sport).
	index *index
}
