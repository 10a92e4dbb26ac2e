package seed

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

const (
	// programmeDays is how far the programme reaches into the past and the
	// future, in days.
	programmeDays = 42
	// drafts is how many upcoming events stay unpublished.
	drafts = 3
	// untranslated is how many past and how many upcoming events get no
	// German text, to show the fallback to English.
	untranslated = 3
	// setStep rounds set times in a lineup.
	setStep = 15 * time.Minute
	// openDecksMin is the shortest Open Decks: a quarter of an hour for
	// each of its at most two sets.
	openDecksMin = 30 * time.Minute
)

// fallbackVenues may host Open Decks when nothing is on at the moment of
// seeding; all of them have a stream.
var fallbackVenues = []string{"moonlit-lagoon", "crystal-grotto", "ember-lounge", "main-cave"}

type plannedSet struct {
	artist     string
	start, end time.Time
}

type plannedEvent struct {
	slug       string
	template   string
	location   string
	start, end time.Time // UTC
	published  bool
	german     bool
	lineup     []plannedSet
}

// planEvents lays out the programme around now: the weekly slots and the
// specials on every club day within programmeDays, a few drafts, a few
// events without German, and Open Decks if nothing is on at now. It touches
// no database, so tests can run it for any moment.
func planEvents(now time.Time, zone *time.Location, r *rand.Rand) ([]plannedEvent, error) {
	local := now.In(zone)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	first, last := now.AddDate(0, 0, -programmeDays), now.AddDate(0, 0, programmeDays)

	var events []plannedEvent
	add := func(date time.Time, location string, start, length time.Duration, key string) error {
		from := clubTime(date, start, zone)
		to := from.Add(length)
		if from.Before(first) || from.After(last) || overlaps(events, location, from, to) {
			return nil
		}
		ev, err := planEvent(r, key, location, from, to)
		if err != nil {
			return err
		}
		events = append(events, ev)
		return nil
	}
	for offset := -programmeDays - 1; offset <= programmeDays+1; offset++ {
		date := today.AddDate(0, 0, offset)
		// Specials first: they displace the weekly slot they overlap.
		for _, s := range specials {
			if s.day != offset {
				continue
			}
			if err := add(date, s.location, s.start, s.length, s.template); err != nil {
				return nil, err
			}
		}
		for _, s := range weeklyProgramme {
			if s.day != date.Weekday() {
				continue
			}
			key := s.templates[r.IntN(len(s.templates))]
			if err := add(date, s.location, s.start, s.length, key); err != nil {
				return nil, err
			}
		}
	}

	if !runningAt(events, now) {
		ev, err := planOpenDecks(r, events, now)
		if err != nil {
			return nil, err
		}
		events = append(events, ev)
	}

	slices.SortStableFunc(events, func(a, b plannedEvent) int {
		return cmp.Or(a.start.Compare(b.start), cmp.Compare(locationIndex(a.location), locationIndex(b.location)))
	})

	// Drafts start more than three days ahead, clear of "next" on the home page.
	for _, i := range pickIndexes(r, events, drafts, func(e plannedEvent) bool {
		return e.start.After(now.Add(72 * time.Hour))
	}) {
		events[i].published = false
	}
	for _, i := range pickIndexes(r, events, untranslated, func(e plannedEvent) bool {
		return e.published && e.end.Before(now)
	}) {
		events[i].german = false
	}
	for _, i := range pickIndexes(r, events, untranslated, func(e plannedEvent) bool {
		return e.published && e.start.After(now)
	}) {
		events[i].german = false
	}

	// A published event's slug is its title and its date in club time,
	// fixed when it is published. A draft's slug follows its title, as the
	// events service makes it.
	seen := make(map[string]int, len(events))
	for i, e := range events {
		base := slugify(eventTemplates[e.template].en.title)
		if e.published {
			base += "-" + e.start.In(zone).Format(time.DateOnly)
		}
		seen[base]++
		events[i].slug = base
		if n := seen[base]; n > 1 {
			events[i].slug = fmt.Sprintf("%s-%d", base, n)
		}
	}
	return events, nil
}

// clubTime is the wall-clock time start after midnight of date in the
// club's zone, in UTC. time.Date keeps the wall clock right on DST days.
func clubTime(date time.Time, start time.Duration, zone *time.Location) time.Time {
	hours, minutes := int(start/time.Hour), int(start%time.Hour/time.Minute)
	return time.Date(date.Year(), date.Month(), date.Day(), hours, minutes, 0, 0, zone).UTC()
}

