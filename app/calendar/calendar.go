// Package calendar writes iCalendar (RFC 5545) feeds of events, for
// visitors to subscribe to or download.
package calendar

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/dreamerscave/tdc/app/events"
)

// Feed names a calendar and says where its events link to.
type Feed struct {
	Name    string // X-WR-CALNAME
	BaseURL *url.URL
	Lang    string
}

// Write writes evs as one VCALENDAR. Lines end in CRLF and fold at 75
// octets, as the RFC requires and strict clients expect.
func Write(w io.Writer, f Feed, evs []events.Summary) error {
	cal := ics.NewCalendarFor("The Dreamer's Cave")
	cal.SetProductId("-//The Dreamer's Cave//tdc//" + strings.ToUpper(f.Lang))
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(f.Name)
	cal.SetXWRCalName(f.Name)
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	for _, e := range evs {
		ev := cal.AddEvent(fmt.Sprintf("event-%d@%s", e.ID, f.BaseURL.Hostname()))
		// DTSTAMP is when the event was last revised, not "now": a feed that
		// changes on every fetch makes clients re-import everything.
		ev.SetDtStampTime(e.UpdatedAt.UTC())
		ev.SetLastModifiedAt(e.UpdatedAt.UTC())
		ev.SetStartAt(e.StartsAt.UTC())
		ev.SetEndAt(e.EndsAt.UTC())
		ev.SetSummary(e.Title)
		ev.SetLocation(e.Location.Name)
		link := f.BaseURL.String() + "/events/" + e.Slug
		ev.SetURL(link)
		ev.SetDescription(description(e, link))
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	if err := cal.SerializeTo(w, ics.WithNewLineWindows); err != nil {
		return fmt.Errorf("calendar: write: %w", err)
	}
	return nil
}

func description(e events.Summary, link string) string {
	var b strings.Builder
	if e.Summary != "" {
		b.WriteString(e.Summary + "\n\n")
	}
	for _, a := range e.Lineup {
		if !a.SetStartsAt.IsZero() {
			b.WriteString(a.SetStartsAt.UTC().Format(time.TimeOnly[:5]) + " UTC  ")
		}
		b.WriteString(a.ArtistName + "\n")
	}
	if len(e.Lineup) > 0 {
		b.WriteString("\n")
	}
	b.WriteString(link)
	return b.String()
}
