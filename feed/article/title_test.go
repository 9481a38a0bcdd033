package article

import (
	"strings"
	"testing"
)

func TestHeadlineShape(t *testing.T) {
	tests := []struct {
		text string
		two  bool
	}{
		{"New York man pleads guilty to threatening to kill Rep. Ilhan Omar", false},
		{"U.S. Senate passes the bill", false},
		{"Talks resume. Ministers meet in Brussels", true},
		{"Photo taken on Monday. Credit: AP", true},
		{"The road to retiring early isn't easy.Kathrin Ziegler/Getty", true},
	}
	for _, tt := range tests {
		if got := twoSentences(tt.text); got != tt.two {
			t.Errorf("twoSentences(%q) = %v, want %v", tt.text, got, tt.two)
		}
	}
	for _, s := range []string{"Tom Krisher, AP Auto Writer", "Jane Doe | Staff Writer"} {
		if !personLine.MatchString(s) {
			t.Errorf("%q is not read as a byline", s)
		}
	}
	if personLine.MatchString("Royal Self-Indicting Arrogance") {
		t.Error("a three-word headline is read as a byline")
	}
	rows := []struct {
		text string
		row  bool
	}{
		{"Palm Bay 18 22 13 17 — 70", true},
		{"Yerevan 1,234 5.6% $7.80", true},
		{"2017 Lexus LC 500", false}, // a model's name: half numbers
		{"Armenia and Azerbaijan sign 17-point declaration", false},
	}
	for _, tt := range rows {
		if got := tableRow(tt.text); got != tt.row {
			t.Errorf("tableRow(%q) = %v, want %v", tt.text, got, tt.row)
		}
	}
	// A table's row is never the headline, even one sharing a word with
	// the text.
	a, err := Parse("scores.txt", []byte("Gabala 18 22 13 17 — 70\n\n"+
		"Armenian and Azerbaijani negotiators agreed on Monday to hold the next round of border talks in Gabala in April, officials said.\n\n"+
		"The commissions will discuss the northern stretch of the border, the foreign ministries said in matching statements.\n"), Evidence{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Title == "Gabala 18 22 13 17 — 70" {
		t.Errorf("title = %q, a table's row", a.Title)
	}
}

func TestLeadIn(t *testing.T) {
	const story = "Armenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said in statements to the press.\n\n" +
		"The foreign ministers are to meet again next month, a spokesman for the European Union said on Tuesday evening in a statement.\n"
	tests := []struct {
		name, text, first string
	}{
		{"standfirst parted by a byline", "Talks resume in Brussels\n\nThe talks were the first since the summer, and both sides called them useful.\n\nBy Anna Petrosyan\n\nNovember 18, 2019\n\n" + story,
			"Armenia and Azerbaijan resumed talks"},
		{"teaser above a dateline", "Talks resume in Brussels\n\nA storm closes the mountain road to the border for a third day running.\n\nBRUSSELS (AP) — " + story,
			"Armenia and Azerbaijan resumed talks"},
		{"a lede naming the reader's browser stays", "Talks resume in Brussels\n\nBy Anna Petrosyan\n\nThe summit was streamed live to your browser from the Europa building, where the ministers met for four hours.\n\n" + story,
			"The summit was streamed live to your browser"},
		{"a lede with no byline after it stays", "Talks resume in Brussels\n\nThe talks were the first since the summer, and both sides called them useful.\n\n" + story,
			"The talks were the first since the summer"},
		{"an introduction ending with a colon under the author's name", "Talks resume in Brussels\n\nAnna Petrosyan\n\nThe talks matter to everyone. Here's why:\n\n" + story,
			"The talks matter to everyone. Here's why:"},
		{"standfirst parted by a name and a handle", "Talks resume in Brussels\n\nThe talks were the first since the summer, and both sides called them useful.\n\nAnna Petrosyan @apetrosyan\n\n" + story,
			"Armenia and Azerbaijan resumed talks"},
		{"a page showing its text twice keeps its lede first", strings.Repeat("Talks resume in Brussels\n\n"+story+"Share\n\n", 2),
			"Armenia and Azerbaijan resumed talks"},
		{"a short opening sentence shown as often as the text", strings.Repeat("Talks resume in Brussels\n\nThe ministers at the table.Jane Doe/Getty\n\nThe talks went on for hours.\n\n"+story+"Share\n\n", 3),
			"The talks went on for hours."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(tt.text), Evidence{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(a.Body[0], tt.first) {
				t.Errorf("body starts %q, want %q", a.Body[0], tt.first)
			}
		})
	}
}

func TestTextEnd(t *testing.T) {
	const story = "Talks resume in Brussels\n\nArmenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said in statements to the press.\n\n" +
		"The foreign ministers are to meet again next month, a spokesman for the European Union said on Tuesday evening in a statement.\n\n"
	tests := []struct {
		name, tail, last string
	}{
		{"a short closing sentence is kept", "Both had met in Prague.\n\nRelated\n\nMore news\n", "Both had met in Prague."},
		{"a contributor's credit is not", "Anna Petrosyan contributed reporting from Yerevan.\n\nRelated\n", "in a statement."},
		{"a wire story's credit in parentheses is", "(Reporting by Anna Petrosyan; Editing by John Roe)\n\n© Reuters\n", "(Reporting by Anna Petrosyan; Editing by John Roe)"},
		{"a credit under its label is", "Contributing: Anna Petrosyan\n\nPublished 7:07 PM EST Nov 19, 2019\n", "Contributing: Anna Petrosyan"},
		{"a social media plug is not", "Follow Caucasus Watch on Facebook, Twitter and Instagram.\n\nRelated\n", "in a statement."},
		{"an appeal for readers' letters is not", "The paper publishes a diversity of letters. We’d like to hear what you think about this or any of our articles. Here’s our email: letters@example.org.\n", "in a statement."},
		{"an appeal for donations is not", "We do this work every day at no cost to you, but it is far from free to produce. We need your financial support.\n", "in a statement."},
		{"a link line is not", "Read more at http://example.org.\n", "in a statement."},
		{"an embedded post keeps its signature", "The minister wrote later that the talks had been useful and that both delegations would meet again soon in Brussels.\n\n— Jane Doe (@janedoe) October 9, 2018\n\nRelated\n",
			"— Jane Doe (@janedoe) October 9, 2018"},
		{"short sentences under a heading in capitals close it", "UP NEXT\n\nArmenia: Hosts the next round in May.\n\nAzerbaijan: Sends its delegation in May.\n\nMore news: https://example.org\n",
			"Azerbaijan: Sends its delegation in May."},
		{"a heading in a script without capitals does not", "次の会合\n\nArmenia: Hosts the next round in May.\n\nAzerbaijan: Sends its delegation in May.\n\nMore news: https://example.org\n", "in a statement."},
		{"a heading in capitals with no sentence under it does not", "UP NEXT\n\nMore news: https://example.org\n", "in a statement."},
		{"a copy of the whole text under it does not", story + "A line the copy adds at its end, as a caption of the photograph shown under the text here.\n", "in a statement."},
		{"a letter to the readers under a box's heading is not", "The Daily Planet\n\nSince 1994\n\nA Word to Our Loyal Readers\n\nHelp us and make a difference for readers everywhere.\n\nRead the Letter\n\nEditorial\n\nJane Doe\n\nJohn Roe\n\n" +
			"Most of our stories begin when readers ask us whether something is true, and those questions lead our reporters to the documents, the people and the places that can tell them what really happened.\n\nHelp us so that we can go on asking questions for you.\n",
			"in a statement."},
		{"readers' comments under their authors' lines are not", "Posted in Diplomacy | 2 Comments\n\n" +
			"Aram Petrosyan on November 18, 2019 at 9:12 am said:\n\nI have followed these talks for years and I do not believe that this round will be any different from the ones before it, because nothing has changed on the ground, and the people in the border villages are still waiting for the roads to open again after all this time.\n\n" +
			"Leyla Mammadova on November 18, 2019 at 10:40 am said:\n\nThe ministers have said the same thing after every meeting since the war ended, and what matters is whether the border commissions agree on the maps, which the article does not mention at all, although it is the real question for everyone who lives there.\n",
			"in a statement."},
		{"a list under its heading closes it", "Next rounds\n\nBrussels (EU): talks on the treaty\n\nGeneva (UN): talks on the border\n\nWashington (US): talks on transport\n\nAnna Petrosyan\n\nStaff writer\n",
			"Washington (US): talks on transport"},
		{"the site's contacts under their heading do not", "Contacts\n\nTel: +374 10 620000\n\nFax: +374 10 620001\n\nHotline: +374 10 620002\n", "in a statement."},
		{"a list of links to other stories does not", "Elsewhere today\n\nTalks stall over maps in Geneva\n\nMinisters meet again in Prague\n\nBorder commission sets a date\n", "in a statement."},
		{"an update stamp is not a closing sentence", "Updated at 1:23 p.m.\n\nMost Popular\n", "in a statement."},
		{"a newsletter box's pitch is not", "Daily Briefing Newsletter\n\nGet the day's big stories and the analysis you need, every morning.\n\nI agree to receive the newsletter.\n", "in a statement."},
		{"a paragraph under a link to the comments is", "The talks were the first since the summer, when the two sides last met in Washington and agreed on the outline of the treaty and on the order of the next steps, and both of them called the meeting useful and said that they would meet again.\n\nComments\n\nThe ministers are expected to sign the text before the summer, when the border commissions have agreed on the maps and on the order of the next steps, the spokesman said.\n\nComments\n\nIf you enjoyed this article, join our club.\n",
			"the spokesman said."},
		{"comments after an end marker are not", "The talks were the first since the summer, when the two sides last met in Washington and agreed on the outline of the treaty and on the order of the next steps.\n\nTheir deputies will prepare the text of the next round, which is expected in the spring, the spokesman added.\n\n3 comments\n\n" +
			"Aram\n\nNovember 18, 2019 at 9:12 am\n\nI have followed these talks for years and I do not believe that this round will be any different from the ones before it, because nothing has changed on the ground.\n\n" +
			"Reply\n\nLeyla\n\nNovember 18, 2019 at 10:40 am\n\nThe ministers have said the same thing after every meeting since the war ended, and people in the border villages are still waiting for the roads to open again.\n\n" +
			"Reply\n\nMark\n\nNovember 19, 2019 at 8:02 am\n\nWhat matters is whether the border commissions agree on the maps, and the article does not say a word about that, which is the real question for everyone.\n\nReply\n", "expected in the spring, the spokesman added."},
		{"long teasers under related stories are not", "The two delegations will meet again in the spring to agree on the last open articles of the treaty, on the border commissions and on the transport links, the spokesman said, adding that both sides had shown goodwill on Wednesday.\n\nYou may also like\n\n" +
			"Armenia's prime minister said on Friday that the draft of the treaty was nearly ready and that the two sides had agreed on most of its articles, including the one on the border commissions, and he called on the partners to keep up the pace of the talks before the …\n\n" +
			"Azerbaijan's foreign minister met his counterpart in Geneva for the first time since the summer, and both of them told reporters afterwards that the meeting had been useful and that they would now hand the text over to the experts, who are to meet in the …\n\n" +
			"The European Union's special representative for the region visited Yerevan and Baku last week and said that the talks were at a decisive point, with only two questions still open, one on the constitution and the other on the monitoring mission along the …\n",
			"shown goodwill on Wednesday."},
		{"comments under a blog's title for them are not", "The talks were the first since the summer, when the two sides last met in Washington and agreed on the outline of the treaty and on the order of the next steps.\n\nTheir deputies will prepare the text of the next round, which is expected in the spring, the spokesman added.\n\n2 thoughts on “Talks resume in Brussels”\n\n" +
			"Aram\n\nNovember 18, 2019 at 9:12 am\n\nI have followed these talks for years and I do not believe that this round will be any different from the ones before it, because nothing has changed on the ground, and the villages are still waiting.\n\n" +
			"Leyla\n\nNovember 18, 2019 at 10:40 am\n\nThe ministers have said the same thing after every meeting since the war ended, and people in the border villages are still waiting for the roads to open again, as they were last year.\n", "expected in the spring, the spokesman added."},
		{"a call to watch a video under the text is not", "Watch the full press conference of the two delegations here:\n\nRelated articles\n\nPashinyan says peace treaty text is 80 percent agreed\n\nEU monitors extend mission on Armenian border\n\nAbout Us\n\nContact\n",
			"in a statement."},
		{"a line announcing a list of other stories is not", "Here is what else happened in the region this week:\n\n- Pashinyan says peace treaty text is 80 percent agreed\n\n- EU monitors extend mission on Armenian border\n\n- Baku hosts COP29 preparatory meeting\n\nRelated articles\n\nAbout Us\n\nContact\n",
			"in a statement."},
		{"a heading of links with a colon does not", "Related coverage from Caucasus Watch:\n\nTalks stall over maps in Geneva\n\nMinisters meet again in Prague\n", "in a statement."},
		{"a numbered list the text announces closes it", "Both sides listed the points that are still open in the draft, and the spokesman said that the experts would go through each of them again before the ministers meet in the spring:\n\n1) The border commissions\n\nhttp://example.org/1\n\n2) The transport links\n\nhttp://example.org/2\n\n3) The monitoring mission\n\nhttp://example.org/3\n\nMore news\n",
			"3) The monitoring mission"},
		{"a numbered list of other stories a line under the text announces does not", "Here are the stories our readers followed most closely this week:\n\n1. Pashinyan says peace treaty text is 80 percent agreed\n\n2. EU monitors extend mission on Armenian border\n\n" +
			"3. Baku hosts COP29 preparatory meeting\n\n4. Georgia's ruling party wins disputed vote\n\nRelated articles\n\nPashinyan says peace treaty text is 80 percent agreed\n\nAbout Us\n\nContact\n", "in a statement."},
		{"a plain numbered list a line under the text announces does not", "This is what else happened in the South Caucasus this week:\n\n1. Pashinyan says peace treaty text is 80 percent agreed\n\n2. EU monitors extend mission on Armenian border\n\n" +
			"3. Baku hosts COP29 preparatory meeting\n\nRelated articles\n\nAbout Us\n\nContact\n", "in a statement."},
		{"a numbered list nothing announces does not", "1) Talks stall over maps\n\n2) Ministers meet in Prague\n\n3) Border commission sets a date\n", "in a statement."},
		{"a page ending on a paragraph that announces a list", "Both sides listed the points that are still open in the draft, and the spokesman said that the experts would go through each of them again before the ministers meet in the spring:\n",
			"before the ministers meet in the spring:"},
		{"a box inside the text is not its end", "Related articles\n\nTalks stall again\n\nThe ministers said the next round would deal with the border commissions and with the transport links through the south of Armenia.\n\n" +
			"They added that the draft had been agreed in most of its articles and that two points were still open, one on the constitution and one on the monitors.\n\n" +
			"The spokesman said both sides had agreed to keep talking and to meet again in the spring, when the text would be ready for signature.\n", "ready for signature."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(story+tt.tail), Evidence{})
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Body[len(a.Body)-1]; !strings.HasSuffix(got, tt.last) {
				t.Errorf("body ends %q, want …%q", got, tt.last)
			}
		})
	}
}