// planEvent fills in one event from its template, with a random lineup whose
// sets tile the event.
func planEvent(r *rand.Rand, key, location string, start, end time.Time) (plannedEvent, error) {
	t, ok := eventTemplates[key]
	if !ok {
		return plannedEvent{}, fmt.Errorf("seed: unknown event template %q", key)
	}
	if t.lineupMin < 1 || t.lineupMax < t.lineupMin || len(t.pool) < t.lineupMax {
		return plannedEvent{}, fmt.Errorf("seed: event template %q: lineup %d..%d from %d artists", key, t.lineupMin, t.lineupMax, len(t.pool))
	}
	n := t.lineupMin + r.IntN(t.lineupMax-t.lineupMin+1)
	var names []string
	if t.resident {
		names = append(pick(r, t.pool[1:], n-1), t.pool[0])
	} else {
		names = pick(r, t.pool, n)
	}
	return plannedEvent{
		template:  key,
		location:  location,
		start:     start,
		end:       end,
		published: true,
		german:    true,
		lineup:    tile(names, start, end),
	}, nil
}

// pick returns n different names from pool in random order.
func pick(r *rand.Rand, pool []string, n int) []string {
	out := make([]string, 0, n)
	for _, i := range r.Perm(len(pool))[:n] {
		out = append(out, pool[i])
	}
	return out
}

// tile splits [start, end) into back-to-back sets, one per artist, on
// setStep boundaries where it can and on whole minutes (the events service
// takes no seconds) where it cannot; the last set runs to the end. start
// and end are whole minutes, at least one minute per artist apart.
func tile(names []string, start, end time.Time) []plannedSet {
	length := end.Sub(start) / time.Duration(len(names))
	if rounded := length.Truncate(setStep); rounded > 0 {
		length = rounded
	} else {
		length = length.Truncate(time.Minute)
	}
	sets := make([]plannedSet, len(names))
	for i, name := range names {
		from := start.Add(time.Duration(i) * length)
		to := from.Add(length)
		if i == len(names)-1 {
			to = end
		}
		sets[i] = plannedSet{artist: name, start: from, end: to}
	}
	return sets
}

// planOpenDecks puts Open Decks on the first fallback venue that is free at
// now: from up to 45 minutes ago (or when the last event there ended) for up
// to three hours, ending early if the venue's next event starts sooner. A
// venue free for less than openDecksMin is passed over: its sets would be
// too short to announce.
func planOpenDecks(r *rand.Rand, events []plannedEvent, now time.Time) (plannedEvent, error) {
	for _, venue := range fallbackVenues {
		start := now.Truncate(setStep).Add(-45 * time.Minute)
		end := start.Add(3 * time.Hour)
		busy := false
		for _, e := range events {
			if e.location != venue {
				continue
			}
			switch {
			case !e.start.After(now) && e.end.After(now):
				busy = true
			case !e.end.After(now) && e.end.After(start):
				start = e.end
			case e.start.After(now) && e.start.Before(end):
				end = e.start
			}
		}
		if busy || !start.Before(now) || end.Sub(start) < openDecksMin {
			continue
		}
		return planEvent(r, openDecks, venue, start, end)
	}
	return plannedEvent{}, fmt.Errorf("seed: no venue is free for %s at %s", openDecks, now)
}

// overlaps reports whether location already has an event overlapping [start, end).
func overlaps(events []plannedEvent, location string, start, end time.Time) bool {
	for _, e := range events {
		if e.location == location && e.start.Before(end) && start.Before(e.end) {
			return true
		}
	}
	return false
}

// runningAt reports whether a published event has started by t and not ended.
func runningAt(events []plannedEvent, t time.Time) bool {
	for _, e := range events {
		if e.published && e.start.Before(t) && e.end.After(t) {
			return true
		}
	}
	return false
}

// pickIndexes returns up to n random indexes of events that match keep.
func pickIndexes(r *rand.Rand, events []plannedEvent, n int, keep func(plannedEvent) bool) []int {
	var candidates []int
	for i, e := range events {
		if keep(e) {
			candidates = append(candidates, i)
		}
	}
	r.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	return candidates[:min(n, len(candidates))]
}

func locationIndex(slug string) int {
	return slices.IndexFunc(demoLocations, func(l locationSeed) bool { return l.slug == slug })
}

// slugify lowercases s and joins its runs of ASCII letters and digits with
// dashes; "&" becomes "and" and apostrophes vanish ("beginner's" → "beginners").
func slugify(s string) string {
	s = strings.NewReplacer("&", " and ", "'", "", "’", "").Replace(strings.ToLower(s))
	var b strings.Builder
	dash := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}
