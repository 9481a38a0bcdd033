package feed

import (
	"context"
	"flag"
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

// benchWords is ordinary vocabulary for the free part of each sentence, so
// that articles differ the way real reports do and only true copies share
// most of their word sequences.
var benchWords = strings.Fields(`able about above across added after again against ago ahead aid aim air all
almost along already also although among amount analysts announced another answer any anyone appeared
approach area argued army around arrived asked attention authorities available away back based became
before began behind being believe below best better between beyond both briefly brought budget build
called came campaign capital careful case cause centre certain chance change chief citizens city claimed
clear close coming comment committee common community concern conference confirmed considered continued
control could council country course court crisis critics current days deal decided decision declined
delegation demand despite details different difficult direct during early earlier economic effort either
election else energy enough entire especially even evening event every evidence expected experts explained
face fact failed families far fears final finally first focus following force foreign former forward found
four free front full further future gave general given goal government group growing half hand hard head
held help high history hold home hope however huge idea important including increase independent
influence inside instead interview issue itself joint journalists just keep key kind known large last late
later leader least leave left legal less level likely limited line little local long made main major make
many matter means measures media meeting member message might million minister month more morning most
move much must national near nearly need never news next night none normal note nothing number offer
office official often once only open opinion order other outside over part parties past people period
plan point police policy political position possible power present press pressure previous private
problem process program public put question quickly raised rather reached ready real reason recent record
region remain report request response rest result return right role round rule said same second security
seen senior sent serious service session several share short should side since situation small social
source speech spokesman start state statement still strong support sure system taken talks team term
text third though three through time today together took toward trade tried turn under until upon urged
value various very view visit vote wanted week weekend well went while whole wider within without words
work world year years yesterday young`)

// benchClause is a run of ordinary words, different in every sentence.
func benchClause(r *rand.Rand) string {
	n := 5 + r.IntN(8)
	w := make([]string, n)
	for i := range w {
		w[i] = pick(r, benchWords)
	}
	return strings.Join(w, " ")
}

// benchSentence makes one sentence in the style of a wire report.
func benchSentence(r *rand.Rand, offTopic bool) string {
	if offTopic {
		return fmt.Sprintf("On %s %d, %s, %s, officials in %s said.", pick(r, benchMonths), 1+r.IntN(28), pick(r, benchOffText), benchClause(r), pick(r, benchPlaces))
	}
	switch r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s and %s %s %s in %s, %s.", pick(r, benchPeople), pick(r, benchPeople), pick(r, benchVerbs), pick(r, benchTopics), pick(r, benchPlaces), benchClause(r))
	case 1:
		return fmt.Sprintf("“We %s %s, %s,” %s told reporters after %d hours of talks.", pick(r, benchVerbs), pick(r, benchTopics), benchClause(r), pick(r, benchPeople), 1+r.IntN(9))
	case 2:
		return fmt.Sprintf("According to %s, %d officials from %s and %s will %s on %s.", benchClause(r), 2+r.IntN(40), pick(r, benchPlaces), pick(r, benchPlaces), benchClause(r), pick(r, benchTopics))
	default:
		return fmt.Sprintf("Observers noted that %s remained the main obstacle, %s, while %s %s %s.", pick(r, benchTopics), benchClause(r), pick(r, benchPeople), pick(r, benchVerbs), pick(r, benchTopics))
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
func benchCorpus(tb testing.TB, n int) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "seeds")
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	writeBenchCorpus(tb, dir, n)
	return dir
}

// benchFolder is the folder -bench-seeds names, else benchSize generated
// articles in a new folder.
func benchFolder(b *testing.B) string {
	if *benchSeeds != "" {
		return *benchSeeds
	}
	return benchCorpus(b, benchSize)
}