func TestHeadlineChoice(t *testing.T) {
	const story = "\n\nArmenia and Azerbaijan resumed talks on the peace treaty in Brussels on Monday, officials said in statements to the press.\n\n" +
		"The foreign ministers are to meet again next month, a spokesman for the European Union said on Tuesday evening in a statement.\n"
	tests := []struct {
		name, head, want string
	}{
		{"a menu item with a byline-like neighbour is no headline",
			"World\n\nEurope\n\nBrussels Talks Today\n\nBy Any Means Necessary\n\nDouble Down\n\nLoud & Clear\n\nSearch\n\nPeace treaty talks resume in Brussels\n\nNovember 18, 2019", "Peace treaty talks resume in Brussels"},
		{"a headline sharing no word with the text, with its byline under it",
			"Gigi returns to the stage in London\n\nWhy ministers always close the door at night\n\nDiplomats gather in the Belgian capital\n\nBy Anna Petrosyan\n\n1 day ago\n\nTwo climbers die on the north face of the mountain\n\nMarkets close higher for a third day",
			"Diplomats gather in the Belgian capital"},
		{"a headline over its longer dek",
			"Talks resume in Brussels\n\n“We will sign the peace treaty this year,” the Armenian foreign minister said after talks in Brussels on Monday\n\nBy Anna Petrosyan\n\nNovember 18, 2019",
			"Talks resume in Brussels"},
		{"a link of a list above the headline is no headline",
			"Border commissions to meet in Geneva next year\n\nTalks in Brussels stall over maps\n\nArmenia and Azerbaijan resume peace treaty talks in Brussels with a new draft on Monday\n\nBy Anna Petrosyan\n\nNovember 18, 2019",
			"Armenia and Azerbaijan resume peace treaty talks in Brussels with a new draft on Monday"},
		{"a headline shown twice in a row under a menu is no menu item",
			"World\n\nEurope\n\nPolitics\n\nOpinion\n\nDiplomats gather in Belgium\n\nDiplomats gather in Belgium", "Diplomats gather in Belgium"},
		{"a name and an outlet between a headline and its date are its byline",
			"World\n\nDiplomats gather in the Belgian capital\n\nAnna Petrosyan, The Daily Planet\n\n19.11.2019, 08:57", "Diplomats gather in the Belgian capital"},
		{"the author's lines under a lone By are no headline",
			"A long road to the table in Brussels\n\nThe draft leaves two questions open.\n\nBy\n\nAnna Petrosyan\n\nBiographyAnna K. Petrosyan\n\n@apetrosyan\n\nNov. 18, 2019 8:03 am ET",
			"A long road to the table in Brussels"},
		{"a share button is no headline",
			"Diplomats gather in the Belgian capital\n\nNovember 18, 2019\n\nShare this story on the peace talks in Brussels", "Diplomats gather in the Belgian capital"},
		{"the author under an Author: label is no headline",
			"Peace talks go on in the Belgian capital\n\nAuthor:\n\nThe Peace Treaty Letters\n\nPublish date:\n\nNov 18, 2019", "Peace talks go on in the Belgian capital"},
		{"a headline of two words over its date", "Home » Blog »\n\nTreaty talks\n\nNovember 18, 2019\n\nPosted by\n\nAnna", "Treaty talks"},
		{"two words over a date sharing nothing with the text are no headline", "Diplomats gather in the Belgian capital\n\nBy Anna Petrosyan\n\nOur blog\n\nNovember 18, 2019", "Diplomats gather in the Belgian capital"},
		{"the last crumb of the breadcrumbs, even cut short", "Menu\n\nTalks in Brussels go on…\n\nNews » Diplomacy » Talks in Brussels go on…\n\nFacebook Twitter Share", "Talks in Brussels go on…"},
		{"a video's title under its label is no headline",
			"Peace talks go on in the Belgian capital\n\nBy\n\nAnna Petrosyan | Caucasus Daily\n\nNovember 18, 2019\n\nFacebook\n\nTwitter\n\nVideo\n\nPeace treaty talks resumed in Brussels", "Peace talks go on in the Belgian capital"},
		{"a wire credit is no headline", "Diplomats gather again in the Belgian capital\n\nBy Anna Petrosyan\n\nThe Associated Press\n\nNovember 18, 2019", "Diplomats gather again in the Belgian capital"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse("x.txt", []byte(tt.head+story), Evidence{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.want {
				t.Errorf("title = %q, want %q", a.Title, tt.want)
			}
		})
	}
}

func TestBylineAfter(t *testing.T) {
	tests := []struct {
		name, below string
		want        bool
	}{
		{"a byline", "By Anna Petrosyan", true},
		{"a date line naming its author", "Monday November 18, 2019 7:45 am PST by Anna Petrosyan", true},
		{"a date alone", "November 18, 2019", true},
		{"another headline", "Border commissions to meet in Geneva next year", false},
		{"a sentence with a date", "The ministers met on November 18, 2019 in Brussels, and they agreed to meet again in the spring after the holidays.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPage("Peace treaty talks resume in Brussels\n\n"+tt.below+"\n", Evidence{})
			if got := p.bylineAfter(0); got != tt.want {
				t.Errorf("bylineAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFurniturePhrases(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"Your browser does not support the video tag.", true},
		{"GET BREAKING NEWS IN YOUR BROWSER. CLICK HERE TO TURN ON NOTIFICATIONS.", true},
		{"Please update your browser to see this page.", true},
		{"We’d like to hear what you think about this or any of our articles.", true},
		{"The game is streamed to your browser from the company's servers.", false},
		{"The service added five million paying subscribers in the quarter.", false},
		{"The bond issue was oversubscribed three times, the ministry said.", false},
		{"You can unsubscribe at any time.", true},
		{"A group affiliated with the government organised the protest in the capital.", false},
		{"We may earn a commission through our affiliate links.", true},
		{"Subscribe now: subscribers read every story first.", true},
		{"Get a year of our premium service for $5. Use the code SAVE5.", true},
	}
	for _, tt := range tests {
		if got := furniture(tt.text, asciiLower(tt.text)); got != tt.want {
			t.Errorf("furniture(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
