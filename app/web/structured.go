package web

import (
	"encoding/json"
	"html/template"
	"time"

	"github.com/dreamerscave/tdc/app/events"
)

// eventStructuredData is schema.org Event markup (JSON-LD), which search
// engines and calendar tools read to show an event with its date and
// lineup. The club's events happen online, in a virtual world.
func (s *Server) eventStructuredData(ev events.Event, lang, club string) template.JS {
	url := s.absolute("/events/" + ev.Slug)
	location := map[string]any{"@type": "VirtualLocation", "url": s.absolute("/locations/" + ev.Location.Slug), "name": ev.Location.Name.Value}
	performers := make([]map[string]any, 0, len(ev.Lineup))
	for _, a := range ev.Lineup {
		performers = append(performers, map[string]any{
			"@type": "PerformingGroup", "name": a.ArtistName, "url": s.absolute("/artists/" + a.ArtistSlug),
		})
	}
	status := "https://schema.org/EventScheduled"
	if ev.Cancelled {
		status = "https://schema.org/EventCancelled"
	}
	data := map[string]any{
		"@context":            "https://schema.org",
		"@type":               "Event",
		"name":                ev.Title.Value,
		"description":         ev.Summary.Summary.Value,
		"startDate":           ev.StartsAt.UTC().Format(time.RFC3339),
		"endDate":             ev.EndsAt.UTC().Format(time.RFC3339),
		"eventStatus":         status,
		"eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode",
		"location":            location,
		"performer":           performers,
		"organizer":           map[string]any{"@type": "Organization", "name": club, "url": s.absolute("/")},
		"image":               s.absolute(s.Assets.Path("img/og.png")),
		"url":                 url,
		"inLanguage":          lang,
		"isAccessibleForFree": true,
	}
	// json.Marshal escapes <, > and &, so the JSON cannot close the script
	// element it sits in; that is what makes template.JS safe here.
	out, err := json.Marshal(data)
	if err != nil {
		return ""
	}
	return template.JS(out) //nolint:gosec // see above
}
