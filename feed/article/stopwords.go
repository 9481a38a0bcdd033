package article

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// stopWords are the commonest function words of the languages a Karabakh
// corpus is written in (English, Russian, Armenian, Azerbaijani, Turkish,
// French, German) and of a few other common ones (Spanish, Portuguese,
// Italian). Their density tells prose from navigation and headlines, as
// in jusText.
var stopWords = func() map[string]bool {
	lists := []string{
		// English
		"a about after all also an and any are as at be because been but by can could did do does for from had has have he her his how i if in into is it its just like more most my no not of on one only or other our out over said she so some than that the their them then there these they this to up was we were what when which who will with would you your",
		// Russian
		"а без бы был была были было в во вот все всё где да для до его её если есть еще ещё же за и из или им их к как ко когда кто ли мы на над не него нет но о об от по под при про с со так также то только у уже что это эта этот я " +
			"он она они оно ему ей ней нее неё них ними нам вам нас вас меня мне себя себе свой своя свои своей своих свою " +
			"тот та те того той тех том тем чем чтобы может можно нужно очень даже лишь ни ну раз сам сама ведь после через " +
			"между перед будет будут быть тоже тогда там тут здесь этой этого этих этом эти всех всего всем весь вся всю " +
			"сейчас теперь потом почему хотя который которая которые которого которой которых",
		// Armenian
		"և ու որ է են էր էին այդ այս այն համար հետ մեջ վրա նա նրանք մենք ես դու իր նաև բայց կամ թե ինչ",
		// Azerbaijani and Turkish
		"və ve bu bir ilə ile da də de ki üçün için olan olaraq isə ise o onun daha çox çok gibi kimi sonra amma ama her hər ne nə bu şu",
		// French
		"le la les un une des du de et est en que qui dans pour pas sur au aux ce cette il elle ils sont par plus avec ne se son sa ses leur mais ont été été être",
		// German
		"der die das und ist nicht ein eine einen dem den des mit von zu auf für im in es sich auch als an bei nach wie wird werden aus er sie hat haben sind war oder aber",
		// Spanish, Portuguese, Italian
		"el los las y en que por para con una del se lo como más pero sus le ya o este esta su es al fue son está também não uma um os às ao da do das dos na no nas nos em é foi com mais por pelo pela il di che è per non gli della nel sono",
	}
	m := map[string]bool{}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}()

// textStats counts a line's words, its stop words and its capitalised
// words in one pass, lower-casing only the words it looks up.
func textStats(s string) (words, stops, capital int) {
	for w := range strings.FieldsSeq(s) {
		w = trimPunct(w, isWordPunct)
		if w == "" {
			continue
		}
		words++
		c := w[0]
		if 'A' <= c && c <= 'Z' {
			capital++
		}
		if len(w) <= maxStopWord && isStopWord(w) {
			stops++
		}
	}
	return words, stops, capital
}

// trimPunct is strings.TrimFunc(w, punct) for a punct that holds for no
// ASCII letter or digit: most words begin and end with one, and are
// returned without a rune decoded.
func trimPunct(w string, punct func(rune) bool) string {
	if w != "" && asciiAlnum(w[0]) && asciiAlnum(w[len(w)-1]) {
		return w
	}
	return strings.TrimFunc(w, punct)
}

func asciiAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isWordPunct reports the punctuation and quotes trimmed from a word's
// ends: strings.Trim's cutset `.,;:!?"'“”‘’«»()[]…—–-`, without its search
// of the cutset for every rune.
func isWordPunct(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', '"', '\'', '“', '”', '‘', '’', '«', '»', '(', ')', '[', ']', '…', '—', '–', '-':
		return true
	}
	return false
}

// maxStopWord is the length in bytes of the longest word textStats looks
// up.
const maxStopWord = 16

// stopShapes has bit n of entry c set when a stop word of n bytes begins
// with the byte c: most words of a text are turned away by the length
// and the first byte of their lower case, without a lookup in the map.
var stopShapes = func() (t [256]uint64) {
	for w := range stopWords {
		t[w[0]] |= 1 << len(w)
	}
	return t
}()

// isStopWord reports whether w, lower-cased as strings.ToLower does, is a
// stop word, without allocating the lower-cased copy. w is at most
// maxStopWord bytes long.
func isStopWord(w string) bool {
	var buf [4 * maxStopWord]byte // no rune's lower case is longer than 4 bytes
	b := buf[:0]
	for i := 0; i < len(w); {
		if c := w[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		b = utf8.AppendRune(b, unicode.ToLower(r))
		i += size
	}
	return isStop(string(b))
}

// isStop reports whether w, lower case already, is a stop word: a lookup
// in stopWords for the words stopShapes lets through.
func isStop(w string) bool {
	return w != "" && stopShapes[w[0]]&(1<<len(w)) != 0 && stopWords[w]
}

// lowerWord lower-cases a word, without allocating when it is ASCII lower
// case already.
func lowerWord(w string) string {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return strings.ToLower(w)
		}
	}
	return w
}
