package seed

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

type track struct {
	artist, title string
}

// playlists are what each streaming venue has been playing, oldest first;
// the seed plays the tail of each list, so the last track is on now.
var playlists = map[string][]track{
	"main-cave": {
		{"The Low Hours", "Afterimage"},
		{"Luma Vesper", "Undertow (Extended Mix)"},
		{"Cassius Moonwater", "Silver Current"},
		{"Juniper Okafor", "Sunbird (feat. Ada Nwosu)"},
		{"Nyx Calloway", "Violet Hour"},
		{"Aurelio Sands", "Mirrorball Heart (Sands Re-Edit)"},
		{"Marlowe Keys", "Basement Prayer"},
		{"Juniper Okafor", "Harmattan"},
		{"Selene Marchetti", "Notte Elettrica"},
		{"Luma Vesper", "Pressure & Light"},
		{"Cassius Moonwater & Luma Vesper", "Tidewater"},
	},
	"crystal-grotto": {
		{"Kestrel Bloom", "Polar Drift"},
		{"Frostbyte Collective", "Glacier Anthem"},
		{"Astra Feldspar", "Quartz Garden"},
		{"Frostbyte Collective", "Northern Signal (Dub)"},
		{"Nyx Calloway", "Cold Fire"},
		{"Elodie Varga", "Ice Cathedral"},
		{"Astra Feldspar", "Refraction"},
		{"Glasswing", "Hoarfrost"},
		{"Frostbyte Collective", "Aurora Protocol"},
		{"Astra Feldspar", "Blue Hour Ritual"},
		{"Frostbyte Collective", "Crystal Frequencies (Live Edit)"},
	},
	"ember-lounge": {
		{"Cleo Marchand", "Smoke Rings"},
		{"Ottoline Fairweather", "Late Train to Gentilly"},
		{"Emberly Vance", "Honey in the Smoke"},
		{"The Marigold Five", "Sweet Talk Sally"},
		{"Dr. Fennel", "Gin & Gramophones"},
		{"Emberly Vance", "Slow Burn"},
		{"Ruby Okonkwo Trio", "Lantern Walk"},
		{"Ottoline Fairweather", "Blue for Biscuit"},
		{"Aurelio Sands", "Velvet Boogie"},
		{"Emberly Vance", "Come Sit by the Fire"},
		{"Ottoline Fairweather", "Embers (Solo Piano)"},
	},
	"moonlit-lagoon": {
		{"Tidecaller", "Salt & Static"},
		{"Kitsune Drift", "Rain on the Veranda"},
		{"Kaito Hoshizora", "Midnight Expressway"},
		{"Mister Lowtide", "Coral Dub"},
		{"Kitsune Drift", "Paper Lanterns"},
		{"Glasswing", "Tidal Glass"},
		{"Cassius Moonwater", "Moonrise"},
		{"Mister Lowtide", "Lighthouse Skank"},
		{"Kitsune Drift", "3 a.m. Ferry"},
		{"Kaito Hoshizora", "Neon Koi"},
		{"Kitsune Drift", "Low Tide, High Moon"},
	},
}

// insertNowPlaying gives every venue with a stream a current track, started
// a few minutes ago, and 5 to 10 earlier tracks in its history.
func insertNowPlaying(ctx context.Context, q *db.Queries, r *rand.Rand, now time.Time, locationIDs map[string]int64) error {
	for _, l := range demoLocations {
		if l.stream == db.LocationsStreamKindNone {
			continue
		}
		list := playlists[l.slug]
		played := 5 + r.IntN(6)
		if len(list) < played+1 {
			return fmt.Errorf("seed: now playing %s: playlist has %d tracks, need %d", l.slug, len(list), played+1)
		}
		list = list[len(list)-played-1:]
		id := locationIDs[l.slug]

		// Walk back from the current track to give each earlier one a start.
		starts := make([]time.Time, len(list))
		starts[len(list)-1] = now.Add(-time.Duration(60+r.IntN(240)) * time.Second)
		for i := len(list) - 2; i >= 0; i-- {
			starts[i] = starts[i+1].Add(-time.Duration(180+r.IntN(240)) * time.Second)
		}

		for i, t := range list[:len(list)-1] {
			err := q.NowPlayingHistoryInsert(ctx, db.NowPlayingHistoryInsertParams{
				LocationID: id,
				Artist:     t.artist,
				Title:      t.title,
				Source:     db.NowPlayingHistorySource(l.stream),
				StartedAt:  starts[i],
				EndedAt:    sql.NullTime{Time: starts[i+1], Valid: true},
			})
			if err != nil {
				return fmt.Errorf("seed: insert now playing history %s: %w", l.slug, err)
			}
		}
		cur := list[len(list)-1]
		err := q.NowPlayingUpsert(ctx, db.NowPlayingUpsertParams{
			LocationID: id,
			Artist:     cur.artist,
			Title:      cur.title,
			Source:     db.NowPlayingSource(l.stream),
			StartedAt:  starts[len(list)-1],
		})
		if err != nil {
			return fmt.Errorf("seed: insert now playing %s: %w", l.slug, err)
		}
	}
	return nil
}
