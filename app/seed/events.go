package seed

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
)

type eventText struct {
	title, summary, description string
}

// eventTemplate describes a kind of night. Each planned event copies its text
// and draws a lineup of lineupMin..lineupMax artists from the pool. With
// resident set, pool[0] hosts every time and plays the last set.
type eventTemplate struct {
	kind                 db.EventsKind
	pool                 []string
	resident             bool
	lineupMin, lineupMax int
	en, de               eventText
}

// slot is a regular place in the weekly programme, in club time (SLT). When a
// slot lists several templates, each week picks one of them.
type slot struct {
	day       time.Weekday
	location  string
	start     time.Duration // after midnight, club time
	length    time.Duration
	templates []string
}

// special is a one-off night on a day relative to today (club time). It
// displaces any weekly slot at the same venue that it overlaps. No special
// falls on the days right around today, so the weekly programme alone decides
// what is on now and next.
type special struct {
	day      int
	location string
	start    time.Duration
	length   time.Duration
	template string
}

const (
	hour   = time.Hour
	minute = time.Minute
)

// openDecks fills the venue when nothing else is on at the moment of seeding,
// so "happening now" is never empty in a demo.
const openDecks = "open-decks"

// weeklyProgramme is the club's regular week: 3 to 6 nights a day across the
// venues, mostly DJ sets, with live music, an open mic and Saturday parties.
var weeklyProgramme = []slot{
	{time.Monday, "crystal-grotto", 12 * hour, 2 * hour, []string{"crystal-frequencies"}},
	{time.Monday, "main-cave", 18 * hour, 2 * hour, []string{"moonday-techno"}},
	{time.Monday, "moonlit-lagoon", 20 * hour, 2 * hour, []string{"lagoon-lofi"}},

	{time.Tuesday, "ember-lounge", 17 * hour, 2 * hour, []string{"jazz-by-the-fire"}},
	{time.Tuesday, "main-cave", 20 * hour, 2 * hour, []string{"breaks-and-basslines"}},
	{time.Tuesday, "moonlit-lagoon", 21 * hour, 2 * hour, []string{"tidal-dub"}},

	{time.Wednesday, "fern-hollow", 12 * hour, 90 * minute, []string{"hollow-folk-circle"}},
	{time.Wednesday, "crystal-grotto", 15 * hour, 2 * hour, []string{"synthwave-skyline"}},
	{time.Wednesday, "ember-lounge", 18 * hour, 2 * hour, []string{"open-mic"}},
	{time.Wednesday, "main-cave", 19 * hour, 2 * hour, []string{"midweek-meltdown"}},

	{time.Thursday, "crystal-grotto", 13 * hour, 2 * hour, []string{"crystal-frequencies"}},
	{time.Thursday, "ember-lounge", 18 * hour, 2 * hour, []string{"soul-kitchen"}},
	{time.Thursday, "main-cave", 20 * hour, 2 * hour, []string{"darkwave-ritual"}},
	{time.Thursday, "moonlit-lagoon", 21 * hour, 2 * hour, []string{"moonrise-progressive"}},

	{time.Friday, "fern-hollow", 13 * hour, 2 * hour, []string{"fern-and-fiddle"}},
	{time.Friday, "ember-lounge", 16 * hour, 2 * hour, []string{"acoustic-embers"}},
	{time.Friday, "main-cave", 18 * hour, 3 * hour, []string{"deep-dive"}},
	{time.Friday, "crystal-grotto", 20 * hour, 2 * hour, []string{"polar-lights"}},
	{time.Friday, "moonlit-lagoon", 22 * hour, 2 * hour, []string{"lagoon-afterglow"}},

	{time.Saturday, "crystal-grotto", 12 * hour, 2 * hour, []string{"glasshouse-live"}},
	{time.Saturday, "moonlit-lagoon", 14 * hour, 2 * hour, []string{"beach-bar-disco"}},
	{time.Saturday, "fern-hollow", 15 * hour, 90 * minute, []string{"campfire-stories"}},
	{time.Saturday, "ember-lounge", 17 * hour, 2 * hour, []string{"swing-and-sparks"}},
	{time.Saturday, "main-cave", 20 * hour, 4 * hour, []string{
		"neon-jungle", "midnight-masquerade", "full-moon-rave", "retro-arcade", "glitter-and-gravity", "white-night",
	}},
	{time.Saturday, "moonlit-lagoon", 22 * hour, 2 * hour, []string{"liquid-tides"}},

	{time.Sunday, "crystal-grotto", 11 * hour, 3 * hour, []string{"sunday-ambient-brunch"}},
	{time.Sunday, "fern-hollow", 14 * hour, 90 * minute, []string{"sunday-strings"}},
	{time.Sunday, "main-cave", 17 * hour, 2 * hour, []string{"sunday-groove"}},
	{time.Sunday, "ember-lounge", 19 * hour, 90 * minute, []string{"candlelight-sessions"}},
	{time.Sunday, "moonlit-lagoon", 21 * hour, 2 * hour, []string{"night-swim"}},
}

// specials are one-off nights: album releases, talks, big parties.
var specials = []special{
	{-37, "ember-lounge", 19 * hour, 2 * hour, "quiz-night"},
	{-30, "main-cave", 19 * hour, 3 * hour, "album-glass-horizons"},
	{-23, "fern-hollow", 18 * hour, 2 * hour, "listening-club"},
	{-16, "fern-hollow", 11 * hour, 90 * minute, "talk-building-sound"},
	{-9, "main-cave", 19 * hour, 4 * hour, "anniversary-bash"},
	{3, "ember-lounge", 18 * hour, 2 * hour, "album-paper-satellites"},
	{8, "moonlit-lagoon", 19 * hour, 4 * hour, "charity-night"},
	{12, "fern-hollow", 12 * hour, 2 * hour, "talk-dj-workshop"},
	{19, "crystal-grotto", 19 * hour, 3 * hour, "frozen-fractals"},
	{27, "crystal-grotto", 19 * hour, 2 * hour, "album-circuit-bloom"},
	{34, "fern-hollow", 12 * hour, 90 * minute, "talk-warm-up"},
}

