package article

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

// seedFiles returns the project's seed articles.
func seedFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../../seeds/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed files: %v", err)
	}
	return files
}

func parseFile(t *testing.T, path string) *Article {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Parse(filepath.Base(path), raw, Evidence{Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return a
}

func TestGoldenSeeds(t *testing.T) {
	for _, f := range seedFiles(t) {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(parseFile(t, f), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".txt")+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if string(got)+"\n" != string(want) {
				t.Errorf("%s differs from %s (run with -update after checking):\n%s", name, golden, got)
			}
		})
	}
}

// expectation is what a test article must yield; "" means none, and a
// Body prefix/suffix of "" is not checked.
type expectation struct {
	file              string
	title             string // "synthesized" for a made-up title
	published         string // RFC 3339 or ""
	precision         Precision
	source            string
	agency            string
	dateline          string
	bodyStarts        string
	bodyEnds          string
	paragraphs        int // 0: not checked
	warningContaining string
}

func checkExpectation(t *testing.T, a *Article, e expectation) {
	t.Helper()
	if e.title == "synthesized" {
		if !a.TitleSynthesized {
			t.Errorf("title = %q (from the text), want a synthesized one", a.Title)
		}
	} else if a.Title != e.title || a.TitleSynthesized {
		t.Errorf("title = %q (synthesized %v), want %q", a.Title, a.TitleSynthesized, e.title)
	}
	pub := ""
	if !a.Published.IsZero() {
		pub = a.Published.Format(time.RFC3339)
	}
	if pub != e.published {
		t.Errorf("published = %q, want %q", pub, e.published)
	}
	if a.PublishedPrecision != e.precision {
		t.Errorf("precision = %q, want %q", a.PublishedPrecision, e.precision)
	}
	if a.Source != e.source {
		t.Errorf("source = %q, want %q", a.Source, e.source)
	}
	if a.Agency != e.agency {
		t.Errorf("agency = %q, want %q", a.Agency, e.agency)
	}
	if a.Dateline != e.dateline {
		t.Errorf("dateline = %q, want %q", a.Dateline, e.dateline)
	}
	if len(a.Body) == 0 {
		t.Fatal("body is empty")
	}
	if !strings.HasPrefix(a.Body[0], e.bodyStarts) {
		t.Errorf("body starts %q, want %q", a.Body[0], e.bodyStarts)
	}
	if last := a.Body[len(a.Body)-1]; !strings.HasSuffix(last, e.bodyEnds) {
		t.Errorf("body ends %q, want %q", last, e.bodyEnds)
	}
	if e.paragraphs > 0 && len(a.Body) != e.paragraphs {
		t.Errorf("paragraphs = %d, want %d: %q", len(a.Body), e.paragraphs, a.Body)
	}
	if e.warningContaining != "" && !strings.Contains(strings.Join(a.Warnings, "\n"), e.warningContaining) {
		t.Errorf("warnings = %q, want one containing %q", a.Warnings, e.warningContaining)
	}
	checkTitleShape(t, a)
}

// checkTitleShape holds every synthesized title to the headline rules.
func checkTitleShape(t *testing.T, a *Article) {
	t.Helper()
	if !a.TitleSynthesized {
		return
	}
	if n := utf8.RuneCountInString(a.Title); n == 0 || n > 110 {
		t.Errorf("synthesized title has %d characters, want 1..110: %q", n, a.Title)
	}
	if strings.ContainsAny(a.Title[len(a.Title)-1:], ".,;:!?-") {
		t.Errorf("synthesized title ends in punctuation: %q", a.Title)
	}
	if a.Dateline != "" && strings.HasPrefix(a.Title, a.Dateline) {
		t.Errorf("synthesized title keeps the dateline: %q", a.Title)
	}
	// Never cut inside a word: the title's last word appears whole in the lede.
	words := strings.Fields(a.Title)
	last := words[len(words)-1]
	if !strings.Contains(" "+a.Summary+" ", " "+last+" ") && !strings.Contains(a.Summary, last+",") && !strings.Contains(a.Summary, last+".") {
		t.Errorf("synthesized title %q ends in a word the lede does not have whole", a.Title)
	}
}

