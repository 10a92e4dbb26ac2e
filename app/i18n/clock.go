package i18n

import (
	"bytes"
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
	return t.In(z.location()).Format(b.calendar(lang).layout)
}

// When formats day, time and zone: "Fri 4 Dec, 9:00 PM SLT".
func (b *Bundle) When(lang string, t time.Time, z Zone) string {
	c := b.calendar(lang)
	if p, ok := c.formats["format.when"]; ok {
		lt := t.In(z.location())
		var buf [64]byte
		return string(p.appendTo(buf[:0], func(dst []byte, name string) []byte {
			switch name {
			case "Date":
				dst, _ = c.appendDate(dst, "format.date.short", lt)
				return dst
			case "Time":
				return lt.AppendFormat(dst, c.layout)
			case "Zone":
				return append(dst, z.Abbrev(t)...)
			}
			return append(dst, "<no value>"...)
		}))
	}
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
	id := "format.span.same_day"
	otherDay := s.YearDay() != e.YearDay() || s.Year() != e.Year()
	if otherDay && (e.Sub(s) >= 12*time.Hour || e.Hour() >= 8) {
		id = "format.span.other_day"
	}
	sa, ea := z.Abbrev(s), z.Abbrev(e)
	c := b.calendar(lang)
	if p, ok := c.formats[id]; ok {
		// Each time's zone follows it when they differ, and the
		// pattern's own Zone is then empty.
		clock := func(dst []byte, t time.Time, abbrev string) []byte {
			dst = t.AppendFormat(dst, c.layout)
			if sa != ea {
				dst = append(append(dst, ' '), abbrev...)
			}
			return dst
		}
		var buf [96]byte
		out := p.appendTo(buf[:0], func(dst []byte, name string) []byte {
			switch name {
			case "Date":
				dst, _ = c.appendDate(dst, "format.date.short", s)
				return dst
			case "EndDate":
				dst, _ = c.appendDate(dst, "format.date.short", e)
				return dst
			case "Start":
				return clock(dst, s, sa)
			case "End":
				return clock(dst, e, ea)
			case "Zone":
				if sa == ea {
					return append(dst, ea...)
				}
				return dst
			}
			return append(dst, "<no value>"...)
		})
		return string(bytes.TrimSpace(out))
	}
	startTime, endTime, zone := b.Clock(lang, s, z), b.Clock(lang, e, z), ea
	if sa != ea {
		startTime, endTime, zone = startTime+" "+sa, endTime+" "+ea, ""
	}
	return strings.TrimSpace(b.T(lang, id, map[string]any{
		"Date": b.Date(lang, s, z), "Start": startTime,
		"EndDate": b.Date(lang, e, z), "End": endTime, "Zone": zone,
	}))
}

// dateWith formats t, already in its zone, with the date format id.
func (b *Bundle) dateWith(lang, id string, t time.Time) string {
	var buf [64]byte
	if out, ok := b.calendar(lang).appendDate(buf[:0], id, t); ok {
		return string(out)
	}
	c := b.calendar(lang)
	return b.T(lang, id, map[string]any{
		"Weekday":     c.weekday[t.Weekday()],
		"WeekdayLong": c.weekdayL[t.Weekday()],
		"Month":       c.month[t.Month()],
		"MonthLong":   c.monthLong[t.Month()],
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
