package seed

import (
	"context"
	"fmt"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/locations"
)

// theme holds a venue's colours. The text colour must reach 7:1 contrast on
// both background and surface, and the accent 4.5:1 on the background; the
// tests check every venue.
type theme struct {
	background, surface, text, accent string
}

type locationText struct {
	name, tagline, description string
}

type locationSeed struct {
	slug     string
	theme    theme
	stream   db.LocationsStreamKind
	teleport string
	layout   db.LocationsScreenLayout
	days     int
	rotate   int
	en, de   locationText
}

// demoLocations are the venues, in display order. The demo runs no stream
// server, and a polled status URL nobody answers would make the now-playing
// job warn every run: the streaming venues are fed by DJ software (push),
// with no stream URLs, and what plays comes from the seeded tracks
// (insertNowPlaying).
var demoLocations = []locationSeed{
	{
		slug:     "main-cave",
		theme:    theme{background: "#140b26", surface: "#22163d", text: "#f2ecff", accent: "#b99cff"},
		stream:   db.LocationsStreamKindPush,
		teleport: "secondlife://Dreamers%20Cave/128/128/25",
		layout:   db.LocationsScreenLayoutSplit,
		days:     7,
		rotate:   20,
		en: locationText{
			name:    "The Main Cave",
			tagline: "Where the night begins, under a ceiling of violet stalactites",
			description: "Our biggest room: a vaulted cavern lit in deep purple and violet, with a sunken dance floor, " +
				"a full club sound system and room for a hundred avatars. Weekly residencies, the Saturday themed " +
				"parties and every big night happen here.",
		},
		de: locationText{
			name:    "Die Hauptgrotte",
			tagline: "Hier beginnt die Nacht – unter einer Decke aus violetten Stalaktiten",
			description: "Unser größter Raum: eine gewölbte Höhle in tiefem Lila und Violett, mit abgesenkter " +
				"Tanzfläche, voller Club-Anlage und Platz für hundert Avatare. Die wöchentlichen Residencies, die " +
				"Mottopartys am Samstag und alle großen Nächte finden hier statt.",
		},
	},
	{
		slug:     "crystal-grotto",
		theme:    theme{background: "#e6f6f8", surface: "#f6fcfd", text: "#0a2328", accent: "#00646d"},
		stream:   db.LocationsStreamKindPush,
		teleport: "secondlife://Dreamers%20Cave/64/190/22",
		layout:   db.LocationsScreenLayoutSchedule,
		days:     14,
		rotate:   30,
		en: locationText{
			name:    "Crystal Grotto",
			tagline: "Icy light, clear sound",
			description: "A frozen chamber of teal ice and glowing quartz, where every beat rings a little longer. " +
				"The Grotto is home to trance, melodic techno and live electronics, and on Sunday mornings to our " +
				"slow, sunlit ambient brunch.",
		},
		de: locationText{
			name:    "Kristallgrotte",
			tagline: "Eisiges Licht, klarer Klang",
			description: "Eine gefrorene Kammer aus türkisfarbenem Eis und leuchtendem Quarz, in der jeder Beat ein " +
				"wenig länger nachklingt. In der Grotte sind Trance, Melodic Techno und Live-Elektronik zu Hause – " +
				"und sonntagvormittags unser ruhiger, sonnendurchfluteter Ambient-Brunch.",
		},
	},
	{
		slug:     "ember-lounge",
		theme:    theme{background: "#1d1007", surface: "#2d1b0e", text: "#fff1e2", accent: "#ffae42"},
		stream:   db.LocationsStreamKindPush,
		teleport: "secondlife://Dreamers%20Cave/200/60/30",
		layout:   db.LocationsScreenLayoutNowPlaying,
		days:     3,
		rotate:   15,
		en: locationText{
			name:    "Ember Lounge",
			tagline: "Warm amber light, deep sofas, live music",
			description: "A snug lounge around a crackling fire pit, all amber lamps and worn leather. Jazz, soul, " +
				"acoustic sets and the Wednesday open mic live here. The DJs send their track titles straight from " +
				"their software, so the screen by the bar is always up to date.",
		},
		de: locationText{
			name:    "Ember Lounge",
			tagline: "Warmes Bernsteinlicht, tiefe Sofas, Livemusik",
			description: "Eine gemütliche Lounge rund um eine knisternde Feuerstelle, mit bernsteinfarbenen Lampen " +
				"und abgewetztem Leder. Hier sind Jazz, Soul, Akustik-Sets und die offene Bühne am Mittwoch zu " +
				"Hause. Die DJs schicken ihre Titel direkt aus ihrer Software, daher ist der Bildschirm an der Bar " +
				"immer aktuell.",
		},
	},
	{
		slug:     "moonlit-lagoon",
		theme:    theme{background: "#0a1128", surface: "#152242", text: "#e8eef9", accent: "#b8c6e0"},
		stream:   db.LocationsStreamKindPush,
		teleport: "secondlife://Dreamers%20Lagoon/180/210/21",
		layout:   db.LocationsScreenLayoutSplit,
		days:     7,
		rotate:   25,
		en: locationText{
			name:    "Moonlit Lagoon",
			tagline: "Silver water, midnight skies, slow grooves",
			description: "An open-air beach under a permanent full moon, with a floating deck and a bar built into " +
				"the rocks. Lo-fi, dub, downtempo and progressive sets drift over the water late into the night.",
		},
		de: locationText{
			name:    "Mondlagune",
			tagline: "Silbernes Wasser, Mitternachtshimmel, langsame Grooves",
			description: "Ein Strand unter freiem Himmel und ewigem Vollmond, mit schwimmendem Deck und einer Bar im " +
				"Felsen. Lo-Fi, Dub, Downtempo und Progressive treiben hier bis spät in die Nacht über das Wasser.",
		},
	},
	{
		slug:     "fern-hollow",
		theme:    theme{background: "#0e1a11", surface: "#18291c", text: "#eef6e7", accent: "#92d46e"},
		stream:   db.LocationsStreamKindNone,
		teleport: "secondlife://Dreamers%20Cave/40/40/28",
		layout:   db.LocationsScreenLayoutSchedule,
		days:     10,
		rotate:   20,
		en: locationText{
			name:    "Fern Hollow",
			tagline: "A mossy clearing for folk, strings and stories",
			description: "A small forest stage ringed by giant ferns and fireflies. There is no club stream here: " +
				"each performer plays through the parcel's own audio, so sets feel close and unplugged. Talks and " +
				"workshops take place here too.",
		},
		de: locationText{
			name:    "Farnmulde",
			tagline: "Eine moosige Lichtung für Folk, Saiten und Geschichten",
			description: "Eine kleine Waldbühne, umgeben von riesigen Farnen und Glühwürmchen. Einen Club-Stream " +
				"gibt es hier nicht: Alle spielen über den Audiostream der Parzelle, deshalb klingen die Sets nah und " +
				"unverstärkt. Auch Vorträge und Workshops finden hier statt.",
		},
	},
}

