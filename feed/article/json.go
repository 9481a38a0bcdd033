package article

import (
	"encoding/json"
	"time"
)

// articleJSON is the JSON shape of an Article, as `kdigest inspect --json`
// prints it (without the "file" field the command adds).
type articleJSON struct {
	ID                 string   `json:"id"`
	Title              string   `json:"title"`
	TitleSynthesized   bool     `json:"title_synthesized"`
	Published          *string  `json:"published"`
	PublishedPrecision *string  `json:"published_precision"`
	Source             *string  `json:"source"`
	Agency             *string  `json:"agency"`
	Dateline           *string  `json:"dateline"`
	URL                *string  `json:"url"`
	Summary            string   `json:"summary"`
	Body               []string `json:"body"`
	Words              int      `json:"words"`
	Warnings           []string `json:"warnings"`
}

// MarshalJSON encodes the article with null for what the text does not
// state, and RFC 3339 for the published time.
func (a *Article) MarshalJSON() ([]byte, error) {
	j := articleJSON{
		ID: a.ID, Title: a.Title, TitleSynthesized: a.TitleSynthesized,
		Source: nullable(a.Source), Agency: nullable(a.Agency), Dateline: nullable(a.Dateline),
		URL: nullable(a.URL), Summary: a.Summary, Body: a.Body, Words: a.Words, Warnings: a.Warnings,
	}
	if !a.Published.IsZero() {
		p := a.Published.Format(time.RFC3339)
		j.Published = &p
		j.PublishedPrecision = nullable(string(a.PublishedPrecision))
	}
	if j.Body == nil {
		j.Body = []string{}
	}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON encodes, so a parsed article can be
// cached and read back unchanged.
func (a *Article) UnmarshalJSON(data []byte) error {
	var j articleJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*a = Article{
		ID: j.ID, Title: j.Title, TitleSynthesized: j.TitleSynthesized,
		Source: deref(j.Source), Agency: deref(j.Agency), Dateline: deref(j.Dateline),
		URL: deref(j.URL), Summary: j.Summary, Body: j.Body, Words: j.Words, Warnings: j.Warnings,
	}
	if j.Published != nil {
		t, err := time.Parse(time.RFC3339, *j.Published)
		if err != nil {
			return err
		}
		a.Published = t
		a.PublishedPrecision = Precision(deref(j.PublishedPrecision))
	}
	return nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
