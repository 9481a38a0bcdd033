package article

import (
	"os"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, "" for no date
		prec Precision
	}{
		{"10:31 | 31 October 2022", "2022-10-31T10:31:00Z", PrecisionMinute},
		{"0314 GMT November 27, 2021", "2021-11-27T03:14:00Z", PrecisionMinute},
		{"2025-03-14T09:30:00+04:00", "2025-03-14T09:30:00+04:00", PrecisionSecond},
		{"2024-01-05", "2024-01-05T00:00:00Z", PrecisionDate},
		{"March 4, 2024", "2024-03-04T00:00:00Z", PrecisionDate},
		{"Monday, 4 March 2024, 3:05 pm", "2024-03-04T15:05:00Z", PrecisionMinute},
		{"Nov 2, 2023 at 14:05", "2023-11-02T14:05:00Z", PrecisionMinute},
		{"05.10.2023 16:45", "2023-10-05T16:45:00Z", PrecisionMinute},
		{"10/31/2022", "2022-10-31T00:00:00Z", PrecisionDate},
		{"12 мая 2023", "2023-05-12T00:00:00Z", PrecisionDate},
		{"12:00 GMT+4, 1 June 2023", "2023-06-01T12:00:00+04:00", PrecisionMinute},
		{"318272", "", ""},
		{"0/0597 sec", "", ""},
		{"yesterday", "", ""},
		{"31 February 2022", "", ""},
		{"November 2021", "", ""},
		{"Nov.November 18, 2019", "2019-11-18T00:00:00Z", PrecisionDate}, // a month named twice
		{"Nov. December 18, 2019", "", ""},                               // two months: which one is meant?
		{"Nov 15, 20195:45 AM", "2019-11-15T05:45:00Z", PrecisionMinute}, // a year glued to the time
		{"Nov 15, 20195 AM", "", ""},
		// The United States' zone names follow daylight saving.
		{"Nov. 18, 2019 7:04 pm ET", "2019-11-18T19:04:00-05:00", PrecisionMinute},
		{"Updated Nov. 19, 2019 8:21 am ET / Original Nov. 19, 2019 8:02 am ET", "2019-11-19T08:21:00-05:00", PrecisionMinute},
		{"July 4, 2020 9:15 a.m. PT", "2020-07-04T09:15:00-07:00", PrecisionMinute},
		{"Monday, November 18, 2019, 04:05 pm PT (07:05 pm ET)", "2019-11-18T16:05:00-08:00", PrecisionMinute},
		{"June 2, 2021 10:00 CT", "2021-06-02T10:00:00-05:00", PrecisionMinute},
		{"HARTFORD, CT, Nov 5, 2019", "2019-11-05T00:00:00Z", PrecisionDate}, // a state, not a zone
		{"Nov 5, 2019 12:30 GMT (7:30 am ET)", "2019-11-05T12:30:00Z", PrecisionMinute},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			st, ok := parseDate(tt.in)
			got := ""
			if ok {
				got = st.t.Format(time.RFC3339)
			}
			if got != tt.want || (ok && st.precision != tt.prec) {
				t.Errorf("parseDate(%q) = %q %q, want %q %q", tt.in, got, st.precision, tt.want, tt.prec)
			}
		})
	}
}

