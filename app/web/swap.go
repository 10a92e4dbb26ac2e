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
)

// fromPager reports whether a partial request came from a pager link.
func fromPager(c fiber.Ctx) bool {
	return isPartial(c) && strings.HasPrefix(c.Get("HX-Source"), pagerSource)
}

// swapShape names what a response looks like, for the page cache key:
// "full" (a page), "partial" (the fragment, plus its out-of-band parts) or
// "partial-pager" (the same, but the list's heading takes focus). A raw
// HX-Source must never reach a cache key: these three are all it can make.
func swapShape(c fiber.Ctx, fragment string) string {
	switch {
	case fragment == "" || !isPartial(c):
		return "full"
	case fromPager(c):
		return "partial-pager"
	}
	return "partial"
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

// layoutData gives the Base of any page's data, so render can update the
// layout's own fragments whatever the page.
func (b Base) layoutData() Base { return b }

// renderPartial renders fragment and, out of band, what the layout and the
// page show outside it that depends on the same query: the language links,
// the time-zone form and, for the programme, its status region. The
// fragments mark themselves hx-swap-oob when their data says OOB.
func (s *Server) renderPartial(w io.Writer, c fiber.Ctx, fragment string, data any) error {
	lang := langOf(c)
	data = markPartial(data, fromPager(c))
	if err := s.Views.Fragment(w, lang, fragment, data); err != nil {
		return err
	}
	if fragment == "event-list" {
		if err := s.Views.Fragment(w, lang, "event-status", data); err != nil {
			return err
		}
	}
	l, ok := data.(interface{ layoutData() Base })
	if !ok {
		return nil // e.g. the flash fragment, which has no layout around it
	}
	b := l.layoutData()
	b.OOB = true
	for _, name := range []string{"lang-links", "zone-form"} {
		if err := s.Views.Fragment(w, lang, name, b); err != nil {
			return err
		}
	}
	return nil
}

// markPartial sets OOB on the data of the pages with a paged list, and
// FocusList when a pager link asked for it. Other data is returned as is.
func markPartial(data any, pager bool) any {
	switch d := data.(type) {
	case eventsPage:
		d.OOB, d.FocusList = true, pager
		return d
	case blogPage:
		d.OOB, d.FocusList = true, pager
		return d
	}
	return data
}
