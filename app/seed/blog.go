package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/blog"
	"github.com/dreamerscave/tdc/app/db"
)

type categoryText struct {
	name, description string
}

type categorySeed struct {
	slug   string
	en, de categoryText
}

type postText struct {
	title, summary, body string
}

// postSeed is a blog post. For published and scheduled posts, publish is the
// offset of publish_at from now; a draft has no publish_at. A post not yet
// public has the slug of its title, as the blog service makes it.
type postSeed struct {
	slug       string
	status     db.BlogPostsStatus
	publish    time.Duration
	author     string
	categories []string
	en, de     postText
}

const (
	day = 24 * time.Hour

	authorMira = "Mira (club host)"
	authorJon  = "Jonah (editor)"
	authorTheo = "Theo (web team)"

	// fence opens and closes a Markdown code block; Go raw strings cannot
	// hold backticks.
	fence = "```"
)

var blogCategories = []categorySeed{
	{
		slug: "news",
		en:   categoryText{"News", "Announcements from the club: new nights, new venues, new features."},
		de:   categoryText{"Neuigkeiten", "Ankündigungen aus dem Club: neue Abende, neue Venues, neue Funktionen."},
	},
	{
		slug: "interviews",
		en:   categoryText{"Interviews", "Conversations with the artists who play the cave."},
		de:   categoryText{"Interviews", "Gespräche mit den Artists, die in der Höhle spielen."},
	},
	{
		slug: "guides",
		en:   categoryText{"Guides", "How to find us, listen in and play your first set."},
		de:   categoryText{"Anleitungen", "Wie ihr uns findet, zuhört und euer erstes Set spielt."},
	},
	{
		slug: "behind-the-scenes",
		en:   categoryText{"Behind the scenes", "How the club is built and run, told by the people who do it."},
		de:   categoryText{"Hinter den Kulissen", "Wie der Club gebaut und betrieben wird – erzählt von denen, die es tun."},
	},
}