func TestDateChoice(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	body := "\nArmenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said in statements.\n"
	tests := []struct {
		name string
		head string
		want string
	}{
		{"published beats modified", "Modified Date: 1 May 2023\nPublished Date: 30 April 2023", "2023-04-30T00:00:00Z"},
		{"updated when alone", "Updated: 2 May 2023 10:00", "2023-05-02T10:00:00Z"},
		{"byline date", "By Anna Petrosyan | March 4, 2024", "2024-03-04T00:00:00Z"},
		{"bare date at head", "Headline of the story here\n4 March 2024", "2024-03-04T00:00:00Z"},
		{"news id is no date", "News ID: 318272", ""},
		{"future date rejected", "Published: 1 January 2031", ""},
		{"before 1995 rejected", "Published: 1 January 1990", ""},
		{"year in body is no date", "", ""},
		{"date under the headline", "Talks on the peace treaty resume in Brussels\nBy Anna Petrosyan\nNovember 18, 2019 | 4:10pm", "2019-11-18T16:10:00Z"},
		{"date above the headline", "Nov. 19, 2019, 8:41 AM UTC\nTalks on the peace treaty resume in Brussels", "2019-11-19T08:41:00Z"},
		{"header's today far from the headline", "Monday 7 October 2024\nHome\nNews\nWorld\nSport\nBusiness\nCulture\nTravel\nTalks on the peace treaty resume in Brussels", ""},
		{"date by the headline's other copy", "Talks on the peace treaty resume in Brussels\nNovember 18, 2019\nHome\nNews\nWorld\nSport\nBusiness\nCulture\nTravel\nWeather\nGallery\nTalks on the peace treaty resume in Brussels", "2019-11-18T00:00:00Z"},
		{"a date in figures alone under the byline", "Talks on the peace treaty resume in Brussels\nAnna Petrosyan, The Daily Planet\n19.11.2019, 08:57", "2019-11-19T08:57:00Z"},
		{"an embedded post's date is not the article's", "Talks on the peace treaty resume in Brussels\n— The EU Council (@EUCouncil) October 9, 2018", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(tt.head+body+"The war ended in 1994 and talks began in 2020, officials said in Baku on Friday.\n"), Evidence{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if !a.Published.IsZero() {
				got = a.Published.Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("published = %q, want %q (warnings %q)", got, tt.want, a.Warnings)
			}
		})
	}
}

func TestSplitDateline(t *testing.T) {
	tests := []struct {
		in, rest, place, agency string
	}{
		{"MOSCOW — Putin said.", "Putin said.", "MOSCOW", ""},
		{"MOSCOW (RFE/RL) — Putin said.", "Putin said.", "MOSCOW", "RFE/RL"},
		{"BAKU, Azerbaijan (AP) — Aliyev said.", "Aliyev said.", "BAKU", "AP"},
		{"YEREVAN (Arka) — The chief said.", "The chief said.", "YEREVAN", "Arka"},
		{"NEW YORK - The UN said.", "The UN said.", "NEW YORK", ""},
		{"A deal — or not — was reached.", "A deal — or not — was reached.", "", ""},
		{"Putin — in Sochi — said.", "Putin — in Sochi — said.", "", ""},
		{"EU-brokered talks resumed.", "EU-brokered talks resumed.", "", ""},
		// A hyphen inside a word is no dateline's dash.
		{"NATO-led forces left the region on Monday.", "NATO-led forces left the region on Monday.", "", ""},
		{"COVID-19 cases rose in Yerevan.", "COVID-19 cases rose in Yerevan.", "", ""},
		{"OSCE-brokered talks resumed in Vienna.", "OSCE-brokered talks resumed in Vienna.", "", ""},
		{"H-E-B opened a store in Austin.", "H-E-B opened a store in Austin.", "", ""},
		{"SCI-TECH", "SCI-TECH", "", ""},
		// A dash however spaced, and two places under one dateline.
		{"MOSCOW—Putin said.", "Putin said.", "MOSCOW", ""},
		{"BERLIN--The agency said.", "The agency said.", "BERLIN", ""},
		{"BAKU- The ministry said.", "The ministry said.", "BAKU", ""},
		{"BAKU/YEREVAN (Reuters) - A new wave of fighting broke out.", "A new wave of fighting broke out.", "BAKU/YEREVAN", "Reuters"},
		{"YEREVAN/BAKU, Sept 27 (Reuters) - Fighting broke out.", "Fighting broke out.", "YEREVAN/BAKU", "Reuters"},
		// What follows a dateline is a sentence, not a heading in capitals.
		{"THE POINT -- NOW ON YOUTUBE!", "THE POINT -- NOW ON YOUTUBE!", "", ""},
		// A dateline closed by the agency's name, as the region's agencies
		// write it.
		{"YEREVAN, NOVEMBER 10, ARMENPRESS. Prime Minister Pashinyan said.", "Prime Minister Pashinyan said.", "YEREVAN", "Armenpress"},
		{"MOSCOW, November 10. /TASS/. Putin said.", "Putin said.", "MOSCOW", "TASS"},
		{"YEREVAN, November 10. /ARKA/. The bank said.", "The bank said.", "YEREVAN", "Arka"},
		{"Baku, November 10, AZERTAC. Aliyev said.", "Aliyev said.", "Baku", "AZERTAC"},
		{"BAKU, Azerbaijan, Nov. 10. Trend: Aliyev said.", "Aliyev said.", "BAKU", "Trend"},
		{"Yerevan /Mediamax/. Pashinyan said.", "Pashinyan said.", "Yerevan", "Mediamax"},
		// Without a date or the slashes, a sentence's word is no credit.
		{"WASHINGTON, a new trend. People said so.", "WASHINGTON, a new trend. People said so.", "", ""},
		{"Baku, the capital, Trend: a new word.", "Baku, the capital, Trend: a new word.", "", ""},
		{"Paris, 2019. AP photographers said so.", "Paris, 2019. AP photographers said so.", "", ""},
	}
	for _, tt := range tests {
		rest, place, agency := splitDateline(tt.in)
		if rest != tt.rest || place != tt.place || agency != tt.agency {
			t.Errorf("splitDateline(%q) = %q, %q, %q; want %q, %q, %q", tt.in, rest, place, agency, tt.rest, tt.place, tt.agency)
		}
	}
}