// eventTemplates holds the text and lineup pool of every kind of night.
var eventTemplates = map[string]eventTemplate{
	"moonday-techno": {
		kind: db.EventsKindDjSet, pool: []string{"nyx-calloway", "rook-halvorsen", "astra-feldspar"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Moonday Techno", "Melodic techno to open the week, under violet lasers.",
			"Mondays in the Main Cave belong to techno: hypnotic, melodic and just dark enough. The lasers come on " +
				"with the first kick drum and stay on until the last. Come straight from work; nobody checks your " +
				"outfit on a Monday."},
		de: eventText{"Moonday Techno", "Melodic Techno zum Wochenstart, unter violetten Lasern.",
			"Montags gehört die Hauptgrotte dem Techno: hypnotisch, melodisch und gerade dunkel genug. Die Laser " +
				"gehen mit der ersten Bassdrum an und erst mit der letzten wieder aus. Kommt direkt von der Arbeit – " +
				"montags schaut niemand aufs Outfit."},
	},
	"crystal-frequencies": {
		kind: db.EventsKindDjSet, pool: []string{"frostbyte-collective", "astra-feldspar", "nyx-calloway"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Crystal Frequencies", "Uplifting trance and big breakdowns in the ice-blue Grotto.",
			"Frostbyte Collective's trance night: euphoric melodies, long breakdowns and hands in the air. The " +
				"Grotto's crystals pulse with the music, so dress in white if you want to glow along."},
		de: eventText{"Crystal Frequencies", "Uplifting Trance und große Breakdowns in der eisblauen Grotte.",
			"Die Trance-Nacht von Frostbyte Collective: euphorische Melodien, lange Breakdowns und Hände in der " +
				"Luft. Die Kristalle der Grotte pulsieren im Takt – wer in Weiß kommt, leuchtet mit."},
	},
	"lagoon-lofi": {
		kind: db.EventsKindDjSet, pool: []string{"kitsune-drift", "kaito-hoshizora", "glasswing"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Lagoon Lo-Fi", "Dusty beats, warm chords and moonlight on the water.",
			"Grab a deck chair on the floating deck and let the week wash off. Lo-fi hip hop, jazzy beats and the " +
				"sound of the waves, at a volume that still lets you talk to your friends."},
		de: eventText{"Lagunen-Lo-Fi", "Staubige Beats, warme Akkorde und Mondlicht auf dem Wasser.",
			"Schnappt euch einen Liegestuhl auf dem schwimmenden Deck und lasst die Woche abperlen. Lo-Fi-Hip-Hop, " +
				"jazzige Beats und Meeresrauschen – so leise, dass ihr euch noch mit Freunden unterhalten könnt."},
	},
	"jazz-by-the-fire": {
		kind: db.EventsKindLive, pool: []string{"ottoline-fairweather", "emberly-vance"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Jazz by the Fire", "Live piano and voice by the fire pit.",
			"Pull up a sofa: Ottoline Fairweather plays standards and her own ballads live from New Orleans, often " +
				"joined by Emberly Vance on vocals. Quiet conversation is welcome, requests even more so."},
		de: eventText{"Jazz am Feuer", "Live-Piano und Gesang an der Feuerstelle.",
			"Macht es euch auf einem Sofa bequem: Ottoline Fairweather spielt live aus New Orleans Standards und " +
				"eigene Balladen, oft zusammen mit Emberly Vance am Mikrofon. Leise Unterhaltungen sind willkommen, " +
				"Musikwünsche noch mehr."},
	},
	"breaks-and-basslines": {
		kind: db.EventsKindDjSet, pool: []string{"baron-von-bassline", "tidecaller"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Breaks & Basslines", "Breakbeat, big beat and drum & bass to get you through Tuesday.",
			"The Baron's weekly rumble: chopped-up breaks, fat basslines and the odd rave anthem. Tidecaller often " +
				"joins for the last hour and pushes everything up to 174."},
		de: eventText{"Breaks & Basslines", "Breakbeat, Big Beat und Drum and Bass, damit ihr gut durch den Dienstag kommt.",
			"Der wöchentliche Krawall des Barons: zerhackte Breaks, fette Basslines und hin und wieder eine " +
				"Rave-Hymne. In der letzten Stunde kommt oft Tidecaller dazu und zieht das Tempo auf 174 BPM an."},
	},
	"tidal-dub": {
		kind: db.EventsKindDjSet, pool: []string{"mister-lowtide", "tidecaller"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Tidal Dub", "Roots, dub and steppers from a sound system by the sea.",
			"Mister Lowtide stacks the speakers on the beach and rolls out roots, dub and steppers until the bass " +
				"makes ripples on the lagoon. Heavy echo, good vibes, no hurry."},
		de: eventText{"Tidal Dub", "Roots, Dub und Steppers vom Soundsystem am Meer.",
			"Mister Lowtide stapelt die Boxen am Strand und spielt Roots, Dub und Steppers, bis der Bass Wellen " +
				"auf der Lagune schlägt. Viel Hall, gute Stimmung, keine Eile."},
	},
	"hollow-folk-circle": {
		kind: db.EventsKindLive, pool: []string{"sable-and-thistle", "wren-abernathy", "marisol-quinn"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Hollow Folk Circle", "A lunchtime song circle among the ferns.",
			"Folk songs old and new, played in a circle around the firefly lantern. Sit on a mushroom, sing along " +
				"with the choruses and take a long lunch break. We won't tell."},
		de: eventText{"Folkrunde in der Mulde", "Ein Liederkreis zur Mittagszeit zwischen den Farnen.",
			"Alte und neue Folksongs, gespielt im Kreis um die Glühwürmchenlaterne. Setzt euch auf einen Pilz, " +
				"singt beim Refrain mit und gönnt euch eine lange Mittagspause – wir verraten nichts."},
	},
	"synthwave-skyline": {
		kind: db.EventsKindDjSet, pool: []string{"selene-marchetti", "pixel-moth", "rook-halvorsen"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Synthwave Skyline", "Neon synths and retro-future drive over an ice-blue skyline.",
			"Put on your mirrored sunglasses: the Grotto turns into a 1980s skyline for two hours of synthwave, " +
				"outrun and Italo. Cars optional, shoulder pads encouraged."},
		de: eventText{"Synthwave Skyline", "Neon-Synths und Retro-Zukunft über einer eisblauen Skyline.",
			"Setzt die verspiegelten Sonnenbrillen auf: Die Grotte verwandelt sich für zwei Stunden Synthwave, " +
				"Outrun und Italo in eine Skyline der 80er. Autos optional, Schulterpolster ausdrücklich erwünscht."},
	},
	"open-mic": {
		kind: db.EventsKindOther, pool: []string{"marisol-quinn", "wren-abernathy", "sable-and-thistle", "emberly-vance"},
		lineupMin: 2, lineupMax: 4,
		en: eventText{"Open Mic at the Ember", "Sign up at the bar and play three songs – everyone is welcome.",
			"Our weekly open stage: singers, poets, guitarists and the occasional kazoo. Regulars open the night, " +
				"then the list at the bar takes over. Three songs each, by voice or stream, and the applause is " +
				"guaranteed."},
		de: eventText{"Offene Bühne in der Ember Lounge", "Tragt euch an der Bar ein und spielt drei Songs – alle sind willkommen.",
			"Unsere wöchentliche offene Bühne: Sängerinnen, Poeten, Gitarristen und gelegentlich eine Kazoo. " +
				"Stammgäste eröffnen den Abend, danach gilt die Liste an der Bar. Drei Songs pro Person, per Voice " +
				"oder Stream – Applaus ist garantiert."},
	},
	"midweek-meltdown": {
		kind: db.EventsKindDjSet, pool: []string{"aurelio-sands", "selene-marchetti", "kaito-hoshizora", "juniper-okafor"},
		resident: true, lineupMin: 2, lineupMax: 2,
		en: eventText{"Midweek Meltdown", "Disco, funk and house to melt away the middle of the week.",
			"Halfway through the week and the mirror ball is already spinning. Nu-disco, funk edits and feel-good " +
				"house, with a different guest every Wednesday."},
		de: eventText{"Midweek Meltdown", "Disco, Funk und House, damit die Wochenmitte dahinschmilzt.",
			"Die Woche ist erst halb vorbei, und die Discokugel dreht sich schon. Nu-Disco, Funk-Edits und gut " +
				"gelaunter House, jeden Mittwoch mit einem anderen Gast."},
	},
	"soul-kitchen": {
		kind: db.EventsKindDjSet, pool: []string{"aurelio-sands", "juniper-okafor", "mister-lowtide"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Soul Kitchen", "Classic soul, Northern soul and rare grooves on vinyl.",
			"Thursday's soul night in the Ember Lounge: Motown, Northern soul, seventies rare grooves and the odd " +
				"modern gem, all straight from the crate. Dance by the fire, cocktails at the bar."},
		de: eventText{"Soul Kitchen", "Klassischer Soul, Northern Soul und Rare Grooves von Vinyl.",
			"Der Soul-Abend am Donnerstag in der Ember Lounge: Motown, Northern Soul, Rare Grooves aus den " +
				"Siebzigern und das eine oder andere moderne Juwel, alles direkt aus der Plattenkiste. Getanzt wird " +
				"am Feuer, Cocktails gibt es an der Bar."},
	},
	"darkwave-ritual": {
		kind: db.EventsKindDjSet, pool: []string{"rook-halvorsen", "nyx-calloway"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Darkwave Ritual", "Darkwave, EBM and post-punk in a candle-lit cave.",
			"Once a week the Main Cave goes black: candles, fog and cold synthesizers. Rook Halvorsen digs up " +
				"post-punk, coldwave and EBM for an evening of serious dancing."},
		de: eventText{"Darkwave-Ritual", "Darkwave, EBM und Post-Punk in einer Höhle voller Kerzen.",
			"Einmal pro Woche wird die Hauptgrotte schwarz: Kerzen, Nebel und kalte Synthesizer. Rook Halvorsen " +
				"gräbt Post-Punk, Coldwave und EBM aus – für einen Abend ernsthaften Tanzens."},
	},
	"moonrise-progressive": {
		kind: db.EventsKindDjSet, pool: []string{"cassius-moonwater", "luma-vesper", "frostbyte-collective"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Moonrise Progressive", "Long, rolling progressive house as the moon rises over the lagoon.",
			"Cassius Moonwater's weekly journey: deep, driving progressive house that takes its time. The sky over " +
				"the lagoon darkens as the set builds, so stay for the last hour."},
		de: eventText{"Moonrise Progressive", "Langer, rollender Progressive House, während der Mond über der Lagune aufgeht.",
			"Cassius Moonwaters wöchentliche Reise: tiefer, treibender Progressive House, der sich Zeit lässt. Der " +
				"Himmel über der Lagune wird dunkler, je weiter sich das Set aufbaut – bleibt also bis zur letzten " +
				"Stunde."},
	},
	"fern-and-fiddle": {
		kind: db.EventsKindLive, pool: []string{"sable-and-thistle", "wren-abernathy"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Fern & Fiddle", "Jigs, reels and ballads in the forest.",
			"Sable & Thistle's weekly session under the ferns: Celtic and Nordic tunes, fast enough for a ceilidh " +
				"and slow enough for a cup of tea. Beginners' steps are taught at the start."},
		de: eventText{"Farn & Fiedel", "Jigs, Reels und Balladen im Wald.",
			"Die wöchentliche Session von Sable & Thistle unter den Farnen: keltische und nordische Melodien, " +
				"schnell genug für einen Ceilidh und langsam genug für eine Tasse Tee. Zu Beginn gibt es Tanzschritte " +
				"für Anfänger."},
	},
	"acoustic-embers": {
		kind: db.EventsKindLive, pool: []string{"marisol-quinn", "wren-abernathy", "emberly-vance"},
		lineupMin: 2, lineupMax: 2,
		en: eventText{"Acoustic Embers", "Unplugged songs to start the weekend.",
			"Two songwriters, two stools, one fire. Acoustic sets to ease you into the weekend before the Main " +
				"Cave gets loud."},
		de: eventText{"Acoustic Embers", "Unplugged-Songs zum Start ins Wochenende.",
			"Zwei Songwriter, zwei Hocker, ein Feuer. Akustik-Sets, die euch sanft ins Wochenende bringen, bevor " +
				"es in der Hauptgrotte laut wird."},
	},
	"deep-dive": {
		kind: db.EventsKindDjSet, pool: []string{"luma-vesper", "cassius-moonwater", "juniper-okafor"},
		resident: true, lineupMin: 2, lineupMax: 3,
		en: eventText{"Deep Dive Sessions", "Three hours of deep house, from warm-up to way down deep.",
			"Our longest-running residency. Luma Vesper and her guests take the Main Cave on a slow descent " +
				"through deep house, dub house and the occasional garage classic. The bubbles are a feature, not a bug."},
		de: eventText{"Deep Dive Sessions", "Drei Stunden Deep House – vom Warm-up bis ganz tief hinunter.",
			"Unsere älteste Residency. Luma Vesper und ihre Gäste nehmen die Hauptgrotte mit auf einen langsamen " +
				"Abstieg durch Deep House, Dub House und den einen oder anderen Garage-Klassiker. Die Luftblasen " +
				"sind übrigens Absicht."},
	},
	"polar-lights": {
		kind: db.EventsKindDjSet, pool: []string{"astra-feldspar", "nyx-calloway", "frostbyte-collective"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Polar Lights", "Psybient and slow psytrance beneath a shimmering aurora.",
			"Astra Feldspar switches on the Grotto's aurora and takes you on a two-hour trip through psybient, dub " +
				"techno and slow, rolling psytrance. Lie down on the ice or dance: both are correct."},
		de: eventText{"Polarlichter", "Psybient und langsamer Psytrance unter schimmerndem Polarlicht.",
			"Astra Feldspar schaltet das Polarlicht der Grotte ein und nimmt euch mit auf einen zweistündigen Trip " +
				"durch Psybient, Dub Techno und langsamen, rollenden Psytrance. Ob ihr euch aufs Eis legt oder " +
				"tanzt – beides ist richtig."},
	},
	"lagoon-afterglow": {
		kind: db.EventsKindDjSet, pool: []string{"kitsune-drift", "glasswing", "astra-feldspar"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Lagoon Afterglow", "Downtempo and chill-out for after the party.",
			"When Deep Dive ends, the Lagoon begins: downtempo, trip hop and chill-out to cool down by the water. " +
				"Dancing shoes off, feet in the sand."},
		de: eventText{"Lagoon Afterglow", "Downtempo und Chill-out für nach der Party.",
			"Wenn Deep Dive endet, beginnt die Lagune: Downtempo, Trip-Hop und Chill-out zum Runterkommen am " +
				"Wasser. Tanzschuhe aus, Füße in den Sand."},
	},
	"glasshouse-live": {
		kind: db.EventsKindLive, pool: []string{"glasswing", "pixel-moth", "linnea-sorby", "hollow-meridian"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Glasshouse Live", "Live electronics in the glass-walled heart of the Grotto.",
			"Saturday lunchtime is for live sets: no pre-recorded mixes, just synthesizers, loopers and whatever " +
				"the artists build on the spot. Every performance is a little different, and some are very different."},
		de: eventText{"Glasshouse Live", "Live-Elektronik im gläsernen Herzen der Grotte.",
			"Samstagmittag gehört den Live-Sets: keine vorgefertigten Mixe, nur Synthesizer, Looper und das, was " +
				"die Artists vor Ort daraus bauen. Jeder Auftritt ist ein bisschen anders, manche sind sehr anders."},
	},
	"beach-bar-disco": {
		kind: db.EventsKindDjSet, pool: []string{"kaito-hoshizora", "selene-marchetti", "aurelio-sands"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Beach Bar Disco", "A sunny afternoon disco at the Lagoon's beach bar.",
			"The moon takes a break and the beach bar opens early: city pop, disco and Balearic grooves, cocktails " +
				"with little umbrellas, and a limbo contest at half past three."},
		de: eventText{"Strandbar-Disco", "Sonnige Nachmittagsdisco an der Strandbar der Lagune.",
			"Der Mond macht Pause, und die Strandbar öffnet früh: City Pop, Disco und balearische Grooves, " +
				"Cocktails mit Schirmchen und um halb vier ein Limbo-Wettbewerb."},
	},
	"campfire-stories": {
		kind: db.EventsKindLive, pool: []string{"wren-abernathy", "marisol-quinn", "sable-and-thistle"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Campfire Songs & Stories", "Songs and the stories behind them, around the campfire.",
			"Our songwriters play a few songs each and tell you where they came from: the kitchen table, the night " +
				"bus, the breakup. Marshmallows are on the house."},
		de: eventText{"Lieder & Geschichten am Lagerfeuer", "Lieder und die Geschichten dahinter, am Lagerfeuer.",
			"Unsere Songwriter spielen ein paar Lieder und erzählen, wo sie entstanden sind: am Küchentisch, im " +
				"Nachtbus, nach der Trennung. Marshmallows gehen aufs Haus."},
	},
	"swing-and-sparks": {
		kind: db.EventsKindDjSet, pool: []string{"dr-fennel", "selene-marchetti", "aurelio-sands"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Swing & Sparks", "Electro swing and gypsy jazz in your Sunday best – on a Saturday.",
			"Dr. Fennel's weekly prescription: electro swing, gypsy jazz and twenties hot jazz over modern beats. " +
				"The best-dressed couple on the dance floor gets the first round."},
		de: eventText{"Swing & Sparks", "Electro Swing und Gypsy Jazz im Sonntagsstaat – am Samstag.",
			"Dr. Fennels wöchentliches Rezept: Electro Swing, Gypsy Jazz und Hot Jazz der Zwanziger über modernen " +
				"Beats. Das bestgekleidete Paar auf der Tanzfläche bekommt die erste Runde."},
	},
	"neon-jungle": {
		kind: db.EventsKindParty, pool: []string{"juniper-okafor", "baron-von-bassline", "tidecaller", "aurelio-sands"},
		lineupMin: 2, lineupMax: 4,
		en: eventText{"Neon Jungle Party", "Glow paint, giant leaves and jungle beats.",
			"The Main Cave grows a rainforest overnight: neon vines, glowing frogs and a soundtrack of afro house, " +
				"breaks and jungle. The best outfit wins a month of VIP seating."},
		de: eventText{"Neon-Dschungel-Party", "Leuchtfarbe, Riesenblätter und Jungle-Beats.",
			"Über Nacht wächst in der Hauptgrotte ein Regenwald: Neonranken, leuchtende Frösche und dazu Afro " +
				"House, Breaks und Jungle. Das beste Outfit gewinnt einen Monat lang VIP-Plätze."},
	},
	"midnight-masquerade": {
		kind: db.EventsKindParty, pool: []string{"dr-fennel", "selene-marchetti", "aurelio-sands", "rook-halvorsen"},
		lineupMin: 2, lineupMax: 4,
		en: eventText{"Midnight Masquerade", "Masks on, lights low: a ball of disco, swing and mystery.",
			"Dress in your finest and hide behind a mask: tonight nobody knows who you are. Electro swing for the " +
				"grand entrance, Italo and disco for the rest of the night, and an unmasking at midnight for the brave."},
		de: eventText{"Mitternachts-Maskenball", "Masken auf, Licht gedimmt: ein Ball aus Disco, Swing und Geheimnissen.",
			"Werft euch in Schale und versteckt euch hinter einer Maske – heute Nacht weiß niemand, wer ihr seid. " +
				"Electro Swing zum großen Auftritt, Italo und Disco für den Rest der Nacht und um Mitternacht die " +
				"Demaskierung für alle, die sich trauen."},
	},
	"full-moon-rave": {
		kind: db.EventsKindParty, pool: []string{"nyx-calloway", "astra-feldspar", "frostbyte-collective", "tidecaller"},
		lineupMin: 2, lineupMax: 4,
		en: eventText{"Full Moon Rave", "Four hours of techno and trance under a giant moon.",
			"Every so often we hang a full moon from the cave ceiling and rave beneath it. Techno, trance and a " +
				"little psy, with the lasers aimed at the stars."},
		de: eventText{"Vollmond-Rave", "Vier Stunden Techno und Trance unter einem riesigen Mond.",
			"Hin und wieder hängen wir einen Vollmond an die Höhlendecke und raven darunter. Techno, Trance und " +
				"ein bisschen Psy – die Laser zielen auf die Sterne."},
	},
	"retro-arcade": {
		kind: db.EventsKindParty, pool: []string{"pixel-moth", "kaito-hoshizora", "selene-marchetti", "baron-von-bassline"},
		lineupMin: 2, lineupMax: 4,
		en: eventText{"Retro Arcade Night", "8-bit bleeps, synthwave and high scores.",
			"The Main Cave becomes a giant arcade: playable cabinets along the walls, chiptune and synthwave on the " +
				"decks, and a high-score contest with prizes for the top three."},
		de: eventText{"Retro-Arcade-Nacht", "8-Bit-Gepiepe, Synthwave und Highscores.",
			"Die Hauptgrotte wird zur riesigen Spielhalle: spielbare Automaten an den Wänden, Chiptune und " +
				"Synthwave an den Decks und ein Highscore-Wettbewerb mit Preisen für die ersten drei."},
	},
	"glitter-and-gravity": {
		kind: db.EventsKindParty, pool: []string{"aurelio-sands", "juniper-okafor", "luma-vesper", "selene-marchetti"},
		lineupMin: 2, lineupMax: 4,
		en: eventText{"Glitter & Gravity", "A zero-gravity disco: float, sparkle, repeat.",
			"We switch off gravity for one night. Float above the dance floor to disco and house classics and leave " +
				"a trail of glitter wherever you go. Flight HUDs are handed out at the door."},
		de: eventText{"Glitzer & Schwerkraft", "Eine Disco in der Schwerelosigkeit: schweben, funkeln, wiederholen.",
			"Für eine Nacht schalten wir die Schwerkraft ab. Schwebt zu Disco- und House-Klassikern über die " +
				"Tanzfläche und hinterlasst überall eine Glitzerspur. Das Flug-HUD gibt es am Eingang."},
	},
	"white-night": {
		kind: db.EventsKindParty, pool: []string{"luma-vesper", "cassius-moonwater", "juniper-okafor", "frostbyte-collective"},
		lineupMin: 2, lineupMax: 4,
		en: eventText{"White Night", "Dress code: white. Music: deep house and progressive until late.",
			"The whole cave in white, from the dance floor to the drinks. Come dressed in white and let the " +
				"residents paint the room with colour from the decks."},
		de: eventText{"Weiße Nacht", "Dresscode: Weiß. Musik: Deep House und Progressive bis spät.",
			"Die ganze Höhle in Weiß, von der Tanzfläche bis zu den Drinks. Kommt in Weiß und lasst die Residents " +
				"den Raum von den Decks aus in Farbe tauchen."},
	},
	"liquid-tides": {
		kind: db.EventsKindDjSet, pool: []string{"tidecaller", "mister-lowtide", "baron-von-bassline"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Liquid Tides", "Liquid drum & bass by the water.",
			"Tidecaller brings the rolling, melodic side of drum & bass to the beach. Fast beats, slow waves, and a " +
				"horizon that glows a little brighter every time the bass drops."},
		de: eventText{"Liquid Tides", "Liquid Drum and Bass am Wasser.",
			"Tidecaller bringt die rollende, melodische Seite des Drum and Bass an den Strand. Schnelle Beats, " +
				"langsame Wellen und ein Horizont, der bei jedem Drop ein wenig heller leuchtet."},
	},
	"sunday-ambient-brunch": {
		kind: db.EventsKindDjSet, pool: []string{"glasswing", "linnea-sorby", "astra-feldspar", "kitsune-drift"},
		resident: true, lineupMin: 2, lineupMax: 3,
		en: eventText{"Sunday Ambient Brunch", "Slow ambient music, coffee and croissants in the sunlit Grotto.",
			"Our Sunday morning ritual: the Grotto's ice glows gold, the coffee is bottomless and the music barely " +
				"moves. Ambient, modern classical and gentle downtempo for a slow start to the day. Pyjamas are " +
				"perfectly acceptable."},
		de: eventText{"Sonntags-Ambient-Brunch", "Ruhige Ambient-Musik, Kaffee und Croissants in der sonnigen Grotte.",
			"Unser Sonntagmorgen-Ritual: Das Eis der Grotte leuchtet golden, der Kaffee wird nachgeschenkt, und die " +
				"Musik bewegt sich kaum. Ambient, Neoklassik und sanfter Downtempo für einen langsamen Start in den " +
				"Tag. Schlafanzüge sind ausdrücklich erlaubt."},
	},
	"sunday-strings": {
		kind: db.EventsKindLive, pool: []string{"wren-abernathy", "sable-and-thistle", "marisol-quinn"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Sunday Strings", "Banjo, fiddle and guitar for a lazy Sunday afternoon.",
			"A relaxed acoustic session in the clearing. Bring a blanket, lie in the moss and listen to the " +
				"fireflies wake up."},
		de: eventText{"Saiten am Sonntag", "Banjo, Fiedel und Gitarre für einen faulen Sonntagnachmittag.",
			"Eine entspannte Akustik-Session auf der Lichtung. Bringt eine Decke mit, legt euch ins Moos und hört " +
				"zu, wie die Glühwürmchen erwachen."},
	},
	"sunday-groove": {
		kind: db.EventsKindDjSet, pool: []string{"aurelio-sands", "juniper-okafor", "kaito-hoshizora", "luma-vesper"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Sunday Groove Session", "Soulful house and disco to see out the weekend.",
			"The weekend's last dance in the Main Cave: soulful house, disco and a few gospel-tinged anthems. " +
				"Arrive tired, leave lighter."},
		de: eventText{"Sunday Groove Session", "Soulful House und Disco zum Ausklang des Wochenendes.",
			"Der letzte Tanz des Wochenendes in der Hauptgrotte: Soulful House, Disco und ein paar gospelgefärbte " +
				"Hymnen. Müde ankommen, leichter gehen."},
	},
	"candlelight-sessions": {
		kind: db.EventsKindLive, pool: []string{"hollow-meridian", "ottoline-fairweather", "linnea-sorby", "emberly-vance"},
		lineupMin: 1, lineupMax: 1,
		en: eventText{"Candlelight Sessions", "An intimate live set by candlelight.",
			"Lights down, candles up. Each Sunday one artist plays a stripped-back set for a small, attentive " +
				"crowd. Phones on silent, please – even the virtual ones."},
		de: eventText{"Candlelight Sessions", "Ein intimes Live-Set bei Kerzenschein.",
			"Licht aus, Kerzen an. Jeden Sonntag spielt ein Act ein reduziertes Set vor kleinem, aufmerksamem " +
				"Publikum. Bitte Handys lautlos stellen – auch die virtuellen."},
	},
	"night-swim": {
		kind: db.EventsKindDjSet, pool: []string{"cassius-moonwater", "mister-lowtide", "glasswing"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"Night Swim", "Deep, dubby grooves for a midnight swim.",
			"The lagoon lights up from below and the music goes deep: dub techno, deep progressive and " +
				"slow-motion house. Swimwear optional; the water is always warm."},
		de: eventText{"Nachtschwimmen", "Tiefe, dubbige Grooves für ein Bad um Mitternacht.",
			"Das Wasser der Lagune leuchtet von unten, und die Musik wird tief: Dub Techno, Deep Progressive und " +
				"House in Zeitlupe. Badekleidung optional, das Wasser ist immer warm."},
	},

	// One-off nights.
	"quiz-night": {
		kind: db.EventsKindOther, pool: []string{"baron-von-bassline"},
		resident: true, lineupMin: 1, lineupMax: 1,
		en: eventText{"Cave Quiz Night", "Music trivia, silly prizes and a quizmaster in a top hat.",
			"Teams of up to four, six rounds of music questions, from name-that-intro to guess-the-year. The Baron " +
				"reads the questions, the audience heckles, and the winners take home custom trophies."},
		de: eventText{"Quiznacht in der Höhle", "Musikquiz, alberne Preise und ein Quizmaster mit Zylinder.",
			"Teams mit bis zu vier Leuten, sechs Runden Musikfragen – vom Intro-Raten bis zum Jahreszahl-Schätzen. " +
				"Der Baron liest die Fragen vor, das Publikum ruft dazwischen, und die Gewinner nehmen eigene Pokale " +
				"mit nach Hause."},
	},
	"album-glass-horizons": {
		kind: db.EventsKindLive, pool: []string{"hollow-meridian", "glasswing", "linnea-sorby"},
		resident: true, lineupMin: 2, lineupMax: 2,
		en: eventText{"Album release: Glass Horizons", "Hollow Meridian play their debut album in full, live in the Main Cave.",
			"After two years of rehearsals across four countries, Hollow Meridian celebrate the release of Glass " +
				"Horizons with a full live performance and a special guest in support. Expect long crescendos, a " +
				"light show built for the occasion and a few surprises."},
		de: eventText{"Albumpremiere: Glass Horizons", "Hollow Meridian spielen ihr Debütalbum komplett live in der Hauptgrotte.",
			"Nach zwei Jahren Proben in vier Ländern feiern Hollow Meridian die Veröffentlichung von Glass Horizons " +
				"mit einem kompletten Live-Auftritt und einem besonderen Gast im Vorprogramm. Freut euch auf lange " +
				"Crescendos, eine eigens gebaute Lichtshow und ein paar Überraschungen."},
	},
	"listening-club": {
		kind: db.EventsKindOther, pool: []string{"ottoline-fairweather", "mister-lowtide", "wren-abernathy"},
		lineupMin: 2, lineupMax: 3,
		en: eventText{"Listening Club: Records That Changed Us", "Bring a record that changed your life and tell us why.",
			"A slow evening of listening and talking. Our hosts each play one track that changed how they hear " +
				"music, then pass the aux cable to the audience. No skipping, no judging."},
		de: eventText{"Listening Club: Platten, die uns verändert haben", "Bringt eine Platte mit, die euer Leben verändert hat, und erzählt uns, warum.",
			"Ein ruhiger Abend zum Zuhören und Erzählen. Unsere Gastgeber spielen je einen Track, der ihr Hören " +
				"verändert hat, danach geht das Aux-Kabel ans Publikum. Kein Vorspulen, kein Urteilen."},
	},
	"talk-building-sound": {
		kind: db.EventsKindTalk, pool: []string{"glasswing", "astra-feldspar"},
		lineupMin: 2, lineupMax: 2,
		en: eventText{"Building sound in a virtual world", "How our venues' sound and light are made: a talk with Q&A.",
			"Glasswing and Astra Feldspar show how they design sound and light for virtual spaces: streaming " +
				"setups, spatial audio tricks, scripted light shows, and what happens when forty avatars arrive at " +
				"once. Questions in voice or local chat are welcome throughout."},
		de: eventText{"Klang bauen in einer virtuellen Welt", "Wie Klang und Licht unserer Venues entstehen – ein Vortrag mit Fragerunde.",
			"Glasswing und Astra Feldspar zeigen, wie sie Klang und Licht für virtuelle Räume gestalten: " +
				"Streaming-Setups, Tricks mit räumlichem Audio, geskriptete Lichtshows und was passiert, wenn vierzig " +
				"Avatare gleichzeitig ankommen. Fragen per Voice oder im lokalen Chat sind jederzeit willkommen."},
	},
	"anniversary-bash": {
		kind: db.EventsKindParty, pool: []string{"luma-vesper", "nyx-calloway", "aurelio-sands", "juniper-okafor"},
		lineupMin: 4, lineupMax: 4,
		en: eventText{"Cave Anniversary Bash", "Another year in the cave: cake, confetti and our residents back to back.",
			"The Dreamer's Cave turns another year older, and we are celebrating the only way we know: with four " +
				"of our residents, a cake the size of the dance floor and confetti cannons on every ledge. Thank you " +
				"for dancing with us."},
		de: eventText{"Jubiläumsparty in der Höhle", "Wieder ein Jahr in der Höhle – mit Torte, Konfetti und unseren Residents.",
			"Die Dreamer's Cave wird wieder ein Jahr älter, und wir feiern so, wie wir es am besten können: mit " +
				"vier unserer Residents, einer Torte so groß wie die Tanzfläche und Konfettikanonen auf jedem " +
				"Felsvorsprung. Danke, dass ihr mit uns tanzt."},
	},
	"album-paper-satellites": {
		kind: db.EventsKindLive, pool: []string{"marisol-quinn", "wren-abernathy", "emberly-vance"},
		resident: true, lineupMin: 2, lineupMax: 2,
		en: eventText{"Album release: Paper Satellites", "Marisol Quinn presents her second album live at the Ember Lounge.",
			"Paper Satellites is a record about friends who live on our screens and in our hearts. Marisol plays " +
				"it from start to finish by the fire, after an opening set from a friend of the house, with a few " +
				"stories about how the songs came to be."},
		de: eventText{"Albumpremiere: Paper Satellites", "Marisol Quinn stellt ihr zweites Album live in der Ember Lounge vor.",
			"Paper Satellites ist ein Album über Freunde, die auf unseren Bildschirmen und in unseren Herzen " +
				"wohnen. Nach einem Vorprogramm von einem Freund des Hauses spielt Marisol es am Feuer von Anfang bis " +
				"Ende und erzählt dazu, wie die Songs entstanden sind."},
	},
	"charity-night": {
		kind: db.EventsKindParty, pool: []string{"mister-lowtide", "kitsune-drift", "kaito-hoshizora", "cassius-moonwater"},
		lineupMin: 4, lineupMax: 4,
		en: eventText{"Sounds for the Sea: Charity Night", "Four DJs, one lagoon, and every tip goes to reef protection.",
			"Our yearly fundraiser on the beach. Every tip jar in the Lagoon goes to a reef-protection charity " +
				"chosen by our community, and the DJs play for free. Last year you raised enough to clean two " +
				"kilometres of coastline – let's beat that."},
		de: eventText{"Klänge fürs Meer: Benefiznacht", "Vier DJs, eine Lagune – jedes Trinkgeld geht an den Riffschutz.",
			"Unsere jährliche Benefiznacht am Strand. Jedes Trinkgeld in der Lagune geht an ein Riffschutzprojekt, " +
				"das unsere Community ausgewählt hat, und die DJs spielen ohne Gage. Letztes Jahr habt ihr genug für " +
				"die Reinigung von zwei Kilometern Küste gesammelt – das wollen wir übertreffen."},
	},
	"talk-dj-workshop": {
		kind: db.EventsKindTalk, pool: []string{"luma-vesper", "kitsune-drift"},
		resident: true, lineupMin: 1, lineupMax: 2,
		en: eventText{"DJing in Second Life: a beginner's workshop", "From stream keys to crossfades: everything you need for your first set.",
			"Always wanted to play in the cave? Luma Vesper walks you through the whole chain: mixing software, " +
				"encoders, stream settings, and how to talk to a crowd you can't see. Bring your questions; the " +
				"second hour is hands-on with the practice stream."},
		de: eventText{"DJing in Second Life: ein Workshop für Einsteiger", "Vom Stream-Key bis zum Crossfade: alles, was ihr für euer erstes Set braucht.",
			"Ihr wolltet schon immer einmal in der Höhle auflegen? Luma Vesper erklärt die ganze Kette: " +
				"Mix-Software, Encoder, Stream-Einstellungen und wie man mit einem Publikum spricht, das man nicht " +
				"sieht. Bringt eure Fragen mit – in der zweiten Stunde probiert ihr am Übungsstream selbst aus."},
	},
	"frozen-fractals": {
		kind: db.EventsKindLive, pool: []string{"glasswing", "astra-feldspar", "pixel-moth"},
		lineupMin: 3, lineupMax: 3,
		en: eventText{"Frozen Fractals: a live AV night", "Live music and live visuals, improvised together in the Grotto.",
			"For one night the Grotto's ice becomes a screen. Three artists play live while their visuals are " +
				"generated from the music in real time, so no two moments look or sound the same."},
		de: eventText{"Frozen Fractals: eine Live-AV-Nacht", "Livemusik und Live-Visuals, gemeinsam improvisiert in der Grotte.",
			"Für eine Nacht wird das Eis der Grotte zur Leinwand. Drei Artists spielen live, und ihre Visuals " +
				"entstehen in Echtzeit aus der Musik – kein Moment sieht oder klingt wie der andere."},
	},
	"album-circuit-bloom": {
		kind: db.EventsKindLive, pool: []string{"pixel-moth", "selene-marchetti"},
		resident: true, lineupMin: 2, lineupMax: 2,
		en: eventText{"Album release: Circuit Bloom", "Pixel Moth launches a new album of handheld chiptune, live.",
			"Pixel Moth wrote Circuit Bloom on a thirty-year-old handheld console, and tonight it gets played on " +
				"one. Expect bright bleeps, heavy synth bass and a Grotto lit like a game's final level. Selene " +
				"Marchetti warms up with an hour of synth-pop."},
		de: eventText{"Albumpremiere: Circuit Bloom", "Pixel Moth stellt live ein neues Album voller Handheld-Chiptune vor.",
			"Pixel Moth hat Circuit Bloom auf einer dreißig Jahre alten Handheld-Konsole geschrieben, und heute " +
				"Abend wird es auch darauf gespielt. Freut euch auf helles Gepiepe, schwere Synth-Bässe und eine " +
				"Grotte, die leuchtet wie das letzte Level eines Videospiels. Selene Marchetti wärmt mit einer " +
				"Stunde Synthpop auf."},
	},
	"talk-warm-up": {
		kind: db.EventsKindTalk, pool: []string{"luma-vesper", "cassius-moonwater", "nyx-calloway"},
		lineupMin: 2, lineupMax: 3,
		en: eventText{"The Art of the Warm-up", "Our residents on reading a room and building a night.",
			"Why the first hour matters most, and why it should never be the loudest. Our residents talk about " +
				"track selection, pacing and what they learned from empty dance floors. A relaxed panel with plenty " +
				"of time for your questions."},
		de: eventText{"Die Kunst des Warm-ups", "Unsere Residents darüber, wie man einen Raum liest und einen Abend aufbaut.",
			"Warum die erste Stunde am wichtigsten ist – und warum sie nie die lauteste sein sollte. Unsere " +
				"Residents sprechen über Trackauswahl, Dramaturgie und das, was sie von leeren Tanzflächen gelernt " +
				"haben. Eine entspannte Gesprächsrunde mit viel Zeit für eure Fragen."},
	},
	openDecks: {
		kind: db.EventsKindDjSet, pool: []string{"kitsune-drift", "aurelio-sands", "juniper-okafor", "glasswing"},
		lineupMin: 1, lineupMax: 2,
		en: eventText{"Open Decks", "Drop-in session: whoever is around takes a turn at the decks.",
			"Between the big nights the cave is never quite empty. Residents and friends drop in, play for as " +
				"long as they like and hand over to whoever is next. Come by, say hello, and maybe stay for a " +
				"track or ten."},
		de: eventText{"Open Decks", "Drop-in-Session: Wer gerade da ist, darf an die Decks.",
			"Auch zwischen den großen Nächten ist die Höhle nie ganz leer. Residents und Freunde kommen vorbei, " +
				"spielen, so lange sie Lust haben, und übergeben an die Nächsten. Schaut rein, sagt Hallo und bleibt " +
				"vielleicht für einen Track oder zehn."},
	},
}

