package article

import (
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// TestGuessLegacy: a page saved in a single-byte encoding is read in the
// one it was written in, Cyrillic ones told apart by the words they give.
func TestGuessLegacy(t *testing.T) {
	const russian = "Министры иностранных дел Армении и Азербайджана встретились в Вашингтоне. Переговоры продолжатся на следующей неделе, сообщили в министерствах."
	const ukrainian = "Міністри закордонних справ Вірменії та Азербайджану зустрілися у Вашингтоні. Переговори триватимуть наступного тижня, повідомили в міністерствах."
	const turkish = "Dışişleri bakanları Bakü'de görüştü. Türkiye'nin Ermenistan ile ilişkileri, sınır kapısının açılması ve Güney Kafkasya'da barış görüşmelerin gündemindeydi."
	// In DOS 866, lower case а to п are UTF-8 continuation bytes and р to
	// я lead bytes: "ра", "те" look like cut UTF-8 characters.
	const russian866 = "Премьер-министр Армении Никол Пашинян и президент Азербайджана Ильхам Алиев встретились в Брюсселе. Встреча прошла при посредничестве председателя Европейского совета Шарля Мишеля."
	const french = "Les ministres se sont réunis à Genève, au Château de Penthes ; les négociations reprendront « la semaine prochaine »."
	tests := []struct {
		text string
		enc  encoding.Encoding
		want string
	}{
		{russian, charmap.Windows1251, "windows-1251"},
		{russian, charmap.KOI8R, "koi8-r"},
		{russian, charmap.ISO8859_5, "iso-8859-5"},
		{russian, charmap.CodePage866, "ibm866"},
		{russian866, charmap.CodePage866, "ibm866"},
		{ukrainian, charmap.Windows1251, "windows-1251"},
		{ukrainian, charmap.KOI8U, "koi8-u"},
		{turkish, charmap.Windows1254, "windows-1254"},
		{turkish, charmap.ISO8859_9, "windows-1254"}, // the same letters
		{french, charmap.Windows1252, "windows-1252"},
		{french, charmap.ISO8859_1, "windows-1252"}, // the same letters
	}
	for _, tt := range tests {
		t.Run(tt.want+"/"+tt.text[:10], func(t *testing.T) {
			raw, err := tt.enc.NewEncoder().Bytes([]byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			text, warnings, err := decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if text != tt.text {
				t.Errorf("decoded %q, want %q", text, tt.text)
			}
			if len(warnings) != 1 || warnings[0] != "decoded from "+tt.want {
				t.Errorf("warnings = %q, want decoded from %s", warnings, tt.want)
			}
		})
	}
}