// TestLedeDateline parses made-up pages whose lede opens with a
// hyphenated word or with a dateline of two places: the dateline field
// and the body's first paragraph must split them as a reader would.
func TestLedeDateline(t *testing.T) {
	const rest = " The ministers met for four hours and agreed to meet again in the spring, a spokesman said after the talks.\n\n" +
		"The next round will deal with the border commissions and the transport links through the south of Armenia, he added.\n"
	tests := []struct {
		name, lede, dateline, agency, first string
	}{
		{"a hyphenated word", "NATO-led monitors left the border region on Monday, officials in Yerevan said.", "", "",
			"NATO-led monitors left the border region on Monday"},
		{"an acronym and a number", "COVID-19 restrictions at the border crossing were lifted on Monday, officials said.", "", "",
			"COVID-19 restrictions at the border crossing"},
		{"two places", "BAKU/YEREVAN (Reuters) - A new wave of fighting broke out on Monday along the line of contact.", "BAKU/YEREVAN", "Reuters",
			"A new wave of fighting broke out on Monday"},
		{"an agency's name closing the dateline", "YEREVAN, NOVEMBER 10, ARMENPRESS. Prime Minister Nikol Pashinyan met the European Union's special representative on Monday.",
			"YEREVAN", "Armenpress", "Prime Minister Nikol Pashinyan met the European Union's special representative"},
		{"an agency's name between slashes", "MOSCOW, November 10. /TASS/. Russian President Vladimir Putin held talks with the leaders of Armenia and Azerbaijan.",
			"MOSCOW", "TASS", "Russian President Vladimir Putin held talks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(tt.lede+"\n\n"+rest), Evidence{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Dateline != tt.dateline || a.Agency != tt.agency {
				t.Errorf("dateline, agency = %q, %q; want %q, %q", a.Dateline, a.Agency, tt.dateline, tt.agency)
			}
			if !strings.HasPrefix(a.Body[0], tt.first) {
				t.Errorf("first paragraph = %q, want it to begin %q", a.Body[0], tt.first)
			}
			if !strings.HasPrefix(a.Title, tt.first[:10]) {
				t.Errorf("title = %q, want it to begin %q", a.Title, tt.first[:10])
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		line string
		want kind
	}{
		{"Leave a Reply", kindEnd},
		{"You May Also Like", kindEnd},
		{"Related Articles", kindEnd},
		{"Sign Up for Our Newsletters", kindEnd},
		{"Tags: Armenia, Azerbaijan", kindEnd},
		{"Security Key:", kindEnd},
		{"Page Generated in 0/0597 sec", kindEnd},
		{"Your email address will not be published. Required fields are marked *", kindChrome},
		{"Get notified of the latest updates from MassisPost.", kindChrome},
		{"We use cookies to improve your experience. By continuing you accept our use of cookies.", kindChrome},
		{"© 2025 Caucasus Watch", kindChrome},
		{"News ID: 318272", kindMeta},
		{"- Published Date: 10:31 | 31 October 2022", kindMeta},
		{"By Ivan Gharibyan", kindMeta},
		{"Anna Petrosyan @apetrosyan", kindMeta},
		{"Whatsapp Facebook Pint Download", kindChrome},
		{"Facebook Twitter LinkedIn", kindChrome},
		{"Facebook and Twitter ban the group", kindShort},
		{"Write to @apetrosyan", kindShort},
		{"Updated Nov. 19, 2019 8:21 am ET / Original Nov. 19, 2019 8:02 am ET", kindMeta},
		{"Russia's President Vladimir Putin (C), Armenia's Prime Minister Nikol Pashinyan (R) and Azerbaijan's President Ilham Aliyev attend a news conference.", kindCaption},
		{"YEREVAN — Armenian Prime Minister Nikol Pashinyan said on March 1 that…", kindTeaser},
		{"- Scholz calls Russian claim of Ukrainian 'dirty bomb' untenable", kindBullet},
		{"1. Both sides recognise each other's territorial integrity.", kindNumbered},
		{"Advancing Russia-Armenia relations", kindShort},
		{"|", kindJunk},
		{"19.11.2019, 08:57", kindMeta},
		{"2019 - 2024 | 10:00", kindJunk},
		{"He later said Moscow will do everything for a final settlement between Armenia and Azerbaijan.", kindPara},
	}
	for _, tt := range tests {
		if got := classify(tt.line, asciiLower(tt.line)); got != tt.want {
			t.Errorf("classify(%q) = %d, want %d", tt.line, got, tt.want)
		}
	}
}

func TestGluedTeaser(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"Border Talks Stall Over Maps In GenevaThe two delegations left the table on Monday without a date for the next round.", true},
		{"Is Peace Near In The South Caucasus?Diplomats say the treaty text is nearly agreed, but two points remain open.", true},
		// Names in camel case, and a sentence of the text.
		{"Following the 16-inch MacBook Pro, Apple plans to release a new model in the spring of next year.", false},
		{"In October, Rep. David McKinley visited the border near McAllen and argued that more agents were needed.", false},
		{"Review: Mophie's Juice Pack Access Case Gives Your iPhone a Modest Boost to its battery life today", false},
		// A headline glued to a section's name is no snippet.
		{"The Daily Planet JournalOpinion", false},
	}
	for _, tt := range tests {
		if got := gluedTeaser(tt.line); got != tt.want {
			t.Errorf("gluedTeaser(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

func TestTextStats(t *testing.T) {
	tests := []struct {
		line         string
		words, stops int
	}{
		{"The talks were the first since the summer.", 8, 4},
		// Russian pronouns and the long relative pronouns count.
		{"Она сказала, что они будут там после встречи.", 8, 6},
		{"Министр, которого ждали, приехал через час.", 6, 2},
	}
	for _, tt := range tests {
		words, stops, _ := textStats(tt.line)
		if words != tt.words || stops != tt.stops {
			t.Errorf("textStats(%q) = %d words, %d stop words; want %d, %d", tt.line, words, stops, tt.words, tt.stops)
		}
	}
}

func TestSynthesizeTitle(t *testing.T) {
	tests := []struct{ lede, want string }{
		{"Armenia and Azerbaijan exchanged prisoners on Wednesday in a swap mediated by the United States, the two governments said.",
			"Armenia and Azerbaijan exchanged prisoners in a swap mediated by the United States"},
		{"Short lede here.", "Short lede here"},
		{"Russian President Vladimir Putin on Wednesday received the Armenian prime minister to discuss the current situation in Nagorno-Karabakh, a region of the South Caucasus.",
			"Russian President Vladimir Putin received the Armenian prime minister to discuss the current situation"},
		{"The talks (the first since May) ended without a deal. Officials said more talks are planned.", "The talks ended without a deal"},
		// A sentence ending in an ellipsis is cut after the whole
		// character, not inside its three bytes (found by FuzzParse).
		{"Talks in Brussels stalled again… Both sides blamed the other.", "Talks in Brussels stalled again"},
		// Too long for a headline and no clause break within reach: cut
		// before a phrase ("of the ... conflict"), never inside one.
		{"Russian President Vladimir Putin on Thursday stressed the need for a “solely political” resolution of the Nagorno-Karabakh conflict and pledged to help Armenia and Azerbaijan hammer out a peace accord.",
			"Russian President Vladimir Putin stressed the need for a “solely political” resolution"},
		{"Officials from Yerevan Baku Tbilisi Ankara Tehran Moscow Washington Brussels Paris Berlin London Rome Madrid Vienna Prague Warsaw met.",
			"Officials from Yerevan Baku Tbilisi Ankara Tehran Moscow Washington Brussels Paris Berlin London Rome Madrid"},
	}
	for _, tt := range tests {
		got := synthesizeTitle(tt.lede)
		if got != tt.want {
			t.Errorf("synthesizeTitle(%q) = %q, want %q", tt.lede, got, tt.want)
		}
		if utf8.RuneCountInString(got) > maxTitle {
			t.Errorf("title longer than %d: %q", maxTitle, got)
		}
	}
}

func TestSummarize(t *testing.T) {
	long := strings.Repeat("Armenian and Azerbaijani negotiators met again. ", 10)
	tests := []struct {
		name string
		body []string
		want string
	}{
		{"short lede kept", []string{"One sentence lede that is long enough to stand alone as the summary of the story."}, "One sentence lede that is long enough to stand alone as the summary of the story."},
		{"cut at a sentence", []string{long}, strings.TrimSpace(strings.Repeat("Armenian and Azerbaijani negotiators met again. ", 6))},
		{"one-line quote joined with the next", []string{"“Peace is within reach.”", "He said so."}, "“Peace is within reach.” He said so."},
	}
	for _, tt := range tests {
		got := summarize(tt.body)
		if got != tt.want {
			t.Errorf("%s: summarize = %q, want %q", tt.name, got, tt.want)
		}
		if utf8.RuneCountInString(got) > maxSummary {
			t.Errorf("%s: summary longer than %d", tt.name, maxSummary)
		}
	}
	words := strings.Repeat("word ", 100)
	if got := summarize([]string{words}); utf8.RuneCountInString(got) > maxSummary || !strings.HasSuffix(got, "word…") {
		t.Errorf("unpunctuated lede: summary = %q, want a word-boundary cut with an ellipsis", got)
	}
}

func TestHardWrappedParagraphsAreJoined(t *testing.T) {
	raw := "Armenian and Azerbaijani foreign ministers met in Washington on\nTuesday for a new round of talks on the peace treaty, officials said.\n\nThe talks will continue in Brussels next month, diplomats said on Wednesday.\n"
	a, err := Parse("wrapped.txt", []byte(raw), Evidence{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Body) != 2 || !strings.Contains(a.Body[0], "on Tuesday") {
		t.Errorf("body = %q, want the wrapped lines joined into one paragraph", a.Body)
	}
}

func FuzzParse(f *testing.F) {
	files, _ := os.ReadDir("../../seeds")
	for _, e := range files {
		if raw, err := os.ReadFile("../../seeds/" + e.Name()); err == nil {
			f.Add(raw)
		}
	}
	f.Add([]byte("MOSCOW (AP) — Talks resumed.\n\nYou May Also Like\nTeaser…"))
	f.Add([]byte{0xFF, 0xFE, 'A', 0, '.', 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := Parse("fuzz.txt", raw, Evidence{})
		if err != nil {
			return
		}
		checkClean(t, a)
		if len(a.Body) == 0 {
			t.Fatal("parse succeeded with an empty body")
		}
		if utf8.RuneCountInString(a.Title) > 250 {
			t.Fatalf("title of %d characters", utf8.RuneCountInString(a.Title))
		}
	})
}

// FuzzBodyNeverEmpty checks that a file holding a sentence always yields a
// body.
func FuzzBodyNeverEmpty(f *testing.F) {
	f.Add("Junk line", "Armenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday.")
	f.Add("Leave a Reply", "The ministers met in Geneva and agreed to meet again next month, officials said.")
	f.Fuzz(func(t *testing.T, prefix, sentence string) {
		if !utf8.ValidString(prefix) || !utf8.ValidString(sentence) || len(strings.Fields(sentence)) < 6 || strings.ContainsFunc(prefix+sentence, unicode.IsControl) {
			return
		}
		letterWords := 0
		for _, w := range strings.Fields(sentence) {
			if hasLetter(w) {
				letterWords++
			}
		}
		// A sentence is words, not digits and symbols.
		if letterWords < 6 || !isSentence(strings.TrimSpace(normalize([]byte(sentence)))) {
			return
		}
		a, err := Parse("f.txt", []byte(prefix+"\n\n"+sentence+"\n"), Evidence{})
		if err != nil {
			t.Fatalf("parse of a file holding the sentence %q: %v", sentence, err)
		}
		if len(a.Body) == 0 {
			t.Fatal("empty body")
		}
	})
}

// seedRaws reads the seeds for a benchmark and sets its bytes per op.
func seedRaws(b *testing.B) [][]byte {
	var raws [][]byte
	var size int64
	for _, f := range seedFiles(b) {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, raw)
		size += int64(len(raw))
	}
	b.SetBytes(size)
	return raws
}

func BenchmarkParse(b *testing.B) {
	raws := seedRaws(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range raws {
			if _, err := Parse("bench.txt", raw, Evidence{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(raws))/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkLineKeys measures the corpus evidence pass, which a cold start
// runs over every file before parsing any.
func BenchmarkLineKeys(b *testing.B) {
	raws := seedRaws(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range raws {
			if len(LineKeys("bench.txt", raw)) == 0 {
				b.Fatal("no line keys")
			}
		}
	}
	b.ReportMetric(float64(b.N*len(raws))/b.Elapsed().Seconds(), "articles/s")
}

func TestPhraseSet(t *testing.T) {
	ps := newPhraseSet("privacy policy", "terms of use", "ab")
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"empty", "", false},
		{"one byte", "a", false},
		{"whole text", "privacy policy", true},
		{"at the start", "terms of use apply", true},
		{"at the end", "read our privacy policy", true},
		{"two-byte phrase at the end", "xab", true},
		{"start without the rest", "privacy matters; terms of us", false},
		{"after a false start", "prprivacy policy", true},
		{"case matters", "Privacy Policy", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ps.in(tt.text); got != tt.want {
				t.Errorf("in(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestWrapWidth(t *testing.T) {
	wrapped := "After months of stalled contacts and mutual accusations of delay,\n" +
		"the two deputy prime ministers agreed on Friday to a timetable for\n" +
		"the next meetings of the border commissions, officials in Baku and\n" +
		"in Yerevan said in matching statements published in the afternoon\n" +
		"of the same day, after talks that had lasted for about four hours.\n"
	tests := []struct {
		name, text string
		want       int
	}{
		{"hard-wrapped paragraph", wrapped, 66},
		{"one line a paragraph", strings.ReplaceAll(wrapped, "\n", "\n\n"), 0},
		{"headlines over each other", "Aliyev and Pashinyan meet in Abu Dhabi for talks\nPeace treaty text agreed, says Armenian foreign ministry\nEU extends its monitoring mission in Armenia\nBorder commissions to meet in April\n", 0},
	}
	for _, tt := range tests {
		if got := wrapWidth(tt.text); got != tt.want {
			t.Errorf("%s: wrapWidth = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestCommentHeader(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"Jane Doe on September 12, 2018 at 4:47 pm said:", true},
		{"Aram (Caucasus Daily) on 13 September 2018 at 17:23 said:", true},
		{"Leyla on Nov. 18, 2019 wrote:", true},
		// A sentence introducing a quote, not a reader's comment.
		{"Speaking on 10 November 2020, Pashinyan said:", false},
		{"The minister on 10 November 2020 told reporters and said:", false},
		{"Jane Doe on September 12 said:", false}, // no year
	}
	for _, tt := range tests {
		l := line{text: tt.text, lower: asciiLower(tt.text), words: wordCount(tt.text)}
		if got := commentHeader(&l); got != tt.want {
			t.Errorf("commentHeader(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestCommentsMarker(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"Top Rated Comments", true},
		{"[ 167 comments ]", true},
		{"Leave a comment", true},
		{"10 thoughts on “Talks resume in Brussels”", true},
		{"One response to \"Talks resume in Brussels\"", true},
		{"One response to “Talks resume in Brussels”:", true},
		{"2 thoughts on ‘Georgia's vote’", true},
		{"2 thoughts on the talks", false}, // no title in quotes
		// Prose that begins as such a title does.
		{"One response to “the Tbilisi format” came from Moscow, where Foreign Ministry spokeswoman Maria Zakharova said Russia remained ready to host the commission's next round.", false},
		{"No comment on ‘the four villages’ was offered by the Azerbaijani side, which has insisted that the delimitation follow Soviet-era maps from the 1970s.", false},
		{"One response to “the Tbilisi format” was a statement calling it “a farce”", false},
		{"Comments", false}, // a link beside the share buttons
		{"comments:", false},
		{"Related articles", false},
	}
	for _, tt := range tests {
		// The region asks commentsMarker about end markers alone.
		l := line{text: tt.text, lower: asciiLower(tt.text)}
		l.kind = classify(l.text, l.lower)
		if got := l.kind == kindEnd && commentsMarker(&l); got != tt.want {
			t.Errorf("commentsMarker(%q) = %v (kind %v), want %v", tt.text, got, l.kind, tt.want)
		}
	}
}

func TestTemplateLines(t *testing.T) {
	const own = "Armenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday.\n\nThe foreign ministers are to meet again next month in Geneva.\n\n"
	tests := []struct {
		name, shared string
		want         bool
	}{
		{"a menu", "Home | News | Sport", true},
		{"a short sentence", "Thanks for reading our coverage today.", true},
		{"a line of nine words with no full stop", "Get the latest news from the region every day", true},
		// A site's notes are sentences of nine to eleven words that every
		// page of the site repeats under its text.
		{"a reprint note", "Materials may be reproduced only with a link to the source.", true},
		{"a typo note", "Found a mistake? Select it and press Ctrl+Enter to tell us.", true},
		{"a disclaimer", "The views expressed in this article are solely the author's own.", true},
		{"a long sentence of wire copy", "Armenia and Azerbaijan agreed on Monday to resume talks on the peace treaty in Brussels.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Evidence{LineDF: map[uint64]int{lineKey(tt.shared): 2}, Docs: 3}
			p := newPage(own+tt.shared+"\n", ev)
			l := &p.lines[len(p.lines)-1]
			if got := p.template(l); got != tt.want {
				t.Errorf("template(%q) = %v, want %v", tt.shared, got, tt.want)
			}
		})
	}
}