// publishWorkers is how many writers publish events while one creates
// them.
const publishWorkers = 4

// createEvents writes the planned programme through the events service. One
// writer creates every event with its texts and lineup, in order of start,
// so ids follow the programme and each slug comes out as planned: a create
// locks its venue and the time slots around the new event, and creates side
// by side deadlock on those. As each event to be published is created, it
// goes to publishWorkers writers that publish it. Those writes lock only
// their own event, and most of a write's cost is its commit, which writers
// side by side share; the programme is done when its last create is.
//
// The service makes a slug from the title until the first publish, and
// keeps it from then on; a published event is created under its planned
// slug as a working title, and gets its real title once published. A draft
// keeps the slug of its title, as planned.
func createEvents(ctx context.Context, svc *events.Service, a actor.Actor, programme []plannedEvent, locationIDs, artistIDs map[string]int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	// The first failure is the one to report; the other writers stop on
	// the cancelled context.
	fail := func(err error) { once.Do(func() { first = err; cancel() }) }
	queue := make(chan toPublish, len(programme))
	for range publishWorkers {
		wg.Go(func() {
			for p := range queue {
				// After a failure the context is cancelled, and what is
				// left fails at once.
				if err := publishEvent(ctx, svc, a, p); err != nil {
					fail(err)
				}
			}
		})
	}
	for _, e := range programme {
		d, err := createEvent(ctx, svc, a, e, locationIDs, artistIDs)
		if err != nil {
			fail(err)
			break
		}
		if e.published {
			queue <- toPublish{d, eventTemplates[e.template].en.title}
		}
	}
	close(queue)
	wg.Wait()
	return first
}