func TestSeedExpectations(t *testing.T) {
	tests := []expectation{
		{file: "000_7b07c52ff58aff77.txt", title: "synthesized", source: "MassisPost", dateline: "MOSCOW",
			bodyStarts: "Russian President Vladimir Putin at a meeting with his Azerbaijani counterpart",
			bodyEnds:   "have always tried to achieve mutually acceptable solutions,” the Russian president said."},
		{file: "001_3d14f15a5a4da934.txt", title: "Leaders of Russia, Azerbaijan, Armenia agree on joint statement about Karabakh",
			published: "2022-10-31T10:31:00Z", precision: PrecisionMinute, source: "Anadolu Agency",
			bodyStarts: "The presidents of Russia and Azerbaijan", bodyEnds: "The peace agreement is celebrated as a triumph in Azerbaijan."},
		{file: "002_3bb022c722742749.txt", title: "synthesized",
			bodyStarts: "Russian President Vladimir Putin on Wednesday received the Armenian prime minister",
			bodyEnds:   "their trade turnover had increased by 25-30%."},
		{file: "003_9b9c189b77a28c48.txt", title: "Putin: Talks with Armenia, Azerbaijan leaders ‘constructive’",
			published: "2021-11-27T03:14:00Z", precision: PrecisionMinute, agency: "AP",
			bodyStarts: "Russian President Vladimir Putin said the talks he hosted", bodyEnds: "“humanitarian issues,” Putin said."},
		{file: "004_e430f6a57860e91a.txt", title: "synthesized", source: "MassisPost", agency: "RFE/RL", dateline: "MOSCOW",
			bodyStarts: "Russian President Vladimir Putin on Thursday stressed the need",
			bodyEnds:   "the people of Armenia and the people of Azerbaijan.”"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			checkExpectation(t, parseFile(t, filepath.Join("../../seeds", tt.file)), tt)
		})
	}
}

func TestSeedBodiesHoldNoBoilerplate(t *testing.T) {
	banned := []string{
		"Leave a Reply", "Your email address will not be published", "Sign Up for Our Newsletters",
		"Get notified of the latest updates", "You May Also Like", "- World", "Published Date", "Modified Date",
		"Scholz calls", "Ukraine hit by water", "News ID", "Security Key", "Captcha refresh", "Page Generated in",
		"Russia's President Vladimir Putin (C)", "23 Years Have Passed", "Tens of Thousands Rally",
		"French President to Visit Armenia", "Armenian Troops Withdrawn",
	}
	for _, f := range seedFiles(t) {
		a := parseFile(t, f)
		body := strings.Join(a.Body, "\n")
		for _, b := range banned {
			if strings.Contains(body, b) {
				t.Errorf("%s: body contains %q", filepath.Base(f), b)
			}
		}
		if strings.Contains(body, a.Title) && !a.TitleSynthesized {
			t.Errorf("%s: body repeats the headline", filepath.Base(f))
		}
		for _, p := range a.Body {
			if p == "-" || p == "|" || strings.HasSuffix(p, " -") || strings.HasSuffix(p, "|") {
				t.Errorf("%s: stray separator in %q", filepath.Base(f), p)
			}
		}
		seen := map[string]bool{}
		for _, p := range a.Body {
			if seen[p] {
				t.Errorf("%s: paragraph twice: %q", filepath.Base(f), p)
			}
			seen[p] = true
		}
		if a.Dateline != "" && strings.HasPrefix(a.Body[0], a.Dateline) {
			t.Errorf("%s: dateline left in the first paragraph", filepath.Base(f))
		}
	}
}

