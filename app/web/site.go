package web

import (
	"context"

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
// selected.
func (s *Server) zoneChoices(ctx context.Context, current i18n.Zone) []zoneChoice {
	return s.zones.choices(s.clubZone(ctx), current, s.Now())
}
