package web

import (
	"slices"
	"sync"
	"time"

	"github.com/dreamerscave/tdc/app/i18n"
)

// offeredZones are the zones offered in the footer; any other valid IANA
// name still works through ?tz=.
func offeredZones() []string {
	return []string{
		"UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Sao_Paulo",
		"Europe/London", "Europe/Lisbon", "Europe/Berlin", "Europe/Paris", "Europe/Athens", "Europe/Moscow",
		"Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo",
		"Australia/Sydney", "Pacific/Auckland",
	}
}

// zoneSet resolves zone names from visitors. Only canonical names from Go's
// tzdata are accepted, so the loaded zones (kept, since LoadLocation reads
// and parses tzdata) number a few hundred at most, whatever visitors send.
// Other names of a zone ("US/Pacific" for "America/Los_Angeles") resolve
// to the zone's own name: the page is the same, so is its cache entry.
type zoneSet struct {
	club    i18n.Zone
	aliases map[string]string
	mu      sync.RWMutex
	loaded  map[string]i18n.Zone
	same    map[string]bool // alias -> whether it keeps its target's time here
}

func newZoneSet(club *time.Location, label string) *zoneSet {
	return &zoneSet{club: i18n.Zone{Loc: club, Label: label}, aliases: i18n.ZoneAliases(), loaded: map[string]i18n.Zone{}, same: map[string]bool{}}
}

// canonical is the one name of the zone called name, in any letter case
// or by another of its names, and false for anything but a tzdata name.
func (z *zoneSet) canonical(name string) (string, bool) {
	name, ok := i18n.CanonicalZone(name)
	if !ok {
		return "", false
	}
	if to, ok := z.aliases[name]; ok && z.keepsTime(name, to) {
		return to, true
	}
	return name, true
}

// keepsTime reports whether zone alias keeps target's time on this host:
// the table comes from Go's tzdata, but time.LoadLocation prefers the
// system's, which may be older or newer. Checked once per alias.
func (z *zoneSet) keepsTime(alias, target string) bool {
	z.mu.RLock()
	same, ok := z.same[alias]
	z.mu.RUnlock()
	if ok {
		return same
	}
	same = sameTransitions(alias, target)
	z.mu.Lock()
	z.same[alias] = same
	z.mu.Unlock()
	return same
}

// sameTransitions reports whether zones a and b have the same offsets,
// abbreviations and changes from 1970 to 2040.
func sameTransitions(a, b string) bool {
	la, err := time.LoadLocation(a)
	if err != nil {
		return false
	}
	lb, err := time.LoadLocation(b)
	if err != nil {
		return false
	}
	at := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	for steps := 0; at.Before(end) && steps < 1000; steps++ {
		na, oa := at.In(la).Zone()
		nb, ob := at.In(lb).Zone()
		_, nextA := at.In(la).ZoneBounds()
		_, nextB := at.In(lb).ZoneBounds()
		if na != nb || oa != ob || !nextA.Equal(nextB) {
			return false
		}
		if !nextA.After(at) {
			break // no change ahead
		}
		at = nextA
	}
	return true
}

// lookup returns the zone named name, in any letter case or by another of
// its names. The club's zone keeps its configured label; Server.lookupZone
// gives it the settings'. Anything but a tzdata name reports false.
func (z *zoneSet) lookup(name string) (i18n.Zone, bool) {
	name, ok := z.canonical(name)
	if !ok {
		return i18n.Zone{}, false
	}
	if club, _ := z.canonical(z.club.Name()); name == club {
		return z.club, true
	}
	z.mu.RLock()
	zone, ok := z.loaded[name]
	z.mu.RUnlock()
	if ok {
		return zone, true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return i18n.Zone{}, false
	}
	zone = i18n.Zone{Loc: loc}
	z.mu.Lock()
	z.loaded[name] = zone
	z.mu.Unlock()
	return zone, true
}

// zoneChoice is one option of the footer's zone form.
type zoneChoice struct {
	Value, Label string
	Selected     bool
}

// choices are the zones offered, club (the club's zone as labelled now)
// first and current selected.
func (z *zoneSet) choices(club, current i18n.Zone, now time.Time) []zoneChoice {
	out := []zoneChoice{{Value: club.Name(), Label: club.Label + " (" + club.Name() + ")", Selected: current.Name() == club.Name()}}
	names := offeredZones()
	if current.Name() != club.Name() && !slices.Contains(names, current.Name()) {
		names = append([]string{current.Name()}, names...)
	}
	for _, name := range names {
		zone, ok := z.lookup(name)
		if !ok {
			continue
		}
		label := name
		if abbr := zone.Abbrev(now); abbr != "" && abbr != name {
			label = name + " (" + abbr + ")"
		}
		out = append(out, zoneChoice{Value: name, Label: label, Selected: current.Name() == name})
	}
	return out
}
