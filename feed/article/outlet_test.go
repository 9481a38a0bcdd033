package article

import "testing"

func TestOutlet(t *testing.T) {
	const story = "Armenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said in statements to the press.\n\n" +
		"The foreign ministers are to meet again next month, a spokesman for the European Union said on Tuesday evening.\n\n"
	tests := []struct {
		name, head, tail, want string
	}{
		{"site furniture outvotes the company", "Caucasus Watch homepage\n\nFollow Caucasus Watch online:\n\nTalks resume in Brussels\n\n",
			"About Caucasus Watch\n\n© 2025 Vox Media, LLC. All Rights Reserved\n", "Caucasus Watch"},
		{"copyright holder named plainly", "Talks resume in Brussels\n\n", "© 2025 Newsweek\n", "Newsweek"},
		{"legal form and year cut", "Talks resume in Brussels\n\n", "Copyright © 2025 Armenian Weekly, Inc. All rights reserved.\n", "Armenian Weekly"},
		{"corporate word dropped when the site says so", "Talks resume in Brussels\n\n", "Subscribe to Healthwire newsletters\n\n© 2005 - 2025 Healthwire Media.\n", "Healthwire"},
		{"a holder the page never names less its corporate word", "Talks resume in Brussels\n\n", "© 2005 - 2025 Healthwire Media.\n\nHealthwire Media does not provide medical advice.\n", "Healthwire Media"},
		{"every corporate word is dropped", "Talks resume in Brussels\n\n", "Read Caucasus Watch in print every Sunday.\n\n© 1995 - 2025 by Caucasus Watch Media Group Inc.\n", "Caucasus Watch"},
		// A corporate word may belong to the name: the holder stays whole
		// when its short name would end on a joining word, be one short
		// word, or is not written alone on the page.
		{"a short name never ends on an ampersand", "Talks resume in Brussels\n\n", "About Us\n\n© 2025 Guardian News & Media Limited or its affiliated companies. All rights reserved.\n", "Guardian News & Media"},
		{"an ampersand before a legal form", "Talks resume in Brussels\n\n", "© 2025 Independent Digital News & Media Ltd\n", "Independent Digital News & Media"},
		{"a company's name with a joining word", "Talks resume in Brussels\n\n", "Copyright © 2025 Dow Jones & Company, Inc. All Rights Reserved.\n", "Dow Jones & Company"},
		{"a short name of one short word", "Talks resume in Brussels\n\n", "© 2025 OC Media. All rights reserved.\n", "OC Media"},
		{"an organisation named Group", "Talks resume in Brussels\n\n", "© 2025 International Crisis Group\n", "International Crisis Group"},
		{"a group's name", "Talks resume in Brussels\n\n", "© 2025 Minority Rights Group\n", "Minority Rights Group"},
		{"a broadcaster named Network", "Talks resume in Brussels\n\n", "© 2025 Cable News Network. A Warner Bros. Discovery Company. All Rights Reserved.\n", "Cable News Network"},
		{"a holder with two corporate words", "Talks resume in Brussels\n\n", "© 2025 Sky UK Media Group\n", "Sky UK Media Group"},
		{"a holder with a legal form after its corporate words", "Talks resume in Brussels\n\n", "© 2025 Asia Times Financial Media Group Ltd\n", "Asia Times Financial Media Group"},
		{"the logo of a site its company names", "Skip to content\n\nCaucasusSports.com\n\nNews\n\nTalks resume in Brussels\n\n",
			"Caucasus Radio Home\n\nWatch Caucasus TV\n\nCaucasus Sports Network\n\n© 2004-2025 Caucasus Interactive. All Rights Reserved.\n", "CaucasusSports.com"},
		{"a company's initials spelled out by the page", "Sign Up\n\nCaucasus Daily Post\n\nShare this:\n\nTalks resume in Brussels\n\n",
			"Caucasus Daily Post\n\nTerms of Use\n\n© 2025 CDP Holdings, Inc. All Rights Reserved\n", "Caucasus Daily Post"},
		{"initials spelled out once are a section's", "Talks resume in Brussels\n\n", "Caucasus Daily Post\n\nTerms of Use\n\n© 2025 CDP Holdings, Inc. All Rights Reserved\n", "CDP Holdings"},
		{"initials spelled out by a menu's section", "Skip to content\n\nMenu\n\nSearch\n\nCaucasus Herald\n\nSouth Caucasus News\n\nPolitics\n\nEconomy\n\nTalks resume in Brussels\n\n",
			"About Us\n\nContact\n\n© 2025 SCN Media Group. All rights reserved.\n", "SCN Media Group"},
		{"initials spelled out by a section in two menus", "Skip to content\n\nMenu\n\nPolitics\n\nSouth Caucasus News\n\nEconomy\n\nTalks resume in Brussels\n\n",
			"Politics\n\nSouth Caucasus News\n\nEconomy\n\n© 2025 SCN Media Group. All rights reserved.\n", "SCN Media Group"},
		{"a name of three words may begin with New", "Talks resume in Brussels\n\n", "About New Caucasus Post\n", "New Caucasus Post"},
		{"a menu's label may not", "Talks resume in Brussels\n\n", "About New Releases\n", ""},
		{"a photo's copyright is no outlet", "Talks resume in Brussels\n\n", "© Reuters\n", ""},
		{"an author's bio", "Talks resume in Brussels\n\n", "Anna Petrosyan is a reporter for Caucasus Daily.\n\nAbout Caucasus Daily\n", "Caucasus Daily"},
		{"a section is never the outlet", "Information\n\nMenu\n\nTalks resume in Brussels\n\n", "Information\n", ""},
		{"newsletters of sections do not vote", "Talks resume in Brussels\n\n", "Football Newsletter\n\nHockey Newsletter\n\nAbout Sportsline\n\nSportsline\n", "Sportsline"},
		{"mail domain with a weak phrase", "Talks resume in Brussels\n\n", "Email the writer at anna@caucasusdaily.com\n\nMore from Caucasusdaily.com\n", "Caucasusdaily.com"},
		{"a sentence of the site's own names it", "Talks resume in Brussels\n\n", "Join our forums to keep talking about the region! And if you have a news tip, correction or comment, let us know at: community@caucasusdaily.com.\n\nMore from Caucasusdaily.com\n", "Caucasusdaily.com"},
		{"a notice closing a sentence of the site's", "Talks resume in Brussels\n\n", "We are a participant in an affiliate advertising program designed to provide a means for us to earn fees by linking to partner sites. ©Caucasus Watch 2011-2025\n", "Caucasus Watch"},
		{"a notice after the word copyright", "Talks resume in Brussels\n\n", "IPSO Regulated Copyright ©2025 Caucasus Watch.\n", "Caucasus Watch"},
		{"an agency's notice closing a caption under the text", "Talks resume in Brussels\n\n", "Pashinyan in Yerevan, May 2025. © 2025 Reuters\n\nAbout Us\n", ""},
		{"a site's notice closing a sentence above the text", "We are a participant in an affiliate advertising program designed to provide a means for us to earn fees by linking to partner sites. ©Caucasus Watch 2011-2025\n\nTalks resume in Brussels\n\n", "", ""},
		{"a credit inside a phrase is another holder's", "Talks resume in Brussels\n\n", "Sports data © STATS 2025\n", ""},
		// A name and a year under the text is no copyright notice: an author's
		// box or a topic's archive link writes one.
		{"an author's name and year", "Talks resume in Brussels\n\n", "About the author\n\nAnna Petrosyan | 2024\n\nAnna Petrosyan covers the South Caucasus from Yerevan.\n\nRelated articles\n\nAbout Us\n\nContact\n", ""},
		{"a topic's archive link", "Talks resume in Brussels\n\n", "Nagorno-Karabakh Conflict | 2020\n\nPeace Process · 2023\n\nRelated articles\n\nAbout Us\n\nContact\n", ""},
		{"an archive's year is no footer credit", "Talks resume in Brussels\n\n", "Archive | 2025\n", ""},
		{"a name and a year above the text are no footer", "Caucasus Watch · 2025\n\nTalks resume in Brussels\n\n", "", ""},
		{"a source field closing a metadata line", "Talks resume in Brussels\n\nLast Updated : Nov 20, 2025 01:41 PM IST | Source: Caucasus Watch\n\n", "", "Caucasus Watch"},
		// An official body's name is longer than a site's.
		{"a ministry's notice", "Ministry of Foreign Affairs of the Republic of Armenia\n\nPress releases\n\nTalks resume in Brussels\n\n",
			"Print\n\n© 2025 Ministry of Foreign Affairs of the Republic of Armenia\n", "Ministry of Foreign Affairs of the Republic of Armenia"},
		{"an embassy's notice", "Talks resume in Brussels\n\n", "Copyright © 2025 The Embassy of the Republic of Azerbaijan to the Kingdom of Belgium. All rights reserved.\n",
			"The Embassy of the Republic of Azerbaijan to the Kingdom of Belgium"},
		{"a prime minister's office", "Talks resume in Brussels\n\n", "© 2025 The Prime Minister of the Republic of Armenia\n", "The Prime Minister of the Republic of Armenia"},
		{"a long holder that is no body stays out", "Talks resume in Brussels\n\n", "© 2025 South Caucasus Peace and Democracy Studies Foundation Press\n", ""},
		{"a ministry's rights reserved", "Talks resume in Brussels\n\n", "© 2025 Ministry of Foreign Affairs of the Republic of Azerbaijan. All rights reserved.\n", "Ministry of Foreign Affairs of the Republic of Azerbaijan"},
		{"one weak vote is not enough", "Talks resume in Brussels\n\n", "Email the writer at anna@caucasusdaily.com\n", ""},
		{"spellings of one name are one name", "Talks resume in Brussels\n\n", "Subscribe to CaucasusPost by Email\n\n© 2025 Caucasus Post Media Ltd.\n\nCaucasus Post\n", "CaucasusPost"},
		{"a label on every item of a list is no credit", "Talks resume in Brussels\n\n", "Acme BrandVoice | Paid Program\n\nZenith BrandVoice | Paid Program\n\nOmega BrandVoice | Paid Program\n\n©2025 Forbes Media LLC. All Rights Reserved.\n\nForbes Daily\n\nForbes Travel\n\nForbes Store\n\nForbes Insights\n", "Forbes"},
		{"an address whose stem is a section's name", "News.az\n\nTalks resume in Brussels\n\n", "News.az\n\nNEWS.AZ. All Rights Reserved.\n", "NEWS.AZ"},
		{"keep up to date with the site", "Talks resume in Brussels\n\n", "Keep up to date with Caucasus Watch\n", "Caucasus Watch"},
		{"stay connected with the site", "Talks resume in Brussels\n\n", "Stay connected with Caucasus Watch:\n", "Caucasus Watch"},
		{"the logo heading the page outvotes the company", "Skip to content\n\nCaucasusWire\n\nNews\n\nTalks resume in Brussels\n\n",
			"Copyright © Caucasus Media Group Ltd, Media Centre, Main Street\n", "CaucasusWire"},
		{"a logo in capitals with a digit", "Skip to content\n\nCAUCASUS24\n\nNews\n\nTalks resume in Brussels\n\n", "", "CAUCASUS24"},
		{"a section in capitals is no logo", "Skip to content\n\nWORLD REPORT\n\nNews\n\nTalks resume in Brussels\n\n", "", ""},
		{"a menu's first word is no logo", "Metro\n\nNews\n\nTalks resume in Brussels\n\n",
			"Copyright © Caucasus Media Group Ltd, Media Centre, Main Street\n", "Caucasus Media Group"},
		{"an author's bio in a sentence after the text", "Talks resume in Brussels\n\n",
			"Anna Petrosyan is a staff writer at Caucasus Daily, where she has covered the talks between Armenia and Azerbaijan since they began in 2021.\n", "Caucasus Daily"},
		{"a name in lower case with a digit", "Talks resume in Brussels\n\n", "About caucasus24\n\nFollow caucasus24 online:\n", "caucasus24"},
		{"a lower-case word is no name", "Talks resume in Brussels\n\n", "About anything\n\nFollow everything online:\n", ""},
		{"the outlet's credit to its own staff", "Talks resume in Brussels\n\n", "Caucasus Daily writers Anna Petrosyan in Yerevan and Leyla Mammadova in Baku contributed to this report.\n", "Caucasus Daily"},
		{"postcode is no name", "Talks resume in Brussels\n\n", "Jane Doe Street, FL 33701\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(tt.head+story+tt.tail), Evidence{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Source != tt.want {
				t.Errorf("source = %q, want %q", a.Source, tt.want)
			}
		})
	}
	// The outlet's own credit in the lede.
	ledes := []struct{ name, lede, want string }{
		{"agency's own credit in the lede",
			"The European Union views the draft treaty as a turning point, the Commission's president said on Monday, Azernews reports.", "Azernews"},
		{"an agency's team on the spot",
			"The European Union views the draft treaty as a turning point. An AFP team in Brussels saw the ministers arrive on Monday.", "AFP"},
		{"a broadcaster's correspondent on the spot",
			"The European Union views the draft treaty as a turning point, the BBC's Jane Doe in Brussels says.", "BBC"},
		{"a leader in his capital names no outlet",
			"The European Union views the draft treaty as a turning point, Russia's Vladimir Putin in Moscow said on Monday.", ""},
		{"site's address opening the lede",
			"CaucasusWire.net - The European Union views the draft treaty as a turning point, the Commission's president said on Monday.", "CaucasusWire.net"},
	}
	for _, tt := range ledes {
		t.Run(tt.name, func(t *testing.T) {
			raw := "EU hopes for a swift signing\n\n" + tt.lede + "\n\nShe met the Armenian prime minister in Brussels for talks on the treaty and on transport links.\n"
			a, err := Parse("x.txt", []byte(raw), Evidence{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Source != tt.want {
				t.Errorf("source = %q, want %q", a.Source, tt.want)
			}
		})
	}
}