// blogPosts are listed oldest first. Two have no German text on purpose
// (how-we-build-a-themed-party, volunteer-hosts-wanted); one is scheduled and
// must not show yet; one is a draft. what-we-do-with-html-in-posts carries
// raw HTML, including a script tag, that the site must strip when rendering.
var blogPosts = []postSeed{
	{
		slug: "welcome-to-the-new-website", status: db.BlogPostsStatusPublished, publish: -58 * day,
		author: authorMira, categories: []string{"news"},
		en: postText{
			title:   "Welcome to the new Dreamer's Cave website",
			summary: "A new home for the club: the full programme, every venue and every artist in one place.",
			body: `Hello, dreamers!

After many late nights (the good kind, mostly) the club finally has a website that does what we always wanted.

## What you'll find here

- **The programme** for all five venues, in your own time zone
- **Artist pages** with bios, links and upcoming sets
- **Venue pages** with a one-click teleport straight onto the dance floor
- This **blog**, with news, interviews and guides

Everything updates live: when a DJ changes the track or we add a night, you see it without reloading.

## What's next

We'll be adding reminders and follows over the next few weeks. Until then, have a look at [the programme](/events) and come and dance.

*See you in the cave,*
Mira`,
		},
		de: postText{
			title:   "Willkommen auf der neuen Website der Dreamer's Cave",
			summary: "Ein neues Zuhause für den Club: das ganze Programm, alle Venues und alle Artists an einem Ort.",
			body: `Hallo, ihr Träumerinnen und Träumer!

Nach vielen langen Nächten (meistens von der guten Sorte) hat der Club endlich eine Website, die kann, was wir uns schon immer gewünscht haben.

## Was ihr hier findet

- **Das Programm** aller fünf Venues, in eurer eigenen Zeitzone
- **Artist-Seiten** mit Bio, Links und den nächsten Auftritten
- **Venue-Seiten** mit Teleport per Klick direkt auf die Tanzfläche
- Diesen **Blog** mit Neuigkeiten, Interviews und Anleitungen

Alles aktualisiert sich live: Wenn ein DJ den Track wechselt oder wir einen Abend hinzufügen, seht ihr es ohne Neuladen.

## Wie es weitergeht

In den nächsten Wochen kommen Erinnerungen und das Folgen von Artists dazu. Bis dahin: Schaut euch [das Programm](/events) an und kommt tanzen.

*Wir sehen uns in der Höhle,*
Mira`,
		},
	},
	{
		slug: "a-tour-of-the-cave", status: db.BlogPostsStatusPublished, publish: -52 * day,
		author: authorMira, categories: []string{"news", "behind-the-scenes"},
		en: postText{
			title:   "Five venues, one cave: a guided tour",
			summary: "From the violet Main Cave to the mossy Fern Hollow: where everything happens.",
			body: `New to the club? Here's a quick walk through our five rooms.

### The Main Cave
The big one. Violet stalactites, a sunken dance floor and the **Saturday themed parties**.

### Crystal Grotto
Icy teal walls and glowing quartz. Trance, live electronics and the *Sunday Ambient Brunch*.

### Ember Lounge
Amber lamps, deep sofas and a fire pit. Jazz, soul and the Wednesday open mic.

### Moonlit Lagoon
A beach under a permanent full moon. Lo-fi, dub and progressive, late into the night.

### Fern Hollow
A tiny forest stage for folk, strings, talks and workshops. No club stream here: every performer plays through the parcel's own audio.

Each venue page has a teleport link, so you can land right on the dance floor. See [all venues](/locations).`,
		},
		de: postText{
			title:   "Fünf Venues, eine Höhle: ein Rundgang",
			summary: "Von der violetten Hauptgrotte bis zur moosigen Farnmulde: Hier passiert alles.",
			body: `Neu im Club? Hier ein kurzer Rundgang durch unsere fünf Räume.

### Die Hauptgrotte
Der große Saal. Violette Stalaktiten, eine abgesenkte Tanzfläche und die **Mottopartys am Samstag**.

### Kristallgrotte
Türkisfarbene Eiswände und leuchtender Quarz. Trance, Live-Elektronik und der *Sonntags-Ambient-Brunch*.

### Ember Lounge
Bernsteinlampen, tiefe Sofas und eine Feuerstelle. Jazz, Soul und die offene Bühne am Mittwoch.

### Mondlagune
Ein Strand unter ewigem Vollmond. Lo-Fi, Dub und Progressive bis tief in die Nacht.

### Farnmulde
Eine winzige Waldbühne für Folk, Saiteninstrumente, Vorträge und Workshops. Einen Club-Stream gibt es hier nicht: Alle spielen über den Audiostream der Parzelle.

Jede Venue-Seite hat einen Teleport-Link, mit dem ihr direkt auf der Tanzfläche landet. Hier geht es zu [allen Venues](/locations).`,
		},
	},
	{
		slug: "interview-luma-vesper", status: db.BlogPostsStatusPublished, publish: -47 * day,
		author: authorJon, categories: []string{"interviews"},
		en: postText{
			title:   "Interview: Luma Vesper on deep house and deep water",
			summary: "Our longest-serving resident on three-hour sets, bubbles, and why the first track matters.",
			body: `Luma Vesper has played the Friday **Deep Dive Sessions** since the very first night. We caught her between sets.

**How did Deep Dive start?**
"Someone asked me to fill in for an hour. I played three, nobody left, and the owner said: same time next week?"

**Why the underwater theme?**
"Deep house, deep water. I build underwater sims anyway, so I flooded the Main Cave. The bubbles are *absolutely* intentional."

**What makes a good warm-up?**
"Patience. The first hour is for people arriving, saying hello, finding their feet. If they're dancing at minute five, I played too hard."

**Three tracks that never leave your bag?**

1. Something with a dubby chord stab
2. Something with a saxophone, for emergencies
3. A track by a friend nobody has heard of yet

Catch Luma every Friday in the Main Cave, or read more on [her artist page](/artists/luma-vesper).`,
		},
		de: postText{
			title:   "Interview: Luma Vesper über Deep House und tiefes Wasser",
			summary: "Unsere dienstälteste Resident-DJ über Drei-Stunden-Sets, Luftblasen und warum der erste Track zählt.",
			body: `Luma Vesper spielt die **Deep Dive Sessions** am Freitag seit dem allerersten Abend. Wir haben sie zwischen zwei Sets erwischt.

**Wie hat Deep Dive angefangen?**
„Jemand hat mich gebeten, für eine Stunde einzuspringen. Ich habe drei gespielt, niemand ist gegangen, und der Betreiber meinte: Nächste Woche, gleiche Zeit?“

**Warum das Unterwasserthema?**
„Deep House, tiefes Wasser. Ich baue sowieso Unterwasser-Sims, also habe ich die Hauptgrotte geflutet. Die Luftblasen sind *voll und ganz* Absicht.“

**Was macht ein gutes Warm-up aus?**
„Geduld. Die erste Stunde gehört den Leuten, die ankommen, Hallo sagen und sich zurechtfinden. Wenn in Minute fünf schon alle tanzen, war ich zu laut.“

**Drei Tracks, die immer in deiner Tasche sind?**

1. Etwas mit einem dubbigen Akkord-Stab
2. Etwas mit Saxofon, für Notfälle
3. Ein Track von einem Freund, den noch niemand kennt

Luma spielt jeden Freitag in der Hauptgrotte. Mehr über sie steht auf [ihrer Artist-Seite](/artists/luma-vesper).`,
		},
	},
	{
		slug: "streaming-to-the-cave-checklist", status: db.BlogPostsStatusPublished, publish: -41 * day,
		author: "Astra Feldspar (sound & light)", categories: []string{"guides"},
		en: postText{
			title:   "Streaming to the cave: a DJ's checklist",
			summary: "Encoder settings, a test command and the five things to check before your set.",
			body: "Playing your first set with us? Here's what our sound team checks before every night.\n\n" +
				"## Before the set\n\n" +
				"1. Encoder set to **MP3, 192 kbps, 44.1 kHz, stereo**\n" +
				"2. Server, port and mount point from your booking email\n" +
				"3. Track titles turned on, so the now-playing screen works\n" +
				"4. A backup playlist ready in case your connection drops\n" +
				"5. Water. Seriously.\n\n" +
				"## Testing without software\n\n" +
				"If you have *ffmpeg* installed, you can send a test tone to our practice server:\n\n" +
				fence + "sh\n" +
				"ffmpeg -re -f lavfi -i \"sine=frequency=440:duration=60\" \\\n" +
				"  -c:a libmp3lame -b:a 192k -content_type audio/mpeg \\\n" +
				"  icecast://source:practice@127.0.0.1:8000/practice.mp3\n" +
				fence + "\n\n" +
				"You should hear a clean 440 Hz tone on the practice stream within a few seconds. " +
				"If not, check the password and the mount point first: they cause nine out of ten problems.\n\n" +
				"Questions? Ask at the [beginner's workshop](/events) or ping us in the group chat.",
		},
		de: postText{
			title:   "Streamen in die Höhle: eine Checkliste für DJs",
			summary: "Encoder-Einstellungen, ein Testbefehl und die fünf Dinge, die ihr vor dem Set prüfen solltet.",
			body: "Ihr spielt euer erstes Set bei uns? Das prüft unser Sound-Team vor jedem Abend.\n\n" +
				"## Vor dem Set\n\n" +
				"1. Encoder auf **MP3, 192 kbit/s, 44,1 kHz, Stereo**\n" +
				"2. Server, Port und Mountpoint aus eurer Buchungsmail\n" +
				"3. Titelanzeige eingeschaltet, damit der Now-Playing-Bildschirm funktioniert\n" +
				"4. Eine Ersatz-Playlist, falls eure Verbindung abbricht\n" +
				"5. Wasser. Im Ernst.\n\n" +
				"## Testen ohne DJ-Software\n\n" +
				"Wenn ihr *ffmpeg* installiert habt, könnt ihr einen Testton an unseren Übungsserver schicken:\n\n" +
				fence + "sh\n" +
				"ffmpeg -re -f lavfi -i \"sine=frequency=440:duration=60\" \\\n" +
				"  -c:a libmp3lame -b:a 192k -content_type audio/mpeg \\\n" +
				"  icecast://source:practice@127.0.0.1:8000/practice.mp3\n" +
				fence + "\n\n" +
				"Nach wenigen Sekunden solltet ihr auf dem Übungsstream einen sauberen 440-Hz-Ton hören. " +
				"Falls nicht, prüft zuerst Passwort und Mountpoint: Daran liegt es in neun von zehn Fällen.\n\n" +
				"Fragen? Stellt sie beim [Workshop für Einsteiger](/events) oder schreibt uns im Gruppenchat.",
		},
	},
	{
		slug: "how-we-build-a-themed-party", status: db.BlogPostsStatusPublished, publish: -35 * day,
		author: authorMira, categories: []string{"behind-the-scenes"},
		en: postText{
			title:   "Behind the decks: how we build a themed party",
			summary: "Three weeks, two builders and about four thousand glowing leaves.",
			body: `Every Saturday the Main Cave becomes somewhere else. Here's how a theme goes from idea to dance floor.

## Week one: the idea
Someone in the team chat says *"what if the cave was a jungle?"* and nobody says no fast enough.

## Week two: the build
Our builders sketch the room, then build it on a private copy of the Main Cave. Rules we stick to:

- The dance floor stays where it is, so nobody gets lost
- No more than **200 extra objects**, so older computers can keep up
- Every effect can be switched off for visitors who are sensitive to flashing light

## Week three: the music
The DJs get the theme, a mood board and one instruction: *surprise us*.

On the night we swap the builds in fifteen minutes, and by the time the doors open the frogs are glowing. Next up: [the programme](/events).`,
		},
	},
	{
		slug: "interview-hollow-meridian", status: db.BlogPostsStatusPublished, publish: -31 * day,
		author: authorJon, categories: []string{"interviews", "news"},
		en: postText{
			title:   "Interview: Hollow Meridian on Glass Horizons",
			summary: "Four musicians, four countries, one album recorded in a virtual cave.",
			body: `Hollow Meridian have never been in the same room. Their debut album **Glass Horizons** came out this week, and tomorrow they play it live in the Main Cave.

**How do you rehearse across four countries?**
"Badly, at first. Latency kills post-rock, because everything depends on the big moments landing together. Now each of us plays to a click track and our bassist mixes it live."

**Why release it in Second Life?**
"Because this is where we met. The Grotto was the first place that ever played our demo."

**What should people expect tomorrow?**
"Long songs. *Very* long songs. And a light show Astra built that we still haven't seen in full."

The release show starts at 7 pm SLT. Bring earplugs for your avatar.`,
		},
		de: postText{
			title:   "Interview: Hollow Meridian über Glass Horizons",
			summary: "Vier Musiker, vier Länder, ein Album, aufgenommen in einer virtuellen Höhle.",
			body: `Hollow Meridian waren noch nie gemeinsam in einem Raum. Ihr Debütalbum **Glass Horizons** ist diese Woche erschienen, und morgen spielen sie es live in der Hauptgrotte.

**Wie probt man über vier Länder hinweg?**
„Anfangs schlecht. Latenz ist der Tod des Post-Rock, weil alles davon abhängt, dass die großen Momente gemeinsam landen. Inzwischen spielt jeder zu einem Klick, und unser Bassist mischt live.“

**Warum veröffentlicht ihr in Second Life?**
„Weil wir uns hier kennengelernt haben. Die Grotte war der erste Ort, an dem jemals unser Demo lief.“

**Was erwartet das Publikum morgen?**
„Lange Stücke. *Sehr* lange Stücke. Und eine Lichtshow von Astra, die wir selbst noch nicht ganz gesehen haben.“

Die Release-Show beginnt um 19 Uhr SLT. Bringt Ohrstöpsel für euren Avatar mit.`,
		},
	},
	{
		slug: "finding-us-in-second-life", status: db.BlogPostsStatusPublished, publish: -27 * day,
		author: authorMira, categories: []string{"guides"},
		en: postText{
			title:   "Finding us in Second Life: teleports, landmarks and etiquette",
			summary: "How to get to the dance floor in one click, and how to be a good guest once you're there.",
			body: `## Getting there

Every venue page has a **Teleport** button. Click it with the Second Life viewer running and you'll land right by the dance floor. If nothing happens, copy the link into the viewer's map search.

## Once you're in

- Click the dance ball to join the group dance, or bring your own animations
- Turn on **media and music** in your viewer preferences, or you'll be dancing in silence
- Tip jars are next to the DJ booth; tips go straight to the performers

## A few house rules

1. Be kind. Everyone was new once.
2. No particle spam or noisy gestures on the dance floor.
3. If someone bothers you, tell any host in a *green* name tag.

That's it. See you on the floor!`,
		},
		de: postText{
			title:   "So findet ihr uns in Second Life: Teleports, Landmarks und Umgangsformen",
			summary: "Mit einem Klick auf die Tanzfläche – und wie ihr dort gute Gäste seid.",
			body: `## So kommt ihr hin

Jede Venue-Seite hat einen **Teleport**-Button. Klickt darauf, während der Second-Life-Viewer läuft, und ihr landet direkt neben der Tanzfläche. Passiert nichts, kopiert den Link in die Kartensuche des Viewers.

## Wenn ihr da seid

- Klickt auf den Tanzball, um beim Gruppentanz mitzumachen, oder bringt eigene Animationen mit
- Schaltet in den Viewer-Einstellungen **Medien und Musik** ein, sonst tanzt ihr in der Stille
- Die Trinkgeldgläser stehen neben dem DJ-Pult; das Trinkgeld geht direkt an die Artists

## Ein paar Hausregeln

1. Seid freundlich. Alle waren einmal neu.
2. Kein Partikel-Spam und keine lauten Gesten auf der Tanzfläche.
3. Wenn euch jemand belästigt, sagt es einem Host mit *grünem* Namensschild.

Das war's. Wir sehen uns auf der Tanzfläche!`,
		},
	},
	{
		slug: "what-we-do-with-html-in-posts", status: db.BlogPostsStatusPublished, publish: -22 * day,
		author: authorTheo, categories: []string{"behind-the-scenes", "guides"},
		en: postText{
			title:   "What we do with HTML in blog posts",
			summary: "Posts are written in Markdown. Some HTML is allowed, scripts never are. This post contains some to prove it.",
			body: `Our editors write posts in **Markdown**. Markdown allows raw HTML too, which is handy for the odd <abbr title="Second Life Time">SLT</abbr> or a line <br>break, but it also means a post could carry things that have no business on a web page.

So every post is cleaned after it is turned into HTML: formatting, links and images stay; scripts, event handlers, frames and forms go.

## A live test

This post deliberately contains a script tag right here: <script>alert(1)</script>

If you saw a pop-up, something is very wrong and we would like to hear about it. Here are a few more troublemakers:

- An image with an error handler: <img src="/does-not-exist.png" onerror="alert(2)" alt="broken image">
- A link with a JavaScript address: <a href="javascript:alert(3)">click me</a>
- An embedded frame: <iframe src="https://example.com/"></iframe>

None of them should do anything. The harmless parts, like <em>this emphasis</em> and <strong>this bold text</strong>, should look normal.

Found a way around it? Please tell the web team before you tell the world.`,
		},
		de: postText{
			title:   "Was wir mit HTML in Blogposts machen",
			summary: "Beiträge werden in Markdown geschrieben. Etwas HTML ist erlaubt, Skripte nie. Dieser Beitrag enthält welche, um es zu beweisen.",
			body: `Unser Redaktionsteam schreibt Beiträge in **Markdown**. Markdown erlaubt auch rohes HTML, was praktisch ist für ein gelegentliches <abbr title="Second Life Time">SLT</abbr> oder einen Zeilen<br>umbruch – es bedeutet aber auch, dass ein Beitrag Dinge enthalten könnte, die auf einer Webseite nichts verloren haben.

Deshalb wird jeder Beitrag bereinigt, nachdem er in HTML umgewandelt wurde: Formatierungen, Links und Bilder bleiben; Skripte, Event-Handler, Frames und Formulare fliegen raus.

## Ein Live-Test

Dieser Beitrag enthält absichtlich genau hier ein Script-Tag: <script>alert(1)</script>

Wenn ihr ein Pop-up gesehen habt, ist etwas gründlich schiefgelaufen, und wir möchten davon erfahren. Hier noch ein paar weitere Störenfriede:

- Ein Bild mit Fehler-Handler: <img src="/does-not-exist.png" onerror="alert(2)" alt="kaputtes Bild">
- Ein Link mit JavaScript-Adresse: <a href="javascript:alert(3)">klick mich</a>
- Ein eingebetteter Frame: <iframe src="https://example.com/"></iframe>

Nichts davon sollte etwas bewirken. Die harmlosen Teile wie <em>diese Betonung</em> und <strong>dieser fette Text</strong> sollten normal aussehen.

Ihr habt einen Weg drumherum gefunden? Sagt bitte zuerst dem Web-Team Bescheid und erst dann der ganzen Welt.`,
		},
	},
	{
		slug: "follow-artists-and-venues", status: db.BlogPostsStatusPublished, publish: -18 * day,
		author: authorTheo, categories: []string{"news"},
		en: postText{
			title:   "New: follow your favourite artists and venues",
			summary: "Sign in, hit follow, and get a reminder before their next set.",
			body: `You asked, we built it. You can now **follow** artists and venues.

## How it works

1. Sign in (or create an account) from the top of any page
2. Press **Follow** on an artist or venue page
3. Choose in your account settings how early you'd like a reminder

We'll email you before each of their sets, in your language and your time zone. No newsletters unless you ask for them, and every email has a one-click unsubscribe.

*Tip:* following a venue is a great way to never miss a Saturday party in the [Main Cave](/locations/main-cave).`,
		},
		de: postText{
			title:   "Neu: Folgt euren liebsten Artists und Venues",
			summary: "Anmelden, auf „Folgen“ klicken und vor dem nächsten Set eine Erinnerung bekommen.",
			body: `Ihr habt es euch gewünscht, wir haben es gebaut: Ihr könnt jetzt Artists und Venues **folgen**.

## So funktioniert es

1. Meldet euch oben auf einer beliebigen Seite an (oder legt ein Konto an)
2. Klickt auf einer Artist- oder Venue-Seite auf **Folgen**
3. Legt in euren Kontoeinstellungen fest, wie früh ihr erinnert werden möchtet

Wir schicken euch vor jedem Set eine E-Mail, in eurer Sprache und eurer Zeitzone. Newsletter gibt es nur, wenn ihr sie wollt, und jede E-Mail lässt sich mit einem Klick abbestellen.

*Tipp:* Wer einer Venue folgt, verpasst keine Samstagsparty mehr in der [Hauptgrotte](/locations/main-cave).`,
		},
	},
	{
		slug: "interview-marisol-quinn", status: db.BlogPostsStatusPublished, publish: -12 * day,
		author: authorJon, categories: []string{"interviews"},
		en: postText{
			title:   "Interview: Marisol Quinn before Paper Satellites",
			summary: "Long-distance friendships, a battered guitar and an album release by the fire.",
			body: `Marisol Quinn's second album, **Paper Satellites**, is out soon, and she's launching it live at the Ember Lounge.

**What is the album about?**
"People I love and have never hugged. Half my closest friends live in a screen. The songs are letters to them."

**You wrote most of it at the open mic?**
"I tested every song there first. If the Wednesday crowd went quiet, it stayed on the album. If they started chatting, back to the notebook."

**Favourite song on the record?**
"*Lag*. It's about waiting for someone's avatar to load so you can finally see their face. Well, their face-ish."

Marisol's release show is at the Ember Lounge. Check [the programme](/events) for the date.`,
		},
		de: postText{
			title:   "Interview: Marisol Quinn vor Paper Satellites",
			summary: "Fernfreundschaften, eine ramponierte Gitarre und eine Albumpremiere am Feuer.",
			body: `Marisol Quinns zweites Album **Paper Satellites** erscheint bald, und sie stellt es live in der Ember Lounge vor.

**Worum geht es auf dem Album?**
„Um Menschen, die ich liebe und nie umarmt habe. Die Hälfte meiner engsten Freunde lebt in einem Bildschirm. Die Songs sind Briefe an sie.“

**Du hast das meiste bei der offenen Bühne geschrieben?**
„Jeden Song habe ich dort zuerst ausprobiert. Wenn das Mittwochspublikum still wurde, kam er aufs Album. Wenn alle anfingen zu plaudern, ging es zurück ins Notizbuch.“

**Dein Lieblingssong auf der Platte?**
„*Lag*. Er handelt davon, darauf zu warten, dass der Avatar eines Menschen lädt, damit man endlich sein Gesicht sieht. Na ja, so etwas Ähnliches wie ein Gesicht.“

Marisols Release-Show findet in der Ember Lounge statt. Das Datum steht im [Programm](/events).`,
		},
	},
	{
		slug: "screens-in-every-venue", status: db.BlogPostsStatusPublished, publish: -8 * day,
		author: authorTheo, categories: []string{"behind-the-scenes", "news"},
		en: postText{
			title:   "A screen in every venue",
			summary: "Each room now shows what's on and what's playing, updated live.",
			body: `Look up next time you're in the cave: every venue now has a **media screen** showing what's playing right now and what's on next.

## How they work

The screens are ordinary web pages shown on an in-world media prim. Each one shows either the schedule, the current track, or both, depending on the room. The Ember Lounge shows the track, the Crystal Grotto the whole fortnight ahead.

They update *live*: when a DJ changes the track or we move a set, the screen changes within a second or two, with nobody touching it.

## Why bother?

Because "who is this?" is the most-asked question in local chat, and now the answer is on the wall.`,
		},
		de: postText{
			title:   "Ein Bildschirm in jeder Venue",
			summary: "Jeder Raum zeigt jetzt live, was läuft und was als Nächstes kommt.",
			body: `Schaut beim nächsten Besuch mal nach oben: Jede Venue hat jetzt einen **Medienbildschirm**, der zeigt, was gerade läuft und was als Nächstes kommt.

## So funktionieren sie

Die Bildschirme sind ganz normale Webseiten auf einem Medien-Prim in der Welt. Je nach Raum zeigen sie das Programm, den aktuellen Track oder beides. Die Ember Lounge zeigt den Track, die Kristallgrotte die kompletten nächsten zwei Wochen.

Sie aktualisieren sich *live*: Wenn ein DJ den Track wechselt oder wir ein Set verschieben, ändert sich der Bildschirm innerhalb von ein, zwei Sekunden, ohne dass jemand ihn anfassen muss.

## Wozu das Ganze?

Weil „Wer ist das?“ die meistgestellte Frage im lokalen Chat ist – und jetzt steht die Antwort an der Wand.`,
		},
	},
	{
		slug: "sunday-ambient-brunch-turns-one", status: db.BlogPostsStatusPublished, publish: -4 * day,
		author: authorMira, categories: []string{"news"},
		en: postText{
			title:   "Sunday Ambient Brunch turns one",
			summary: "A year of slow mornings, bottomless coffee and very quiet music.",
			body: `A year ago Glasswing asked whether they could play "something calm" in the Crystal Grotto on a Sunday morning. Six people came. Last week there were sixty.

Thank you to everyone who has spent a Sunday with us in their pyjamas. To celebrate, this Sunday's brunch runs **an extra hour**, with guest sets from Linnea Sørby and Kitsune Drift.

Bring a mug. *Any* mug.`,
		},
		de: postText{
			title:   "Der Sonntags-Ambient-Brunch wird eins",
			summary: "Ein Jahr langsame Vormittage, Kaffee ohne Ende und sehr leise Musik.",
			body: `Vor einem Jahr kam Glasswing mit der Frage, ob an einem Sonntagvormittag „etwas Ruhiges“ in der Kristallgrotte laufen dürfte. Es kamen sechs Leute. Letzte Woche waren es sechzig.

Danke an alle, die einen Sonntag im Schlafanzug mit uns verbracht haben. Zur Feier des Tages geht der Brunch an diesem Sonntag **eine Stunde länger**, mit Gastsets von Linnea Sørby und Kitsune Drift.

Bringt eine Tasse mit. *Irgendeine* Tasse.`,
		},
	},
	{
		slug: "volunteer-hosts-wanted", status: db.BlogPostsStatusPublished, publish: -1 * day,
		author: authorMira, categories: []string{"news"},
		en: postText{
			title:   "Volunteer hosts wanted",
			summary: "Like people? Like music? Help us welcome guests a couple of evenings a month.",
			body: `The club keeps growing, and we need a few more friendly faces at the door.

## What hosts do

- Greet new arrivals and help them find the dance floor
- Answer questions in local chat
- Keep an eye on the house rules, kindly

## What you get

A green name tag, the eternal gratitude of the DJs, and free entry to every paid event (there aren't any, but still).

Interested? Send a note to any host in the Main Cave, or reply to this post in the group chat.`,
		},
	},
	{
		slug: "coming-up-next-months-highlights", status: db.BlogPostsStatusScheduled, publish: 3 * day,
		author: authorMira, categories: []string{"news"},
		en: postText{
			title:   "Coming up: next month's highlights",
			summary: "An album release, a charity night on the beach and a workshop for new DJs.",
			body: `Next month is a big one. Mark your calendars:

- **Sounds for the Sea**, our yearly charity night at the Moonlit Lagoon
- **Circuit Bloom**, Pixel Moth's album release in the Crystal Grotto
- **DJing in Second Life**, a workshop for beginners at Fern Hollow

All dates are in [the programme](/events).`,
		},
		de: postText{
			title:   "Demnächst: die Highlights im nächsten Monat",
			summary: "Eine Albumpremiere, eine Benefiznacht am Strand und ein Workshop für neue DJs.",
			body: `Der nächste Monat wird groß. Tragt euch diese Termine ein:

- **Klänge fürs Meer**, unsere jährliche Benefiznacht in der Mondlagune
- **Circuit Bloom**, die Albumpremiere von Pixel Moth in der Kristallgrotte
- **DJing in Second Life**, ein Workshop für Einsteiger in der Farnmulde

Alle Termine stehen im [Programm](/events).`,
		},
	},
	{
		slug: "draft-notes-for-the-summer-festival", status: db.BlogPostsStatusDraft,
		author: authorMira, categories: []string{"behind-the-scenes"},
		en: postText{
			title:   "Draft: notes for the summer festival",
			summary: "Ideas so far. Not for publication yet!",
			body: `Rough notes, do not publish.

- Three days, all five venues?
- Ask Hollow Meridian to headline
- Do we need a sixth stage on the beach?`,
		},
		de: postText{
			title:   "Entwurf: Notizen zum Sommerfestival",
			summary: "Bisherige Ideen. Noch nicht veröffentlichen!",
			body: `Grobe Notizen, bitte nicht veröffentlichen.

- Drei Tage, alle fünf Venues?
- Hollow Meridian als Headliner anfragen
- Brauchen wir eine sechste Bühne am Strand?`,
		},
	},
}

