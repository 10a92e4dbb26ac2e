package web

import (
	"cmp"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/nowplaying"
)

// The venues of the back office: a list, and a page per venue whose fields
// are edited in place, with the theme as one form beside a live preview,
// the now-playing token, deletion and the history. The theme and the
// token, the new-venue form and deletion are in admin_locations_forms.go.

// Sort keys of the venue list; the first is the default.
const (
	locationSortPosition   = "position"
	locationSortName       = "name"
	locationSortNameDesc   = "-name"
	locationSortEvents     = "events"
	locationSortEventsDesc = "-events"
)

// locationsPerPage is the venue list's page size. Venues are few, so the
// service returns them all and the list pages them for display.
const locationsPerPage = 50

// streamKinds are the kinds of stream the locations service accepts, in
// the order the back office offers them.
func streamKinds() []string { return []string{"none", "icecast", "shoutcast", "push"} }

// screenLayouts are the screen layouts the locations service accepts.
func screenLayouts() []string { return []string{"split", "schedule", "now-playing"} }

// messageKey turns a value into the last part of a message ID, whose parts
// use underscores ("now-playing" → "now_playing").
func messageKey(v string) string { return strings.ReplaceAll(v, "-", "_") }

func streamKindOptions(any bool) []fieldOption {
	var out []fieldOption
	if any {
		out = append(out, fieldOption{Value: "", LabelID: "admin.list.any"})
	}
	for _, k := range streamKinds() {
		out = append(out, fieldOption{Value: k, LabelID: "admin.location.stream_kind." + k})
	}
	return out
}

func screenLayoutOptions() []fieldOption {
	var out []fieldOption
	for _, l := range screenLayouts() {
		out = append(out, fieldOption{Value: l, LabelID: "admin.location.screen.layout." + messageKey(l)})
	}
	return out
}

// panelOptions are the panels a screen can show, in the order it shows them.
func panelOptions() []fieldOption {
	var out []fieldOption
	for _, p := range locations.Panels() {
		out = append(out, fieldOption{Value: p, LabelID: "admin.location.screen.panel." + messageKey(p)})
	}
	return out
}

// panelLabels is how the venue's page lists the panels shown.
func panelLabels(panels []string, label func(string) string) string {
	if len(panels) == 0 {
		return label("none")
	}
	names := make([]string, len(panels))
	for i, p := range panels {
		names[i] = label(p)
	}
	return strings.Join(names, ", ")
}

func locationListSpec() listSpec {
	return listSpec{
		sorts: []string{locationSortPosition, locationSortName, locationSortNameDesc, locationSortEvents, locationSortEventsDesc},
		filters: []listFilterSpec{
			{name: "stream", labelID: "admin.location.stream_kind", options: streamKindOptions(true)},
		},
	}
}

// locationRoutes are the back office's venue routes.
func (s *Server) locationRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/locations", rolesStaff, s.adminLocations},
		{methodsRead, "/admin/locations/new", rolesStaff, s.adminLocationNew},
		{methodsWrite, "/admin/locations", rolesStaff, s.adminLocationCreate},
		{methodsRead, "/admin/locations/:id<int>", rolesStaff, s.adminLocation},
		{methodsWrite, "/admin/locations/:id<int>/theme", rolesStaff, s.adminLocationTheme},
		{methodsWrite, "/admin/locations/:id<int>/token", rolesStaff, s.adminLocationToken},
		{methodsWrite, "/admin/locations/:id<int>/screen-key", rolesStaff, s.adminLocationScreenKey},
		{methodsWrite, "/admin/locations/:id<int>/delete", rolesStaff, s.adminLocationDelete},
	}
}

func (s *Server) adminLocations(c fiber.Ctx) error {
	spec := locationListSpec()
	q := parseList(c, spec)
	lang := langOf(c)
	all, err := s.Locations.AdminList(c.Context(), lang)
	if err != nil {
		return err
	}
	shown := filterLocations(all, q.Q, q.Filters["stream"])
	sortLocations(shown, q.Sort)
	pages := max(1, (len(shown)+locationsPerPage-1)/locationsPerPage)
	q.Page = min(q.Page, pages)
	rows := shown[(q.Page-1)*locationsPerPage : min(q.Page*locationsPerPage, len(shown))]
	l := newAdminList("admin-locations", "/admin/locations", "admin.locations.title", spec, q, len(shown), locationsPerPage, [][2]string{
		{"admin.location.name", locationSortName},
		{"admin.location.slug", ""},
		{"admin.location.events", locationSortEventsDesc},
		{"admin.location.stream_kind", ""},
	})
	l.EmptyID, l.NewURL, l.NewLabel = "admin.list.empty", "/admin/locations/new", s.Bundle.T(lang, "admin.locations.new", nil)
	for _, loc := range rows {
		l.Rows = append(l.Rows, listRow{Cells: []listCell{
			{Text: loc.Name.Value, Href: fmt.Sprintf("/admin/locations/%d", loc.ID)},
			{Text: loc.Slug},
			{Text: strconv.Itoa(loc.EventCount)},
			{Text: s.Bundle.T(lang, "admin.location.stream_kind."+loc.StreamKind, nil)},
		}})
	}
	data := adminListPage{adminBase: s.adminBase(c, "locations", s.Bundle.T(lang, "admin.locations.title", nil)), List: l}
	return s.sendAdminList(c, "admin/locations/index", data)
}