// createLocations adds the venues through the locations service and returns
// their ids by slug. A venue's slug comes from its name when it is created
// and never changes; "The Main Cave" would be the-main-cave, so it starts
// out under its slug and gets its name right after.
func createLocations(ctx context.Context, svc *locations.Service, a actor.Actor) (map[string]int64, error) {
	ids := make(map[string]int64, len(demoLocations))
	for i, l := range demoLocations {
		texts := map[string]locations.Text{}
		for _, tr := range byLang(l.en, l.de) {
			texts[tr.lang] = locations.Text{Name: tr.text.name, Tagline: tr.text.tagline, Description: tr.text.description}
		}
		name, rename := slugTitle(l.slug, l.en.name)
		en := texts[lang]
		en.Name = name
		texts[lang] = en
		d, err := svc.Create(ctx, a, locations.LocationInput{
			Position: i + 1,
			Theme: locations.Theme{
				Background: l.theme.background, Surface: l.theme.surface, Text: l.theme.text, Accent: l.theme.accent,
			},
			StreamKind:  string(l.stream),
			TeleportURL: l.teleport,
			Screen:      locations.Screen{Layout: string(l.layout), DaysAhead: l.days, RotateSeconds: l.rotate},
			Texts:       texts,
		})
		if err != nil {
			return nil, fmt.Errorf("seed: create location %s: %w", l.slug, err)
		}
		if err := checkSlug("location", l.slug, d.Slug); err != nil {
			return nil, err
		}
		if rename {
			if _, err := svc.Patch(ctx, a, d.ID, d.Version, "name."+lang, l.en.name); err != nil {
				return nil, fmt.Errorf("seed: name location %s: %w", l.slug, err)
			}
		}
		ids[l.slug] = d.ID
	}
	return ids, nil
}