// createBlog adds the categories and posts through the blog service.
// publish_at is relative to now, on the full minute. A post's slug follows
// its title until the post has been visible; a published post whose title
// gives another slug than the demo's is created under its slug as a
// working title and gets its real title once it is public. A scheduled
// post and a draft keep the slug of their titles.
func createBlog(ctx context.Context, svc *blog.Service, a actor.Actor, now time.Time) error {
	categoryIDs := make(map[string]int64, len(blogCategories))
	for i, c := range blogCategories {
		texts := map[string]blog.CategoryText{}
		for _, tr := range byLang(c.en, c.de) {
			texts[tr.lang] = blog.CategoryText{Name: tr.text.name, Description: tr.text.description}
		}
		d, err := svc.CategoryCreate(ctx, a, blog.CategoryInput{Texts: texts, Position: i + 1})
		if err != nil {
			return fmt.Errorf("seed: create blog category %s: %w", c.slug, err)
		}
		if err := checkSlug("blog category", c.slug, d.Slug); err != nil {
			return err
		}
		categoryIDs[c.slug] = d.ID
	}

	for _, p := range blogPosts {
		texts := map[string]blog.PostText{}
		for _, tr := range byLang(p.en, p.de) {
			texts[tr.lang] = blog.PostText{Title: tr.text.title, Summary: tr.text.summary, Body: tr.text.body}
		}
		rename := false
		if p.status == db.BlogPostsStatusPublished {
			en := texts[lang]
			en.Title, rename = slugTitle(p.slug, p.en.title)
			texts[lang] = en
		}
		ids := make([]int64, len(p.categories))
		for i, c := range p.categories {
			id, ok := categoryIDs[c]
			if !ok {
				return fmt.Errorf("seed: blog post %s: unknown category %q", p.slug, c)
			}
			ids[i] = id
		}
		d, err := svc.Create(ctx, a, blog.PostInput{Texts: texts, AuthorName: p.author, CategoryIDs: ids})
		if err != nil {
			return fmt.Errorf("seed: create blog post %s: %w", p.slug, err)
		}
		if err := checkSlug("blog post", p.slug, d.Slug); err != nil {
			return err
		}
		at := now.Add(p.publish).Truncate(time.Minute)
		switch p.status {
		case db.BlogPostsStatusPublished:
			// Publishing makes the post public now; then it is dated back.
			if d, err = svc.Publish(ctx, a, d.ID, d.Version); err != nil {
				return fmt.Errorf("seed: publish blog post %s: %w", p.slug, err)
			}
			if d, err = svc.Patch(ctx, a, d.ID, d.Version, "publish_at", at.Format(time.RFC3339)); err != nil {
				return fmt.Errorf("seed: date blog post %s: %w", p.slug, err)
			}
			if rename {
				if _, err := svc.Patch(ctx, a, d.ID, d.Version, "title."+lang, p.en.title); err != nil {
					return fmt.Errorf("seed: title blog post %s: %w", p.slug, err)
				}
			}
		case db.BlogPostsStatusScheduled:
			if _, err := svc.Schedule(ctx, a, d.ID, d.Version, at); err != nil {
				return fmt.Errorf("seed: schedule blog post %s: %w", p.slug, err)
			}
		}
	}
	return nil
}
