package i18n

import (
	"strconv"
	"strings"
	"time"
)

// Zone is a time zone as shown to a visitor: the club's zone carries its own
// label ("SLT"); a visitor's zone shows its usual abbreviation.
type Zone struct {
	Loc   *time.Location
	Label string
}

// Name is the IANA name, for forms and cache keys.
func (z Zone) Name() string {
	if z.Loc == nil {
		return "UTC"
	}
	return z.Loc.String()
}

// Abbrev names the zone at instant t, e.g. "SLT", "CET" or "+03".
func (z Zone) Abbrev(t time.Time) string {
	if z.Label != "" {
		return z.Label
	}
	name, _ := t.In(z.location()).Zone()
	return name
}

// Location is the zone as a *time.Location, UTC when unset.
func (z Zone) Location() *time.Location { return z.location() }

func (z Zone) location() *time.Location {
	if z.Loc == nil {
		return time.UTC
	}
	return z.Loc
}

// Date formats the day of t in zone: "Fri 4 Dec" / "Fr., 4. Dez.".
func (b *Bundle) Date(lang string, t time.Time, z Zone) string {
	return b.dateWith(lang, "format.date.short", t.In(z.location()))
}

// DateLong formats the day of t in zone: "Friday, 4 December 2026".
func (b *Bundle) DateLong(lang string, t time.Time, z Zone) string {
	return b.dateWith(lang, "format.date.long", t.In(z.location()))
}

// Clock formats the time of day of t in zone, without the zone: "9:00 PM" / "21:00".
func (b *Bundle) Clock(lang string, t time.Time, z Zone) string {
	return t.In(z.location()).Format(b.T(lang, "format.time.layout", nil))
}

// When formats day, time and zone: "Fri 4 Dec, 9:00 PM SLT".
func (b *Bundle) When(lang string, t time.Time, z Zone) string {
	return b.T(lang, "format.when", map[string]any{
		"Date": b.Date(lang, t, z), "Time": b.Clock(lang, t, z), "Zone": z.Abbrev(t),
	})
}

// Span formats a start and end: "Fri 4 Dec, 9:00 PM – 11:00 PM SLT". It
// names the end's day when that is another day in the zone (unless the
// night simply runs into the early morning), and names each time's zone
// when a DST change falls between them ("23:00 CET–05:00 CEST").
func (b *Bundle) Span(lang string, start, end time.Time, z Zone) string {
	s, e := start.In(z.location()), end.In(z.location())
	startTime, endTime, zone := b.Clock(lang, s, z), b.Clock(lang, e, z), z.Abbrev(e)
	if za := z.Abbrev(s); za != zone {
		startTime, endTime, zone = startTime+" "+za, endTime+" "+zone, ""
	}
	id := "format.span.same_day"
	otherDay := s.YearDay() != e.YearDay() || s.Year() != e.Year()
	if otherDay && (e.Sub(s) >= 12*time.Hour || e.Hour() >= 8) {
		id = "format.span.other_day"
	}
	return strings.TrimSpace(b.T(lang, id, map[string]any{
		"Date": b.Date(lang, s, z), "Start": startTime,
		"EndDate": b.Date(lang, e, z), "End": endTime, "Zone": zone,
	}))
}

func (b *Bundle) dateWith(lang, id string, t time.Time) string {
	wd := strconv.Itoa(int(t.Weekday()))
	mo := strconv.Itoa(int(t.Month()))
	return b.T(lang, id, map[string]any{
		"Weekday":     b.T(lang, "date.weekday.short."+wd, nil),
		"WeekdayLong": b.T(lang, "date.weekday.long."+wd, nil),
		"Month":       b.T(lang, "date.month.short."+mo, nil),
		"MonthLong":   b.T(lang, "date.month.long."+mo, nil),
		"Day":         t.Day(),
		"Year":        t.Year(),
	})
}

// ISO is the machine-readable form for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// DayKey is the date of t in zone as YYYY-MM-DD, for grouping lists by day.
func DayKey(t time.Time, z Zone) string {
	return strings.TrimSpace(t.In(z.location()).Format("2006-01-02"))
}
