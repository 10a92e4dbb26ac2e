package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/settings"
)

// Settings and feature flags, for admins only. Each setting is a field
// edited in place, with its label and help text; each flag a switch. The
// settings service stores them, checks the actor again, and makes every
// instance see a change within moments.
//
// The inline machinery addresses a field as /admin/{entity}/{id}/fields/
// {name} with an integer id, and keeps one version per id; settings are
// keyed by name and each has a version of its own. So each setting is an
// entity of one field: its id is its 1-based position in the service's
// list, its field name is the setting's name. The position is stable for
// a given configuration, and if the list ever changed under an open form
// (the offered languages changed), the name in the address would no
// longer match the id and the save would be a 404, never a write to
// another setting. A setting's version is 0 until it is first stored,
// while the machinery wants a positive one, so the form carries the
// stored version plus one. A keyed variant of the machinery would have
// meant changing its routes, its load/save signatures and every entity.

// settingsRoutes are the back office's settings routes; the fields'
// routes come with the inline entity.
func (s *Server) settingsRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/settings", rolesAdmin, s.adminSettings},
		{methodsWrite, "/admin/settings/flags", rolesAdmin, s.adminFlagSet},
	}
}

const settingsPath = "/admin/settings"

// settingPath is setting id's place on the settings' page.
func settingPath(id int64) string { return fmt.Sprintf("%s#setting-%d", settingsPath, id) }

// settingsEntity is the inline editing of settings, one entity per
// setting (see above).
func (s *Server) settingsEntity() inlineEntity {
	return inlineEntity{
		name: "settings", auditKind: audit.KindSetting, keyless: true, roles: rolesAdmin,
		page: settingPath,
		load: func(c fiber.Ctx, id int64) (fieldSet, error) {
			entries, err := s.Settings.List(c.Context())
			if err != nil {
				return fieldSet{}, err
			}
			if id < 1 || id > int64(len(entries)) {
				return fieldSet{}, fmt.Errorf("web: setting %d: %w", id, apperr.ErrNotFound)
			}
			f := s.settingField(c, id, entries[id-1])
			return fieldSet{Title: s.Bundle.T(langOf(c), f.LabelID, nil), Version: f.Version, Fields: []field{f}}, nil
		},
		save: func(c fiber.Ctx, a actor.Actor, _ int64, version int32, name, value string) error {
			_, err := s.Settings.Set(c.Context(), a, name, int(version)-1, value)
			return err
		},
	}
}

// settingField is setting e, the id-th, as an inline field.
func (s *Server) settingField(c fiber.Ctx, id int64, e settings.Entry) field {
	f := field{
		Entity: "settings", ID: id, Name: e.Name, LabelID: s.settingLabelID(langOf(c), e), Lang: e.Lang,
		Input: inputText, Value: e.Value, Required: e.Required,
		Version: int32(e.Version) + 1, CSRF: s.csrfToken(c), Page: settingPath(id),
	}
	switch e.Kind {
	case settings.KindMinutes:
		f.Input = inputNumber
	case settings.KindURL:
		f.Input, f.MaxLen = inputURL, settings.MaxURL
	}
	switch base := strings.TrimSuffix(e.Name, "."+e.Lang); base {
	case settings.ClubName:
		f.MaxLen = settings.MaxClubName
	case settings.ClubTagline:
		f.MaxLen = settings.MaxTagline
	case settings.ZoneLabel:
		f.MaxLen = settings.MaxZoneLabel
	}
	return f
}

// settingLabelID names setting e's field. The service's labels take
// arguments (the language, the network), which a field's label cannot
// pass; the language shows beside the label anyway, so such a setting is
// named by a message of its own, "admin.setting.<name without language>",
// and the service's label, arguments and all, is in its help text.
func (s *Server) settingLabelID(lang string, e settings.Entry) string {
	if len(e.Label.Args) == 0 {
		return e.Label.ID
	}
	id := "admin.setting." + strings.TrimSuffix(e.Name, "."+e.Lang)
	if s.Bundle.Has(lang, id) {
		return id
	}
	return "admin.setting.other"
}

// settingsAdminPage is the data of the settings' page.
type settingsAdminPage struct {
	adminBase
	Settings []settingRow
	Flags    []flagToggle
	// History is every setting's and flag's changes: their entries carry
	// no entity id, so it is the kind's.
	History entityHistory
}

// settingRow is the data of the admin-setting fragment: a setting's field
// with its help and who last changed it.
type settingRow struct {
	ID    int64
	Field field
	Help  apperr.Message
	// Default is the value in force while none is stored.
	Default       string
	UpdatedByName string
	UpdatedAt     time.Time
	Zone          i18n.Zone
}