// writeBenchCorpus writes the n generated articles of the benchmarks into
// dir; the same n always gives the same files.
func writeBenchCorpus(tb testing.TB, dir string, n int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		name := fmt.Sprintf("gen_%05d.txt", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(benchArticle(r, i)), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

var (
	corpusDir  = flag.String("write-corpus", "", "write the benchmarks' generated articles into this folder (TestWriteCorpus)")
	corpusSize = flag.Int("corpus-size", benchSize, "how many articles TestWriteCorpus writes (.ci/bench-100k writes 100,000)")
	benchSeeds = flag.String("bench-seeds", "", "run BenchmarkColdStart and BenchmarkWarmRestart on this folder instead of 10,000 generated articles (to profile a large or real corpus)")
)

// TestWriteCorpus writes the benchmarks' corpus (its first -corpus-size
// articles, 10,000 by default) into the folder named by -write-corpus, to
// run the binary on it:
//
//	go test ./feed -run TestWriteCorpus -write-corpus /tmp/k10/seeds
//	go test ./feed -run TestWriteCorpus -write-corpus /tmp/k100/seeds -corpus-size 100000
func TestWriteCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("no -write-corpus folder")
	}
	if err := os.MkdirAll(*corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeBenchCorpus(t, *corpusDir, *corpusSize)
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
// an empty database, up to the first published snapshot; the caches
// written after it are waited for outside the timer.
func BenchmarkColdStart(b *testing.B) {
	dir := benchFolder(b)
	tmp := b.TempDir()
	b.ResetTimer()
	for i := range b.N {
		c := benchOpen(b, dir, filepath.Join(tmp, fmt.Sprintf("cold%d.db", i)))
		if n := len(c.Snapshot().Entries); *benchSeeds == "" && n < benchSize*9/10 {
			b.Fatalf("entries = %d, failed %d", n, len(c.Snapshot().Failed))
		}
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
}

// BenchmarkWarmRestart measures Open and Rescan of 10,000 articles that
// are all in the database already, unchanged.
func BenchmarkWarmRestart(b *testing.B) {
	dir := benchFolder(b)
	dbPath := filepath.Join(b.TempDir(), "warm.db")
	benchOpen(b, dir, dbPath).Close()
	b.ResetTimer()
	for range b.N {
		c := benchOpen(b, dir, dbPath)
		if v := c.Snapshot().Version; v != 0 {
			b.Fatalf("warm restart re-rendered: Version %d", v)
		}
		b.StopTimer()
		c.Close()
		b.StartTimer()
	}
}

// BenchmarkApplyAdd measures Apply of one new file to a corpus of 10,000,
// up to its published snapshot.
func BenchmarkApplyAdd(b *testing.B) {
	dir := benchCorpus(b, benchSize)
	c := benchOpen(b, dir, filepath.Join(b.TempDir(), "apply.db"))
	r := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
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

// BenchmarkApplyAddToFeed measures Apply of one new report that the feeds
// carry (undated, so first seen now: the newest), to a corpus of 10,000:
// the main feed and its themes' feeds are rendered again.
func BenchmarkApplyAddToFeed(b *testing.B) {
	dir := benchCorpus(b, benchSize)
	c := benchOpen(b, dir, filepath.Join(b.TempDir(), "apply.db"))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		// Every report is first seen at the benchmark clock's one time,
		// as the undated half of the corpus is: ids break the tie, and
		// each new name sorts first.
		name := fmt.Sprintf("feed_%05d.txt", 99999-i)
		text := fmt.Sprintf("Negotiators meet again (%d)\n\nYEREVAN — Armenian and Azerbaijani negotiators met in Brussels on the peace treaty and the border delimitation, round %d, the foreign ministers said.\n\nThe talks on Nagorno-Karabakh will continue next week, officials of both countries said.\n", i, i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := c.Apply(context.Background(), name); err != nil {
			b.Fatal(err)
		}
		if e := c.Snapshot().Visible()[0]; e.File != name {
			b.Fatalf("newest visible entry is %s, want %s", e.File, name)
		}
	}
}