// TestOtherLayouts runs articles written in the raw style of sites the seeds
// do not come from.
func TestOtherLayouts(t *testing.T) {
	tests := []expectation{
		{file: "no_headline_no_date.txt", title: "synthesized", paragraphs: 3,
			bodyStarts: "Armenia and Azerbaijan exchanged prisoners", bodyEnds: "according to the foreign ministries.",
			warningContaining: "no publication date"},
		{file: "headline_byline.txt", title: "Armenia, Azerbaijan agree to restart border commission talks",
			published: "2024-03-04T00:00:00Z", precision: PrecisionDate, paragraphs: 3,
			bodyStarts: "Armenian and Azerbaijani deputy prime ministers", bodyEnds: "told reporters in Yerevan."},
		{file: "wire_dateline.txt", title: "synthesized", source: "The Associated Press", agency: "AP", dateline: "BAKU",
			paragraphs: 3, bodyStarts: "Azerbaijan's president said Tuesday", bodyEnds: "was a domestic matter."},
		{file: "cookie_footer.txt", title: "EU extends civilian monitoring mission on Armenia-Azerbaijan border",
			published: "2025-01-22T00:00:00Z", precision: PrecisionDate, source: "Caucasus Watch", paragraphs: 3,
			bodyStarts: "The European Union has extended", bodyEnds: "reduce tensions along the frontier."},
		{file: "numbered_list.txt", title: "What the draft peace treaty says",
			published: "2025-03-14T09:30:00+04:00", precision: PrecisionSecond, paragraphs: 5,
			bodyStarts: "Armenia and Azerbaijan have finalised", bodyEnds: "a condition Yerevan rejects."},
		{file: "quote_paragraph.txt", title: `Pashinyan: "peace is within reach"`,
			published: "2023-11-02T14:05:00Z", precision: PrecisionMinute, dateline: "YEREVAN", paragraphs: 4,
			bodyStarts: "Armenian Prime Minister Nikol Pashinyan told parliament", bodyEnds: "unilateral concessions."},
		{file: "non_english_outlet.txt", title: "Aliyev and Pashinyan meet on sidelines of summit in Granada",
			published: "2023-10-05T16:45:00Z", precision: PrecisionMinute, source: "Deutsche Welle", dateline: "GRANADA",
			paragraphs: 3, bodyStarts: "Azerbaijani President Ilham Aliyev did not attend", bodyEnds: "issued a joint statement."},
		{file: "teaser_tail.txt", title: "synthesized", dateline: "LACHIN", paragraphs: 3,
			bodyStarts: "Azerbaijani border guards on Sunday", bodyEnds: "transport of weapons into the region."},
		// Lines broken for width, once before a name: one paragraph each.
		{file: "hard_wrapped.txt", title: "Armenia and Azerbaijan agree on a border commission timetable",
			published: "2025-03-14T10:05:00+04:00", precision: PrecisionMinute, paragraphs: 2,
			bodyStarts: "After months of stalled contacts and mutual accusations of delay, Armenian Deputy Prime Minister",
			bodyEnds:   "called for the work to be speeded up."},
		// The copyright notice closes the text: the other stories after it
		// are prose too, and are left out.
		{file: "copyright_teasers.txt", title: "EU monitors extend patrols along the Armenia-Azerbaijan border",
			source: "Caucasus Review", paragraphs: 3,
			bodyStarts: "The European Union mission in Armenia", bodyEnds: "while Yerevan has welcomed the extension."},
		// A photo's caption with its credit below it is not the headline.
		{file: "caption_credit.txt", title: "Armenia reopens a crossing into Georgia after repairs to the Bagratashen bridge",
			published: "2024-04-30T16:38:00Z", precision: PrecisionMinute, paragraphs: 3,
			bodyStarts: "Armenian border guards reopened", bodyEnds: "a longer route through the mountains."},
		// Nothing above the text but the headline: it is the title, not the
		// text's first paragraph.
		{file: "lead_headline.txt", title: "‘We want to go home’: displaced families in Goris wait for news of the peace talks between Baku and Yerevan in Washington",
			paragraphs: 3, bodyStarts: "The families who left their villages", bodyEnds: "struggling to cope with the numbers."},
		// A pull quote with the photo's credit under it is a caption.
		{file: "pull_quote_caption.txt", title: "The view on the border talks: a chance not to be wasted", paragraphs: 3,
			bodyStarts: "The border commissions of Armenia and Azerbaijan", bodyEnds: "they have set themselves."},
		// A caption credited "(Name/Reuters)", then a short opening sentence:
		// the sentence opens the text.
		{file: "caption_short_lede.txt", title: "The treaty clock",
			published: "2025-11-19T06:30:00Z", precision: PrecisionMinute, paragraphs: 3,
			bodyStarts: "Time is not on the negotiators' side.", bodyEnds: "not on the table a month before."},
		// A sentence broken by a link on a line of its own is one paragraph.
		{file: "link_broken.txt", title: "Armenian bonds rally after the rating upgrade", paragraphs: 3,
			bodyStarts: "Prices of Armenian government bonds maturing in 2031 rose on Tuesday, a day after the agency Fitch Ratings raised the country's",
			bodyEnds:   "signed this year."},
		// A question shown twice is the headline, not the text's first
		// paragraph. The metadata line's last field names the outlet.
		{file: "question_headline.txt", title: "Will a peace treaty between Armenia and Azerbaijan lift the markets of both countries this year?",
			published: "2025-11-20T13:41:00Z", precision: PrecisionMinute, paragraphs: 3, source: "Caucasus Markets",
			bodyStarts: "Investors in Yerevan and Baku", bodyEnds: "reverse them within weeks."},
		// The readers' comments under the text are prose, and are not the
		// article's.
		{file: "comments_tail.txt", title: "Armenia expects a new crossing on the Iranian border to open next year", paragraphs: 3,
			bodyStarts: "Armenia expects the new crossing at Agarak", bodyEnds: "several times in recent years."},
		// The site's appeals to its readers after the text are not the text.
		{file: "promo_tail.txt", title: "Georgia opens a new border post with Armenia at Sadakhlo", paragraphs: 2,
			bodyStarts: "Georgian officials opened the rebuilt border post", bodyEnds: "while the works went on."},
		// The author's bio closing the page is not the story's last
		// paragraph; a sentence of the story about journalists stays. The
		// bio names the outlet the author writes for.
		{file: "author_bio.txt", title: "Azerbaijani court extends the detention of two journalists", paragraphs: 3, source: "Caucasus Review",
			bodyStarts: "A court in Baku on Monday", bodyEnds: "on their case in the spring."},
		// A paragraph may begin as a blog's title over its comments does
		// ("One response to “…”", "No comment on ‘…’") and go on: it is the
		// text's, and opens no comments.
		{file: "prose_one_response.txt", title: "Armenia and Azerbaijan resume border talks in Tbilisi", published: "2024-10-08T00:00:00Z", precision: PrecisionDate,
			source: "Caucasus Herald", dateline: "YEREVAN", paragraphs: 7,
			bodyStarts: "Armenia and Azerbaijan on Tuesday resumed talks", bodyEnds: "spoke on condition of anonymity."},
		{file: "prose_no_comment.txt", title: "Armenia and Azerbaijan resume border talks in Tbilisi", published: "2024-10-08T00:00:00Z", precision: PrecisionDate,
			source: "Caucasus Herald", dateline: "YEREVAN", paragraphs: 7,
			bodyStarts: "Armenia and Azerbaijan on Tuesday resumed talks", bodyEnds: "spoke on condition of anonymity."},
		// A photo's caption in the text closed by its agency's notice
		// ("… May 2024. © 2024 Reuters") names no outlet.
		{file: "caption_agency_notice.txt", title: "Armenia and Azerbaijan resume border talks in Tbilisi", published: "2024-10-08T00:00:00Z", precision: PrecisionDate,
			dateline: "YEREVAN", paragraphs: 7, bodyStarts: "Armenia and Azerbaijan on Tuesday resumed talks", bodyEnds: "spoke on condition of anonymity."},
		{file: "legacy_1252.txt", title: "Armenian and Azerbaijani ministers meet in Geneva",
			published: "2023-05-12T00:00:00Z", precision: PrecisionDate, paragraphs: 2,
			bodyStarts: "Armenian Foreign Minister Ararat Mirzoyan", bodyEnds: "according to a statement.",
			warningContaining: "windows-1252"},
		{file: "cyrillic_1251.txt", title: "Переговоры Армении и Азербайджана",
			published: "2023-05-12T00:00:00Z", precision: PrecisionDate, paragraphs: 2,
			bodyStarts: "Министры иностранных дел", bodyEnds: "сообщили в министерствах.", warningContaining: "windows-1251"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a := parseFile(t, filepath.Join("testdata", "extra", tt.file))
			checkExpectation(t, a, tt)
			if tt.file == "legacy_1252.txt" && !strings.Contains(a.Body[0], "Château") {
				t.Errorf("accent lost in %q", a.Body[0])
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	const article = "Armenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said.\n\nThe talks will continue next week, the foreign ministries of both countries said in statements."
	utf16le := []byte{0xFF, 0xFE}
	utf16be := []byte{0xFE, 0xFF}
	for _, r := range article {
		utf16le = append(utf16le, byte(r), byte(r>>8))
		utf16be = append(utf16be, byte(r>>8), byte(r))
	}
	tests := []struct {
		name    string
		raw     []byte
		wantErr error
		// check runs on a successful parse.
		check func(t *testing.T, a *Article)
	}{
		{name: "empty", raw: nil, wantErr: ErrEmpty},
		{name: "only whitespace", raw: []byte(" \n\t\r\n "), wantErr: ErrEmpty},
		{name: "binary", raw: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"), wantErr: ErrBinary},
		{name: "too large", raw: make([]byte, MaxSize+1), wantErr: ErrTooLarge},
		{name: "no prose", raw: []byte("Home\nNews\nContact"), wantErr: ErrNoText},
		{name: "utf-8 bom", raw: append([]byte{0xEF, 0xBB, 0xBF}, article...), check: func(t *testing.T, a *Article) {
			if strings.HasPrefix(a.Body[0], "\uFEFF") {
				t.Errorf("BOM kept: %q", a.Body[0])
			}
		}},
		{name: "utf-16le bom", raw: utf16le, check: bodyStarts("Armenia and Azerbaijan resumed")},
		{name: "utf-16be bom", raw: utf16be, check: bodyStarts("Armenia and Azerbaijan resumed")},
		{name: "crlf and cr", raw: []byte(strings.ReplaceAll(article, "\n", "\r\n") + "\rThird paragraph is here, said an official in Baku."), check: func(t *testing.T, a *Article) {
			if len(a.Body) != 3 {
				t.Errorf("paragraphs = %d, want 3: %q", len(a.Body), a.Body)
			}
		}},
		{name: "invalid bytes", raw: []byte("Armenia and Azerbaijan resumed talks\xff\xfe on the peace treaty in Brussels on Monday, Armenia’s officials said.\n\nMore text follows here, officials said."), check: func(t *testing.T, a *Article) {
			if !utf8.ValidString(a.Body[0]) || !strings.Contains(a.Body[0], "\uFFFD") {
				t.Errorf("invalid bytes not replaced: %q", a.Body[0])
			}
			if !strings.Contains(strings.Join(a.Warnings, " "), "invalid UTF-8") {
				t.Errorf("no warning about invalid bytes: %q", a.Warnings)
			}
		}},
		{name: "tabs nbsp zero-width controls", raw: []byte("Armenia\tand\u00a0Azerbaijan\u200b resumed\x07 talks \u202aon the peace\x1b treaty in Brussels on Monday, officials said.\n\nMore text follows\x0b here, officials said."), check: func(t *testing.T, a *Article) {
			if got, want := a.Body[0], "Armenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said."; got != want {
				t.Errorf("body[0] = %q, want %q", got, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("bad.txt", tt.raw, Evidence{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "bad.txt") {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			checkClean(t, a)
			if tt.check != nil {
				tt.check(t, a)
			}
		})
	}
}

func bodyStarts(prefix string) func(t *testing.T, a *Article) {
	return func(t *testing.T, a *Article) {
		if !strings.HasPrefix(a.Body[0], prefix) {
			t.Errorf("body[0] = %q, want prefix %q", a.Body[0], prefix)
		}
	}
}

// checkClean asserts that no output field has invalid UTF-8 or a character
// XML 1.0 does not allow.
func checkClean(t testing.TB, a *Article) {
	t.Helper()
	fields := append([]string{a.ID, a.Title, a.Source, a.Agency, a.Dateline, a.Summary}, a.Body...)
	fields = append(fields, a.Warnings...)
	for _, f := range fields {
		if !utf8.ValidString(f) {
			t.Errorf("invalid UTF-8 in %q", f)
		}
		for _, r := range f {
			if !xmlChar(r) {
				t.Errorf("XML-invalid character %U in %q", r, f)
			}
		}
	}
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func TestID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"000_abc.txt", "000_abc"},
		{"dir/sub/x.y.txt", "x.y"},
		{"noext", "noext"},
	}
	for _, tt := range tests {
		if got := ID(tt.in); got != tt.want {
			t.Errorf("ID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, f := range seedFiles(t) {
		a := parseFile(t, f)
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var b Article
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(&b)
		if string(again) != string(data) {
			t.Errorf("%s: round trip changed the article:\n%s\n%s", f, data, again)
		}
	}
	var bad Article
	if err := json.Unmarshal([]byte(`{"published":"yesterday"}`), &bad); err == nil {
		t.Error("unmarshal of a bad published time succeeded")
	}
}

// TestCompressedIsBinary checks that bytes with no text in them, a page a
// scraper saved still gzip-compressed or random bytes, are refused as not
// text: their control bytes, one in ten, passed for a legacy encoding's
// text about half the time, and became an article of mojibake.
func TestCompressedIsBinary(t *testing.T) {
	var page bytes.Buffer
	zw := gzip.NewWriter(&page)
	for i := range 200 {
		fmt.Fprintf(zw, "<p>Paragraph %d: Armenia and Azerbaijan resumed talks on the peace treaty in Brussels.</p>\n", i)
	}
	zw.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := map[string][]byte{"gzip.txt": page.Bytes(), "gzip.html": page.Bytes()}
	for i, n := range []int{300, 1000, 5000, 20000} {
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		inputs[fmt.Sprintf("random%d.txt", i)] = b
		inputs[fmt.Sprintf("random%d.html", i)] = b
	}
	for name, raw := range inputs {
		if _, err := Parse(name, raw, Evidence{}); !errors.Is(err, ErrBinary) {
			t.Errorf("Parse(%s) err = %v, want %v", name, err, ErrBinary)
		}
	}
}
