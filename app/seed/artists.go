package seed

import (
	"context"
	"fmt"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/db"
)

type artistText struct {
	genre, bio string
}

type artistLink struct {
	kind db.ArtistLinksKind
	url  string
}

type artistSeed struct {
	slug, name string
	links      []artistLink
	en, de     artistText
}

// demoArtists are invented performers. Mister Lowtide and Pixel Moth have no
// German text on purpose, to show the fallback to English. Personal websites
// use the reserved .example top-level domain.
var demoArtists = []artistSeed{
	{
		slug: "luma-vesper", name: "Luma Vesper",
		links: []artistLink{
			{db.ArtistLinksKindMixcloud, "https://www.mixcloud.com/lumavesper/"},
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/luma-vesper"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/luma.vesper/"},
		},
		en: artistText{"Deep house", "Luma Vesper has held the Friday residency in the Main Cave since the club opened. " +
			"Her sets start somewhere warm and dubby and end up, two hours later, somewhere very deep. " +
			"Off the decks she builds underwater sims and collects vintage synth manuals."},
		de: artistText{"Deep House", "Luma Vesper hat die Freitags-Residency in der Hauptgrotte, seit es den Club gibt. " +
			"Ihre Sets beginnen irgendwo warm und dubbig und landen zwei Stunden später an einem sehr tiefen Ort. " +
			"Abseits der Decks baut sie Unterwasser-Sims und sammelt alte Synthesizer-Handbücher."},
	},
	{
		slug: "cassius-moonwater", name: "Cassius Moonwater",
		links: []artistLink{
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/cassiusmoonwater"},
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/3kQvZtYw8nRfL2pXcM4hJd"},
		},
		en: artistText{"Progressive house", "Cassius Moonwater plays long, patient progressive sets that build like a tide. " +
			"He is the voice behind Moonrise Progressive and a regular closer on Sunday nights at the Lagoon."},
		de: artistText{"Progressive House", "Cassius Moonwater spielt lange, geduldige Progressive-Sets, die sich aufbauen wie die Flut. " +
			"Er steht hinter Moonrise Progressive und beschließt regelmäßig die Sonntagabende in der Lagune."},
	},
	{
		slug: "juniper-okafor", name: "Juniper Okafor",
		links: []artistLink{
			{db.ArtistLinksKindMixcloud, "https://www.mixcloud.com/juniperokafor/"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/juniper.okafor.dj/"},
			{db.ArtistLinksKindWebsite, "https://juniperokafor.example/"},
		},
		en: artistText{"Afro house", "Juniper Okafor mixes afro house, amapiano and soulful vocals into sets that never sit still. " +
			"She streams from Lagos and London and has played on every continent Second Life has a server for. " +
			"Expect percussion, sunshine and at least one singalong."},
		de: artistText{"Afro House", "Juniper Okafor mischt Afro House, Amapiano und souligen Gesang zu Sets, die keine Sekunde stillstehen. " +
			"Sie streamt aus Lagos und London und hat schon für Publikum aus aller Welt aufgelegt. " +
			"Rechnet mit Percussion, Sonnenschein und mindestens einem Song zum Mitsingen."},
	},
	{
		slug: "nyx-calloway", name: "Nyx Calloway",
		links: []artistLink{
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/nyxcalloway"},
			{db.ArtistLinksKindBandcamp, "https://nyxcalloway.bandcamp.com/"},
		},
		en: artistText{"Melodic techno", "Nyx Calloway makes melodic techno for cold nights and bright lasers. " +
			"Her Monday residency in the Main Cave has become the club's unofficial start of the week."},
		de: artistText{"Melodic Techno", "Nyx Calloway macht Melodic Techno für kalte Nächte und helle Laser. " +
			"Ihre Montags-Residency in der Hauptgrotte ist längst der inoffizielle Wochenstart des Clubs."},
	},
	{
		slug: "rook-halvorsen", name: "Rook Halvorsen",
		links: []artistLink{
			{db.ArtistLinksKindBandcamp, "https://rookhalvorsen.bandcamp.com/"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@rookhalvorsen"},
		},
		en: artistText{"Darkwave and industrial", "Rook Halvorsen plays darkwave, EBM and industrial with a fondness for clanging metal. " +
			"Black clothing is encouraged but not required. His own records are released on a tiny label run from an attic in Bergen."},
		de: artistText{"Darkwave und Industrial", "Rook Halvorsen spielt Darkwave, EBM und Industrial mit einer Schwäche für scheppernden Stahl. " +
			"Schwarze Kleidung ist erwünscht, aber keine Pflicht. Seine eigenen Platten erscheinen auf einem winzigen Label, das er von einem Dachboden in Bergen aus betreibt."},
	},
	{
		slug: "aurelio-sands", name: "Aurelio Sands",
		links: []artistLink{
			{db.ArtistLinksKindMixcloud, "https://www.mixcloud.com/aureliosands/"},
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/6pHdTzq1NwXk9bVe2RgLsA"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/aurelio.sands/"},
		},
		en: artistText{"Nu-disco and funk", "Aurelio Sands digs through crates of disco, boogie and funk and re-edits what he finds. " +
			"He believes every party needs a bassline you can hum, and he usually brings three."},
		de: artistText{"Nu-Disco und Funk", "Aurelio Sands wühlt sich durch Kisten voller Disco, Boogie und Funk und macht aus seinen Funden eigene Edits. " +
			"Er ist überzeugt, dass jede Party eine Bassline zum Mitsummen braucht – meistens bringt er gleich drei mit."},
	},
	{
		slug: "selene-marchetti", name: "Selene Marchetti",
		links: []artistLink{
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/selenemarchetti"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/selene.marchetti/"},
		},
		en: artistText{"Italo disco and synth-pop", "Selene Marchetti grew up on her father's Italo disco records and never recovered. " +
			"Her sets mix glittering 80s classics with new synth-pop that sounds like it could have been made in 1984."},
		de: artistText{"Italo Disco und Synthpop", "Selene Marchetti ist mit den Italo-Disco-Platten ihres Vaters aufgewachsen und hat sich nie davon erholt. " +
			"Ihre Sets verbinden glitzernde Klassiker der 80er mit neuem Synthpop, der klingt, als wäre er 1984 entstanden."},
	},
	{
		slug: "kaito-hoshizora", name: "Kaito Hoshizora",
		links: []artistLink{
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/kaitohoshizora"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@kaitohoshizora"},
		},
		en: artistText{"City pop and future funk", "Kaito Hoshizora spins city pop, future funk and anime-inspired house from his studio in Osaka. " +
			"His sets are bright, bouncy and best enjoyed with a cold drink at the beach bar."},
		de: artistText{"City Pop und Future Funk", "Kaito Hoshizora legt City Pop, Future Funk und von Anime inspirierten House aus seinem Studio in Osaka auf. " +
			"Seine Sets sind hell und federnd und am schönsten mit einem kalten Getränk an der Strandbar."},
	},
	{
		slug: "baron-von-bassline", name: "Baron von Bassline",
		links: []artistLink{
			{db.ArtistLinksKindMixcloud, "https://www.mixcloud.com/baronvonbassline/"},
		},
		en: artistText{"Breakbeat and big beat", "The Baron arrives in a top hat and leaves the dance floor in ruins. " +
			"Breakbeat, big beat and the occasional rave stab, played loud and with an entirely straight face."},
		de: artistText{"Breakbeat und Big Beat", "Der Baron erscheint mit Zylinder und hinterlässt eine Tanzfläche in Trümmern. " +
			"Breakbeat, Big Beat und hin und wieder ein Rave-Stab, laut gespielt und mit todernster Miene."},
	},
	{
		slug: "tidecaller", name: "Tidecaller",
		links: []artistLink{
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/tidecaller-dnb"},
			{db.ArtistLinksKindBandcamp, "https://tidecaller.bandcamp.com/"},
		},
		en: artistText{"Drum and bass", "Tidecaller plays liquid and rolling drum and bass, heavy on atmosphere and light on cheese. " +
			"A regular at Tidal Dub and the Tuesday breaks night."},
		de: artistText{"Drum and Bass", "Tidecaller spielt Liquid und Rolling Drum and Bass: viel Atmosphäre, wenig Kitsch. " +
			"Stammgast bei Tidal Dub und der Breaks-Nacht am Dienstag."},
	},
	{
		slug: "frostbyte-collective", name: "Frostbyte Collective",
		links: []artistLink{
			{db.ArtistLinksKindWebsite, "https://frostbyte.example/"},
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/frostbytecollective"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@frostbytecollective"},
		},
		en: artistText{"Uplifting trance", "Frostbyte Collective is three friends in three time zones who take turns at the decks. " +
			"They play uplifting and progressive trance with big breakdowns, and they run the Crystal Frequencies nights in the Grotto."},
		de: artistText{"Uplifting Trance", "Frostbyte Collective sind drei Freunde in drei Zeitzonen, die sich an den Decks abwechseln. " +
			"Sie spielen Uplifting und Progressive Trance mit großen Breakdowns und veranstalten die Crystal-Frequencies-Abende in der Grotte."},
	},
	{
		slug: "astra-feldspar", name: "Astra Feldspar",
		links: []artistLink{
			{db.ArtistLinksKindMixcloud, "https://www.mixcloud.com/astrafeldspar/"},
			{db.ArtistLinksKindBandcamp, "https://astrafeldspar.bandcamp.com/"},
		},
		en: artistText{"Psybient and psytrance", "Astra Feldspar moves between psybient, dub techno and slow psytrance. " +
			"Her sets are journeys with a map she only shows you at the end. She also builds the Grotto's light shows."},
		de: artistText{"Psybient und Psytrance", "Astra Feldspar bewegt sich zwischen Psybient, Dub Techno und langsamem Psytrance. " +
			"Ihre Sets sind Reisen, deren Karte sie erst am Ende zeigt. Außerdem baut sie die Lichtshows der Grotte."},
	},
	{
		slug: "glasswing", name: "Glasswing",
		links: []artistLink{
			{db.ArtistLinksKindBandcamp, "https://glasswing.bandcamp.com/"},
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/1WcXn7rTqB5uKsV0yPzLe9"},
			{db.ArtistLinksKindWebsite, "https://glasswing.example/"},
		},
		en: artistText{"Ambient and downtempo", "Glasswing is the one-person project of a sound designer who builds instruments out of field recordings. " +
			"The live sets are slow, shimmering and surprisingly danceable towards the end. " +
			"Glasswing co-founded the Sunday Ambient Brunch."},
		de: artistText{"Ambient und Downtempo", "Glasswing ist das Soloprojekt eines Sounddesigners, der Instrumente aus Field Recordings baut. " +
			"Die Live-Sets sind langsam, schimmernd und zum Ende hin erstaunlich tanzbar. " +
			"Glasswing hat den Sonntags-Ambient-Brunch mitgegründet."},
	},
	{
		slug: "linnea-sorby", name: "Linnea Sørby",
		links: []artistLink{
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/5tNmQ2vYkL8aRz3XhWcP0f"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/linneasorby/"},
		},
		en: artistText{"Nordic ambient vocals", "Linnea Sørby sings wordless melodies over drones she records on a Norwegian fjord. " +
			"Her live sets are short, quiet and tend to leave the room silent for a moment afterwards."},
		de: artistText{"Nordischer Ambient-Gesang", "Linnea Sørby singt wortlose Melodien über Klangflächen, die sie an einem norwegischen Fjord aufnimmt. " +
			"Ihre Live-Sets sind kurz und leise, und danach bleibt es im Raum oft einen Moment lang still."},
	},
	{
		slug: "kitsune-drift", name: "Kitsune Drift",
		links: []artistLink{
			{db.ArtistLinksKindSoundcloud, "https://soundcloud.com/kitsunedrift"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@kitsunedrift"},
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/0rJfVd6LpKx4sHuN8mTbQ2"},
		},
		en: artistText{"Lo-fi hip hop", "Kitsune Drift makes dusty lo-fi beats with vinyl crackle, rain and warm Rhodes chords. " +
			"Perfect for the Lagoon after midnight, or for working late."},
		de: artistText{"Lo-Fi-Hip-Hop", "Kitsune Drift baut staubige Lo-Fi-Beats mit Knistern, Regen und warmen Rhodes-Akkorden. " +
			"Perfekt für die Lagune nach Mitternacht – oder für lange Arbeitsabende."},
	},
	{
		slug: "mister-lowtide", name: "Mister Lowtide",
		links: []artistLink{
			{db.ArtistLinksKindMixcloud, "https://www.mixcloud.com/misterlowtide/"},
		},
		en: artistText{"Dub and roots reggae", "Mister Lowtide runs a virtual sound system with a speaker stack taller than the Lagoon's lighthouse. " +
			"Roots, dub and steppers, with plenty of echo and the occasional live toast on the mic."},
	},
	{
		slug: "pixel-moth", name: "Pixel Moth",
		links: []artistLink{
			{db.ArtistLinksKindBandcamp, "https://pixelmoth.bandcamp.com/"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@pixelmoth"},
		},
		en: artistText{"Chiptune and synthwave", "Pixel Moth plays chiptune and synthwave live on modified handheld consoles. " +
			"The new album Circuit Bloom was written entirely on a 1989 handheld and one very tired synthesiser."},
	},
	{
		slug: "dr-fennel", name: "Dr. Fennel",
		links: []artistLink{
			{db.ArtistLinksKindMixcloud, "https://www.mixcloud.com/drfennel/"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/dr.fennel.swing/"},
		},
		en: artistText{"Electro swing", "Dr. Fennel prescribes electro swing, gypsy jazz and a little ragtime, to be taken in a three-piece suit. " +
			"His Saturday afternoons at the Ember Lounge are the best-dressed parties in the cave."},
		de: artistText{"Electro Swing", "Dr. Fennel verordnet Electro Swing, Gypsy Jazz und ein wenig Ragtime, einzunehmen im Dreiteiler. " +
			"Seine Samstagnachmittage in der Ember Lounge sind die bestgekleideten Partys der ganzen Höhle."},
	},
	{
		slug: "ottoline-fairweather", name: "Ottoline Fairweather",
		links: []artistLink{
			{db.ArtistLinksKindWebsite, "https://ottolinefairweather.example/"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@ottolinefairweather"},
		},
		en: artistText{"Jazz piano", "Ottoline Fairweather plays live jazz piano from a real baby grand in her living room in New Orleans. " +
			"Standards, a little stride and her own gentle ballads. Requests are welcome, tips go to the cat."},
		de: artistText{"Jazzpiano", "Ottoline Fairweather spielt live Jazzpiano an einem echten Stutzflügel in ihrem Wohnzimmer in New Orleans. " +
			"Standards, ein wenig Stride und eigene, sanfte Balladen. Musikwünsche sind willkommen, das Trinkgeld bekommt die Katze."},
	},
	{
		slug: "emberly-vance", name: "Emberly Vance",
		links: []artistLink{
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/7yBeK4sWmZ1qTn6RcLfH3v"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/emberlyvance/"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@emberlyvance"},
		},
		en: artistText{"Soul and R&B vocals", "Emberly Vance sings soul and R&B live over her own backing tracks, with a voice that fills the Ember Lounge without trying. " +
			"The lounge was, she insists, not named after her."},
		de: artistText{"Soul- und R&B-Gesang", "Emberly Vance singt Soul und R&B live zu eigenen Playbacks, mit einer Stimme, die die Ember Lounge mühelos füllt. " +
			"Nach ihr benannt ist die Lounge übrigens nicht – darauf besteht sie."},
	},
	{
		slug: "marisol-quinn", name: "Marisol Quinn",
		links: []artistLink{
			{db.ArtistLinksKindBandcamp, "https://marisolquinn.bandcamp.com/"},
			{db.ArtistLinksKindInstagram, "https://www.instagram.com/marisolquinnmusic/"},
		},
		en: artistText{"Singer-songwriter", "Marisol Quinn writes quiet, funny and occasionally heartbreaking songs on a battered nylon-string guitar. " +
			"Her second album, Paper Satellites, is about long-distance friendships and the people we only ever meet online."},
		de: artistText{"Singer-Songwriterin", "Marisol Quinn schreibt leise, witzige und manchmal herzzerreißende Lieder auf einer ramponierten Konzertgitarre. " +
			"Ihr zweites Album, Paper Satellites, handelt von Fernfreundschaften und von Menschen, die wir nur online kennen."},
	},
	{
		slug: "wren-abernathy", name: "Wren Abernathy",
		links: []artistLink{
			{db.ArtistLinksKindBandcamp, "https://wrenabernathy.bandcamp.com/"},
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/2hLsP9dQxW4eMvT7nBkY1c"},
		},
		en: artistText{"Indie folk", "Wren Abernathy plays banjo, harmonium and whatever else is within reach. " +
			"Songs about rivers, small towns and getting lost on purpose."},
		de: artistText{"Indie-Folk", "Wren Abernathy spielt Banjo, Harmonium und alles andere, was gerade in Reichweite ist. " +
			"Lieder über Flüsse, Kleinstädte und darüber, sich mit Absicht zu verlaufen."},
	},
	{
		slug: "sable-and-thistle", name: "Sable & Thistle",
		links: []artistLink{
			{db.ArtistLinksKindWebsite, "https://sableandthistle.example/"},
			{db.ArtistLinksKindBandcamp, "https://sableandthistle.bandcamp.com/"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@sableandthistle"},
		},
		en: artistText{"Celtic folk duo", "Sable & Thistle are a fiddle and bouzouki duo playing Celtic and Nordic tunes, old and new. " +
			"They met at the Ember Lounge open mic and have played Fern Hollow every Friday since. Bring your dancing shoes."},
		de: artistText{"Keltisches Folk-Duo", "Sable & Thistle sind ein Duo aus Fiedel und Bouzouki und spielen keltische und nordische Melodien, alte wie neue. " +
			"Kennengelernt haben sie sich bei der offenen Bühne in der Ember Lounge, seitdem spielen sie jeden Freitag in der Farnmulde. Tanzschuhe nicht vergessen."},
	},
	{
		slug: "hollow-meridian", name: "Hollow Meridian",
		links: []artistLink{
			{db.ArtistLinksKindBandcamp, "https://hollowmeridian.bandcamp.com/"},
			{db.ArtistLinksKindSpotify, "https://open.spotify.com/artist/4nVcR8xTpJ2mKwL5sQdB6h"},
			{db.ArtistLinksKindYoutube, "https://www.youtube.com/@hollowmeridian"},
		},
		en: artistText{"Post-rock", "Hollow Meridian are a four-piece post-rock band who rehearse in four different countries and meet only in Second Life. " +
			"Their songs are long, loud and patient. Their debut album Glass Horizons came out this season."},
		de: artistText{"Post-Rock", "Hollow Meridian sind eine vierköpfige Post-Rock-Band, die in vier verschiedenen Ländern probt und sich nur in Second Life trifft. " +
			"Ihre Stücke sind lang, laut und geduldig. Ihr Debütalbum Glass Horizons ist in dieser Saison erschienen."},
	},
}

// createArtists adds the artists with their texts and links through the
// artists service and returns their ids by slug. The service makes each
// slug from the name.
func createArtists(ctx context.Context, svc *artists.Service, a actor.Actor) (map[string]int64, error) {
	ids := make(map[string]int64, len(demoArtists))
	for _, ar := range demoArtists {
		texts := map[string]artists.Text{}
		for _, tr := range byLang(ar.en, ar.de) {
			texts[tr.lang] = artists.Text{Genre: tr.text.genre, Bio: tr.text.bio}
		}
		links := make([]artists.Link, len(ar.links))
		for i, l := range ar.links {
			links[i] = artists.Link{Kind: string(l.kind), URL: l.url}
		}
		d, err := svc.Create(ctx, a, artists.ArtistInput{Name: ar.name, Texts: texts, Links: links})
		if err != nil {
			return nil, fmt.Errorf("seed: create artist %s: %w", ar.slug, err)
		}
		if err := checkSlug("artist", ar.slug, d.Slug); err != nil {
			return nil, err
		}
		ids[ar.slug] = d.ID
	}
	return ids, nil
}
