package web

import (
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/locations"
)

// locationScreenKey is the data of the admin-location-screen-key fragment:
// the screen's address, whether it needs a key, and the address with a new
// key the one time it is shown (only the key's hash is kept).
type locationScreenKey struct {
	ID     int64
	CSRF   string
	HasKey bool
	URL    string
	// KeyURL is set only in the answer that set a new key.
	KeyURL string
}

func (s *Server) locationScreenKey(c fiber.Ctx, d locations.Draft, key string) locationScreenKey {
	k := locationScreenKey{ID: d.ID, CSRF: s.csrfToken(c), HasKey: d.Screen.HasKey, URL: s.absolute("/screens/" + d.Slug)}
	if key != "" {
		k.KeyURL = k.URL + "?" + url.Values{"key": {key}}.Encode()
	}
	return k
}

// adminLocationScreenKey sets a new screen key (action "set") or makes the
// screen public (action "clear"). Like the now-playing token, a new key is
// in this answer and nowhere else, so there is no redirect after it.
func (s *Server) adminLocationScreenKey(c fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx, a := c.Context(), s.actor(c)
	var key string
	switch c.FormValue("action") {
	case "set":
		key, err = s.Locations.SetScreenKey(ctx, a, id)
	case "clear":
		err = s.Locations.ClearScreenKey(ctx, a, id)
	default:
		return fiber.NewError(fiber.StatusBadRequest, "action must be set or clear")
	}
	if err != nil {
		return err
	}
	d, err := s.Locations.AdminGet(ctx, id)
	if err != nil {
		return err
	}
	k := s.locationScreenKey(c, d, key)
	if isPartial(c) {
		return s.fragmentWithHistory(c, "admin-location-screen-key", k, audit.KindLocation, id)
	}
	data, err := s.locationPage(c, d)
	if err != nil {
		return err
	}
	data.ScreenKey = k
	return s.adminPage(c, fiber.StatusOK, "admin/locations/show", "", data)
}
