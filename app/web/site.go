package web

import (
	"context"
	"sync"
	"time"

	"github.com/dreamerscave/tdc/app/i18n"
)

// What the public site shows of the club's settings (app/settings): its
// name and tagline in the page's language, its links elsewhere and the
// label of its time zone. The settings service keeps them cached and drops
// the copy when any instance changes one; the page cache is dropped on the
// same message (Follow), so a cached page never keeps an old name.

// siteInfo is the layout's part of the settings.
type siteInfo struct {
	Name i18n.Text
	// Tagline is empty when none is set: the layout then shows none.
	Tagline i18n.Text
	Social  []socialLink
}

// socialLink is one of the club's profiles elsewhere, named by the message
// "social.network.<network>".
type socialLink struct {
	Network, URL, NameID string
}

// siteInfo is the settings' part of a page in lang.
func (s *Server) siteInfo(ctx context.Context, lang string) siteInfo {
	set := s.Settings.Current(ctx)
	info := siteInfo{Name: set.Name(lang), Tagline: set.Tagline(lang)}
	for _, l := range set.Social {
		info.Social = append(info.Social, socialLink{Network: l.Network, URL: l.URL, NameID: "social.network." + l.Network})
	}
	return info
}

// siteName is the club's name in lang, for feeds and structured data.
func (s *Server) siteName(ctx context.Context, lang string) string {
	return s.Settings.Current(ctx).Name(lang).Value
}

// clubZone is the club's zone with the label the settings give it
// (TDC_CLUB_TIMEZONE_LABEL until an admin sets one).
func (s *Server) clubZone(ctx context.Context) i18n.Zone {
	z := s.zones.club
	if l := s.Settings.Current(ctx).ZoneLabel; l != "" {
		z.Label = l
	}
	return z
}

// lookupZone is zones.lookup with the club's zone labelled as clubZone
// labels it.
func (s *Server) lookupZone(ctx context.Context, name string) (i18n.Zone, bool) {
	z, ok := s.zones.lookup(name)
	if ok && z.Name() == s.zones.club.Name() {
		return s.clubZone(ctx), true
	}
	return z, ok
}

// zoneChoices are the footer's and the account page's zones, current
// selected. Every page shows them, and building them (a lookup and an
// abbreviation per zone) was a tenth of a programme cache miss, so they are
// kept until one of the zones changes its offset. Callers share the slice
// and must not change it.
func (s *Server) zoneChoices(ctx context.Context, current i18n.Zone) []zoneChoice {
	return s.zoneChoicesAt(s.clubZone(ctx), current, s.Now())
}

func (s *Server) zoneChoicesAt(club, current i18n.Zone, now time.Time) []zoneChoice {
	key := zoneChoiceKey{club: club.Name(), label: club.Label, current: current.Name()}
	if c, ok := s.zoneMemo.get(key, now); ok {
		return c
	}
	c := s.zones.choices(club, current, now)
	from, until := time.Time{}, time.Time{}
	for _, z := range c {
		loc := club.Loc
		if z.Value != club.Name() {
			zone, ok := s.zones.lookup(z.Value)
			if !ok {
				continue
			}
			loc = zone.Loc
		}
		start, end := now.In(zone(loc)).ZoneBounds()
		if !start.IsZero() && start.After(from) {
			from = start
		}
		if !end.IsZero() && (until.IsZero() || end.Before(until)) {
			until = end
		}
	}
	s.zoneMemo.put(key, zoneChoiceEntry{choices: c, from: from, until: until})
	return c
}

func zone(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// zoneChoiceMemo keeps zone choices while every zone's abbreviation stays
// what it was when they were built: from its last transition before then
// to its next (zero: none).
type zoneChoiceMemo struct {
	mu sync.Mutex
	m  map[zoneChoiceKey]zoneChoiceEntry
}

type zoneChoiceKey struct{ club, label, current string }

type zoneChoiceEntry struct {
	choices     []zoneChoice
	from, until time.Time
}

// maxZoneChoices bounds the memo: keys come from canonical zone names and
// the club's label, a few hundred at most, but a label edited often must
// not grow it without end.
const maxZoneChoices = 1024

func (m *zoneChoiceMemo) get(k zoneChoiceKey, now time.Time) ([]zoneChoice, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[k]
	if !ok || now.Before(e.from) || (!e.until.IsZero() && !now.Before(e.until)) {
		return nil, false
	}
	return e.choices, true
}

func (m *zoneChoiceMemo) put(k zoneChoiceKey, e zoneChoiceEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= maxZoneChoices {
		m.m = map[zoneChoiceKey]zoneChoiceEntry{}
	}
	m.m[k] = e
}
