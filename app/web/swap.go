package web

import (
	"io"
	"strings"

	"github.com/gofiber/fiber/v3"
)

// How an htmx swap stays usable from the keyboard and with a screen reader:
// the server learns from HX-Source which element asked (htmx 4 sends it as
// "tag#id"), lets only a pager click move focus, pushes a history entry for
// a submitted search but only replaces the address while a field changes,
// and sends along, out of band, the parts of the page outside the swapped
// element that show the same query.

const (
	// pagerSource starts HX-Source for the pager's links, a#pager-prev and
	// a#pager-next (views/partials/pager.html).
	pagerSource = "a#pager-"
	// filterFieldsSource is HX-Source for the programme's filter fields,
	// which send a request when a field changes (views/pages/events/index.html).
	filterFieldsSource = "div#event-filter-fields"
	// liveRefreshSource is HX-Source for the element the live hub pushes to
	// make a filtered programme reload itself (views/fragments/live-programme.html).
	liveRefreshSource = "div#live-programme-refresh"
)

// The shapes of a response, as swapShape names them.
const (
	shapeFull    = "full"          // a whole page
	shapePartial = "partial"       // the fragment and its out-of-band parts
	shapePager   = "partial-pager" // the same, the list's heading taking focus
)

// fromPager reports whether a partial request came from a pager link.
func fromPager(c fiber.Ctx) bool {
	return isPartial(c) && strings.HasPrefix(c.Get("HX-Source"), pagerSource)
}

// swapShape names what the response to c looks like: a page, a partial,
// or a partial for a pager click. It is everything about the request
// besides route, query, language and zone that render's output depends on,
// so the page cache must key on it. A raw HX-Source must never reach a
// cache key: these three values are all it can make.
func swapShape(c fiber.Ctx, fragment string) string {
	switch {
	case fragment == "" || !isPartial(c):
		return shapeFull
	case fromPager(c):
		return shapePager
	}
	return shapePartial
}

// historyHeader is the header that tells htmx how to record the canonical
// address of a partial response: a changed filter field replaces the
// current entry, so Back goes back a search and not a keypress, while a
// submitted search or a page of results gets an entry of its own.
func historyHeader(c fiber.Ctx) string {
	if c.Get("HX-Source") == filterFieldsSource {
		return "HX-Replace-Url"
	}
	return "HX-Push-Url"
}

// renderPartial renders fragment and, when its swap moves the address (the
// paged lists, whose partials come with HX-Push-Url or HX-Replace-Url), what
// the layout and the page show outside it for the same query, out of band:
// the language links, the time-zone form and, for the programme, its status
// region. Other partials (a flash message, say) are the fragment alone: their
// request's address need not be the page's.
func (s *Server) renderPartial(w io.Writer, c fiber.Ctx, fragment string, data any) error {
	lang := langOf(c)
	// Only what swapShape tells apart may change the output: the cache
	// keeps one response per shape.
	data, layout, moves := markPartial(data, swapShape(c, fragment) == shapePager)
	if err := s.Views.Fragment(w, lang, fragment, data); err != nil {
		return err
	}
	if !moves {
		return nil
	}
	if fragment == "event-list" {
		if err := s.Views.Fragment(w, lang, "event-status", data); err != nil {
			return err
		}
	}
	for _, name := range []string{"lang-links", "zone-form"} {
		if err := s.Views.Fragment(w, lang, name, layout); err != nil {
			return err
		}
	}
	return nil
}

// markPartial marks the data of a page with a paged list for a partial
// response, and returns it with its Base: OOB, so its fragments outside the
// list render out of band, and FocusList when a pager link asked. It
// reports false, and returns data as is, for any other page.
func markPartial(data any, pager bool) (any, Base, bool) {
	switch d := data.(type) {
	case eventsPage:
		d.OOB, d.FocusList = true, pager
		d.List.FocusList = pager
		return d, d.Base, true
	case locationPage:
		// Its fragment is a live view of its own (location-schedule).
		return d.Schedule, Base{}, false
	case blogPage:
		d.OOB, d.FocusList = true, pager
		return d, d.Base, true
	}
	return data, Base{}, false
}