// flagToggle is the data of the admin-setting-flag fragment: a feature
// flag and the button that switches it.
type flagToggle struct {
	Name  string
	DOMID string
	// TitleID and HelpID name and explain a flag the code knows; a flag
	// only the database knows shows its name and stored description.
	TitleID, HelpID string
	Description     string
	Enabled         bool
	Version         int
	CSRF            string
	UpdatedByName   string
	UpdatedAt       time.Time
	Zone            i18n.Zone
	Error           *apperr.Message
}

func (s *Server) adminSettings(c fiber.Ctx) error {
	data, err := s.settingsPage(c)
	if err != nil {
		return err
	}
	return s.adminPage(c, fiber.StatusOK, "admin/settings/index", "", data)
}

func (s *Server) settingsPage(c fiber.Ctx) (settingsAdminPage, error) {
	ctx := c.Context()
	entries, err := s.Settings.List(ctx)
	if err != nil {
		return settingsAdminPage{}, err
	}
	flags, err := s.Settings.Flags(ctx)
	if err != nil {
		return settingsAdminPage{}, err
	}
	history, err := s.Audit.ForEntity(ctx, audit.KindSetting, 0, historyLength)
	if err != nil {
		return settingsAdminPage{}, err
	}
	p := settingsAdminPage{
		adminBase: s.adminBase(c, "settings", s.Bundle.T(langOf(c), "admin.settings.title", nil)),
		History:   entityHistory{Kind: audit.KindSetting, Entries: history, Zone: zoneOf(c)},
	}
	for i, e := range entries {
		id := int64(i + 1)
		p.Settings = append(p.Settings, settingRow{
			ID: id, Field: s.settingField(c, id, e), Help: e.Help, Default: e.Default,
			UpdatedByName: e.UpdatedByName, UpdatedAt: e.UpdatedAt, Zone: zoneOf(c),
		})
	}
	var version int64
	for _, e := range entries {
		version += int64(e.Version)
	}
	for _, f := range flags {
		p.Flags = append(p.Flags, s.flagToggle(c, f))
		version += int64(f.Version)
	}
	// The same sum as settingsVersion, from what the page already read.
	p.follow(live.TopicAdminSettings, version)
	return p, nil
}

func (s *Server) flagToggle(c fiber.Ctx, f settings.Flag) flagToggle {
	t := flagToggle{
		Name: f.Name, DOMID: flagDOMID(f.Name), Description: f.Description, Enabled: f.Enabled, Version: f.Version,
		CSRF: s.csrfToken(c), UpdatedByName: f.UpdatedByName, UpdatedAt: f.UpdatedAt, Zone: zoneOf(c),
	}
	if id := "admin.flag." + f.Name; s.Bundle.Has(langOf(c), id) {
		t.TitleID, t.HelpID = id, id+".help"
	}
	return t
}

// flagDOMID is the id of a flag's element: its name with anything but
// letters and digits made a dash, so it is a plain CSS selector too.
func flagDOMID(name string) string {
	return "flag-" + strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, name)
}

// maxFlagName bounds the flag name a form may send.
const maxFlagName = 100

// adminFlagSet switches a feature flag to the form's state, if the flag is
// still at the form's version; else it shows the flag as it is now (409),
// to switch again if still wanted.
func (s *Server) adminFlagSet(c fiber.Ctx) error {
	name := c.FormValue("name")
	if name == "" || len(name) > maxFlagName || !utf8.ValidString(name) {
		return badRequest("admin.error.flag_name", nil)
	}
	version, err := strconv.Atoi(c.FormValue("version"))
	if err != nil || version < 0 {
		return badRequest("error.request.version_missing", nil)
	}
	var enabled bool
	switch c.FormValue("enabled") {
	case "true":
		enabled = true
	case "false":
	default:
		return badRequest("admin.error.flag_state", nil)
	}
	ctx := c.Context()
	_, err = s.Settings.SetFlag(ctx, s.actor(c), name, version, enabled)
	conflict := errors.Is(err, apperr.ErrConflict)
	if err != nil && !conflict {
		return err
	}
	if !conflict && !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(settingsPath + "#" + flagDOMID(name))
	}
	data, err := s.settingsPage(c)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	var toggle flagToggle
	for i := range data.Flags {
		if data.Flags[i].Name == name {
			if conflict {
				status = fiber.StatusConflict
				data.Flags[i].Error = &apperr.Message{ID: "admin.flag.conflict"}
			}
			toggle = data.Flags[i]
		}
	}
	if toggle.Name == "" {
		return fmt.Errorf("web: flag %q gone: %w", name, apperr.ErrNotFound)
	}
	if isPartial(c) {
		if conflict {
			return s.adminFragment(c, status, "admin-setting-flag", toggle)
		}
		return s.fragmentWithHistory(c, "admin-setting-flag", toggle, audit.KindSetting, 0)
	}
	return s.adminPage(c, status, "admin/settings/index", "", data)
}