// createEvent creates one planned event as a draft, under its working title
// when it is to be published.
func createEvent(ctx context.Context, svc *events.Service, a actor.Actor, e plannedEvent, locationIDs, artistIDs map[string]int64) (events.Draft, error) {
	t := eventTemplates[e.template]
	de := t.de
	if !e.german {
		de = eventText{}
	}
	texts := map[string]events.Text{}
	for _, tr := range byLang(t.en, de) {
		texts[tr.lang] = events.Text{Title: tr.text.title, Summary: tr.text.summary, Description: tr.text.description}
	}
	if e.published {
		en := texts[lang]
		en.Title, _ = slugTitle(e.slug, t.en.title)
		texts[lang] = en
	}
	lineup := make([]events.LineupInput, len(e.lineup))
	for i, s := range e.lineup {
		id, ok := artistIDs[s.artist]
		if !ok {
			return events.Draft{}, fmt.Errorf("seed: event %s: unknown artist %q", e.slug, s.artist)
		}
		lineup[i] = events.LineupInput{ArtistID: id, Position: i + 1, SetStartsAt: s.start, SetEndsAt: s.end}
	}
	d, err := svc.Create(ctx, a, events.EventInput{
		Kind:       events.Kind(t.kind),
		LocationID: locationIDs[e.location],
		StartsAt:   e.start,
		EndsAt:     e.end,
		Texts:      texts,
		Lineup:     lineup,
	})
	if err != nil {
		return events.Draft{}, fmt.Errorf("seed: create event %s: %w", e.slug, err)
	}
	return d, checkSlug("event", e.slug, d.Slug)
}

// toPublish is a created event to publish, with its real title.
type toPublish struct {
	draft events.Draft
	title string
}

// publishEvent publishes p's event and then, when it was created under a
// working title, gives it its real title.
func publishEvent(ctx context.Context, svc *events.Service, a actor.Actor, p toPublish) error {
	d, err := svc.Publish(ctx, a, p.draft.ID, p.draft.Version)
	if err != nil {
		return fmt.Errorf("seed: publish event %s: %w", p.draft.Slug, err)
	}
	if d.Texts[lang].Title == p.title {
		return nil
	}
	if _, err := svc.Patch(ctx, a, d.ID, d.Version, "title."+lang, p.title); err != nil {
		return fmt.Errorf("seed: title event %s: %w", d.Slug, err)
	}
	return nil
}