// filterLocations keeps the venues whose name or slug contains q (in any
// case) and whose stream is of kind, "" meaning any.
func filterLocations(all []locations.AdminSummary, q, kind string) []locations.AdminSummary {
	q = strings.ToLower(q)
	var out []locations.AdminSummary
	for _, l := range all {
		if kind != "" && l.StreamKind != kind {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(l.Name.Value), q) && !strings.Contains(l.Slug, q) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// sortLocations orders the list by key; ties keep the display order.
func sortLocations(ls []locations.AdminSummary, key string) {
	byName := func(a, b locations.AdminSummary) int {
		return strings.Compare(strings.ToLower(a.Name.Value), strings.ToLower(b.Name.Value))
	}
	slices.SortStableFunc(ls, func(a, b locations.AdminSummary) int {
		switch key {
		case locationSortName:
			return byName(a, b)
		case locationSortNameDesc:
			return byName(b, a)
		case locationSortEvents:
			return cmp.Compare(a.EventCount, b.EventCount)
		case locationSortEventsDesc:
			return cmp.Compare(b.EventCount, a.EventCount)
		}
		return cmp.Compare(a.Position, b.Position)
	})
}

// locationsEntity is the inline editing of venues.
func (s *Server) locationsEntity() inlineEntity {
	return inlineEntity{
		name: "locations", auditKind: audit.KindLocation, roles: rolesStaff,
		page: locationPath,
		load: func(c fiber.Ctx, id int64) (fieldSet, error) {
			d, err := s.Locations.AdminGet(c.Context(), id)
			if err != nil {
				return fieldSet{}, err
			}
			return s.locationFields(c, d)
		},
		save: func(c fiber.Ctx, a actor.Actor, id int64, version int32, name, value string) error {
			_, err := s.Locations.Patch(c.Context(), a, id, version, name, value)
			return err
		},
	}
}

func locationPath(id int64) string { return fmt.Sprintf("/admin/locations/%d", id) }

// locationTitle is the venue's name in the back office: the default
// language's name, any name, or its slug.
func locationTitle(d locations.Draft, def string) string {
	if n := d.Texts[def].Name; n != "" {
		return n
	}
	for _, lang := range slices.Sorted(maps.Keys(d.Texts)) {
		if n := d.Texts[lang].Name; n != "" {
			return n
		}
	}
	return d.Slug
}

// locationFields lays out a venue's fields edited in place, in the editor's
// language: the general ones, stream and screen settings, then each
// language's text. The theme is not among them: it changes as a whole in
// its own form.
func (s *Server) locationFields(c fiber.Ctx, d locations.Draft) (fieldSet, error) {
	lang := langOf(c)
	background, err := s.mediaField(c, "background", "admin.location.background", d.BackgroundMediaID)
	if err != nil {
		return fieldSet{}, err
	}
	label := func(prefix, v string) string { return s.Bundle.T(lang, prefix+messageKey(v), nil) }
	number := func(n int) string { return strconv.Itoa(n) }
	set := fieldSet{Title: locationTitle(d, s.Bundle.Default()), Version: d.Version}
	set.Fields = []field{
		{Name: "position", LabelID: "admin.location.position", Input: inputNumber, Value: number(d.Position), Required: true},
		background,
		{Name: "teleport_url", LabelID: "admin.location.teleport_url", Input: inputURL, Value: d.TeleportURL, MaxLen: locations.MaxURL},
		{Name: "stream_kind", LabelID: "admin.location.stream_kind", Input: inputSelect, Value: d.StreamKind,
			Display: label("admin.location.stream_kind.", d.StreamKind), Options: streamKindOptions(false), Required: true},
		{Name: "stream_status_url", LabelID: "admin.location.stream_status_url", Input: inputURL, Value: d.StreamStatusURL, MaxLen: locations.MaxURL},
		{Name: "stream_listen_url", LabelID: "admin.location.stream_listen_url", Input: inputURL, Value: d.StreamListenURL, MaxLen: locations.MaxURL},
		{Name: "screen.layout", LabelID: "admin.location.screen.layout", Input: inputSelect, Value: d.Screen.Layout,
			Display: label("admin.location.screen.layout.", d.Screen.Layout), Options: screenLayoutOptions(), Required: true},
		{Name: "screen.days_ahead", LabelID: "admin.location.screen.days_ahead", Input: inputNumber, Value: number(d.Screen.DaysAhead), Required: true},
		{Name: "screen.rotate_seconds", LabelID: "admin.location.screen.rotate_seconds", Input: inputNumber, Value: number(d.Screen.RotateSeconds), Required: true},
		{Name: "screen.panels", LabelID: "admin.location.screen.panels", Input: inputChoices, Value: strings.Join(d.Screen.Panels, ","),
			Display: panelLabels(d.Screen.Panels, func(p string) string { return label("admin.location.screen.panel.", p) }), Options: panelOptions()},
	}
	for _, l := range s.Bundle.Languages() {
		t := d.Texts[l]
		set.Fields = append(set.Fields,
			field{Name: "name." + l, LabelID: "admin.location.name", Lang: l, Input: inputText, Value: t.Name, MaxLen: locations.MaxName, Required: l == s.Bundle.Default()},
			field{Name: "tagline." + l, LabelID: "admin.location.tagline", Lang: l, Input: inputText, Value: t.Tagline, MaxLen: locations.MaxTagline},
			field{Name: "description." + l, LabelID: "admin.location.description", Lang: l, Input: inputTextarea, Value: t.Description, MaxLen: locations.MaxDescription},
			field{Name: "screen.announcements." + l, LabelID: "admin.location.screen.announcements", Lang: l, Input: inputTextarea,
				Value: d.Screen.Announcements[l], MaxLen: locations.MaxAnnouncements * (locations.MaxAnnouncementLine + 1)},
		)
	}
	set.bind("locations", d.ID, s.csrfToken(c), locationPath(d.ID))
	return set, nil
}

// locationAdminPage is the data of a venue's page and its admin-location
// fragment.
type locationAdminPage struct {
	adminBase
	Location  locations.Draft
	Title     string
	PublicURL string
	General   []field
	Stream    []field
	Screen    []field
	Langs     []langFields
	Theme     locationTheme
	Token     locationToken
	ScreenKey locationScreenKey
	Delete    entityDelete
	History   entityHistory
}

func (s *Server) adminLocation(c fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	d, err := s.Locations.AdminGet(c.Context(), id)
	if err != nil {
		return err
	}
	data, err := s.locationPage(c, d)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/locations/show", "admin-location", data)
}

// locationPage lays out d's page with every form in its initial state.
func (s *Server) locationPage(c fiber.Ctx, d locations.Draft) (locationAdminPage, error) {
	set, err := s.locationFields(c, d)
	if err != nil {
		return locationAdminPage{}, err
	}
	history, err := s.Audit.ForEntity(c.Context(), audit.KindLocation, d.ID, historyLength)
	if err != nil {
		return locationAdminPage{}, err
	}
	p := locationAdminPage{
		adminBase: s.adminBase(c, "locations", set.Title),
		Location:  d,
		Title:     set.Title,
		PublicURL: "/locations/" + d.Slug,
		General:   pickFields(set, "position", "background", "teleport_url"),
		Stream:    pickFields(set, "stream_kind", "stream_status_url", "stream_listen_url"),
		Screen:    pickFields(set, "screen.layout", "screen.days_ahead", "screen.rotate_seconds", "screen.panels"),
		Theme:     s.locationTheme(c, d),
		Token:     s.locationToken(c, d, ""),
		ScreenKey: s.locationScreenKey(c, d, ""),
		Delete:    s.entityDelete(c, "locations", d.ID),
		History:   entityHistory{Kind: audit.KindLocation, ID: d.ID, Entries: history, Zone: zoneOf(c)},
	}
	// The fields of no language are in panels of their own.
	_, p.Langs = byLanguage(s.Bundle.Languages(), set.Fields)
	p.follow(live.AdminTopic(live.AdminLocation, d.ID), int64(d.Version))
	return p, nil
}

// locationToken is the data of the admin-location-token fragment: whether
// DJ software can push now-playing, and a new token the one time it is
// shown.
type locationToken struct {
	ID        int64
	CSRF      string
	HasToken  bool
	RotatedAt time.Time
	Zone      i18n.Zone
	// Endpoint is where DJ software sends now-playing with the token.
	Endpoint string
	// Token is set only in the answer to a rotation; it is stored nowhere.
	Token string
	// Polled says the venue's stream server is polled; Health is then how
	// that has gone.
	Polled bool
	Health nowplaying.Health
}

func (s *Server) locationToken(c fiber.Ctx, d locations.Draft, token string) locationToken {
	t := locationToken{
		ID: d.ID, CSRF: s.csrfToken(c), HasToken: d.HasNowPlayingToken, RotatedAt: d.NowPlayingTokenRotatedAt,
		Zone: zoneOf(c), Endpoint: s.absolute("/api/locations/" + d.Slug + "/now-playing"), Token: token,
		Polled: (d.StreamKind == nowplaying.SourceIcecast || d.StreamKind == nowplaying.SourceShoutcast) && d.StreamStatusURL != "",
	}
	if t.Polled {
		// The editor works without it: a Redis hiccup costs the notice,
		// not the page.
		h, err := s.NowPlaying.SourceHealth(c.Context(), d.Slug)
		if err != nil {
			s.logger(c).Warn("stream health unavailable", slog.Any("error", err))
		}
		t.Health = h
	}
	return t
}
