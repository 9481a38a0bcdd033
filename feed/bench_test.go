package feed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Word pools for generated articles: enough variety that no two articles
// share their text, and some are off topic.
var (
	benchPeople  = []string{"Nikol Pashinyan", "Ilham Aliyev", "Vladimir Putin", "Charles Michel", "Antony Blinken", "Recep Tayyip Erdogan", "Ararat Mirzoyan", "Jeyhun Bayramov", "Emmanuel Macron", "the OSCE Minsk Group co-chairs"}
	benchPlaces  = []string{"Brussels", "Sochi", "Moscow", "Washington", "Prague", "Granada", "Baku", "Yerevan", "Stepanakert", "the Lachin corridor", "Zangezur", "Shusha", "Nakhchivan", "Tbilisi", "Alma-Ata"}
	benchTopics  = []string{"the peace treaty", "border delimitation", "the ceasefire", "the return of prisoners of war", "unblocking transport links", "the railway through Meghri", "peacekeepers", "mine clearance", "mutual recognition of territorial integrity", "the line of contact", "humanitarian access", "trade turnover"}
	benchVerbs   = []string{"discussed", "agreed on", "rejected", "called for progress on", "raised concerns about", "welcomed steps towards", "signed a statement on", "postponed talks on"}
	benchOutlets = []string{"Anadolu Agency", "MassisPost", "Azatutyun", "APA", "Tehran Times", "Civilnet", "Eurasianet", "OC Media", ""}
	benchOffText = []string{"the football club won the national cup", "a technology company launched a new phone", "the central bank left interest rates unchanged", "a film festival opened with a premiere"}
	benchMonths  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// benchSentence makes one sentence in the style of a wire report.
func benchSentence(r *rand.Rand, offTopic bool) string {
	if offTopic {
		return fmt.Sprintf("On %s %d, %s, officials in %s said.", pick(r, benchMonths), 1+r.IntN(28), pick(r, benchOffText), pick(r, benchPlaces))
	}
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s and %s %s %s in %s.", pick(r, benchPeople), pick(r, benchPeople), pick(r, benchVerbs), pick(r, benchTopics), pick(r, benchPlaces))
	case 1:
		return fmt.Sprintf("“We %s %s,” %s told reporters after %d hours of talks.", pick(r, benchVerbs), pick(r, benchTopics), pick(r, benchPeople), 1+r.IntN(9))
	case 2:
		return fmt.Sprintf("According to the statement, %d officials from %s and %s will meet again to work on %s.", 2+r.IntN(40), pick(r, benchPlaces), pick(r, benchPlaces), pick(r, benchTopics))
	default:
		return fmt.Sprintf("Observers noted that %s remained the main obstacle, while %s %s %s.", pick(r, benchTopics), pick(r, benchPeople), pick(r, benchVerbs), pick(r, benchTopics))
	}
}

// benchArticle makes the raw text of article i: with or without a headline,
// a date line, a dateline and an outlet footer, 3 to 14 paragraphs.
func benchArticle(r *rand.Rand, i int) string {
	off := r.IntN(10) == 0
	var b strings.Builder
	if r.IntN(4) > 0 {
		fmt.Fprintf(&b, "%s %s %s in %s (%d)\n\n", pick(r, benchPeople), pick(r, benchVerbs), pick(r, benchTopics), pick(r, benchPlaces), i)
	}
	if r.IntN(2) == 0 {
		fmt.Fprintf(&b, "Published: %02d%02d GMT %s %d, %d\n\n", r.IntN(24), r.IntN(60), pick(r, benchMonths), 1+r.IntN(28), 2016+r.IntN(9))
	}
	for p := range 3 + r.IntN(12) {
		if p == 0 && r.IntN(3) == 0 {
			b.WriteString(strings.ToUpper(pick(r, benchPlaces)) + " — ")
		}
		for range 2 + r.IntN(3) {
			b.WriteString(benchSentence(r, off))
			b.WriteByte(' ')
		}
		b.WriteString("\n\n")
	}
	if o := pick(r, benchOutlets); o != "" {
		fmt.Fprintf(&b, "Get notified of the latest updates from %s.\n", o)
	}
	return b.String()
}

// benchCorpus writes n generated articles into a new folder.
func benchCorpus(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "seeds")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		name := fmt.Sprintf("gen_%05d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(benchArticle(r, i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

const benchSize = 10000

func benchOpen(b *testing.B, dir, dbPath string) *Corpus {
	b.Helper()
	opts := Options{Dir: dir, BaseURL: testBase, ParserVersion: "bench", Now: newClock().Now}
	c, err := Open(context.Background(), openDB(b, dbPath), opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Rescan(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkColdStart measures Open and Rescan of 10,000 new articles into
// an empty database.
func BenchmarkColdStart(b *testing.B) {
	dir := benchCorpus(b, benchSize)
	tmp := b.TempDir()
	b.ResetTimer()
	for i := range b.N {
		c := benchOpen(b, dir, filepath.Join(tmp, fmt.Sprintf("cold%d.db", i)))
		if n := len(c.Snapshot().Entries); n < benchSize*9/10 {
			b.Fatalf("entries = %d, failed %d", n, len(c.Snapshot().Failed))
		}
	}
}

// BenchmarkWarmRestart measures Open and Rescan of 10,000 articles that
// are all in the database already, unchanged.
func BenchmarkWarmRestart(b *testing.B) {
	dir := benchCorpus(b, benchSize)
	dbPath := filepath.Join(b.TempDir(), "warm.db")
	benchOpen(b, dir, dbPath)
	b.ResetTimer()
	for range b.N {
		c := benchOpen(b, dir, dbPath)
		if v := c.Snapshot().Version; v != 0 {
			b.Fatalf("warm restart re-rendered: Version %d", v)
		}
	}
}

// BenchmarkApplyAdd measures Apply of one new file to a corpus of 10,000.
func BenchmarkApplyAdd(b *testing.B) {
	dir := benchCorpus(b, benchSize)
	c := benchOpen(b, dir, filepath.Join(b.TempDir(), "apply.db"))
	r := rand.New(rand.NewPCG(3, 4))
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		name := fmt.Sprintf("new_%05d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(benchArticle(r, benchSize+i)), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := c.Apply(context.Background(), name); err != nil {
			b.Fatal(err)
		}
	}
}
