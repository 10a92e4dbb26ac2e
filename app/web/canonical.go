package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/apperr"
)

// Each page has one address. Paths are cleaned by the canonicalPath
// middleware; here are the rules for slugs and queries.

// maxSlug is the longest slug the schema allows.
const maxSlug = 150

// movedTo says a page lives at another path: its slug was spelled another
// way (accents, a padded space) that the database's collation matched.
// Handlers return it from a page load; it is never cached.
type movedTo struct{ path string }

func (m movedTo) Error() string { return "moved to " + m.path }

// redirectOr turns movedTo into a permanent redirect and passes any other
// error on.
func redirectOr(c fiber.Ctx, err error) error {
	if m, ok := errors.AsType[movedTo](err); ok {
		c.Locals(localRoute, "redirect")
		return movedPermanently(c, m.path)
	}
	return err
}

// slugParam returns the route's :slug, or apperr.ErrNotFound for a value no
// slug can be (too long, not UTF-8), which then never reaches the database.
func slugParam(c fiber.Ctx) (string, error) {
	slug := c.Params("slug")
	if !validSlugValue(slug) {
		return "", fmt.Errorf("web: slug %.40q: %w", slug, apperr.ErrNotFound)
	}
	return slug, nil
}

func validSlugValue(s string) bool {
	return s != "" && len(s) <= maxSlug && utf8.ValidString(s) && !strings.ContainsAny(s, "\x00/")
}

// canonicalSlug checks that a found row's slug is the one asked for, and
// otherwise says where the page lives.
func canonicalSlug(asked, found, prefix string) error {
	if asked != found {
		return movedTo{prefix + found}
	}
	return nil
}

// parseQuery reads a query string as browsers, proxies and marketing tools
// send it, tolerating anything in parameters we do not use: a ";", a
// broken "%" escape or a name that is not UTF-8 never causes an error.
// bad names the parameters whose value had a broken escape, so a handler
// can refuse a value of its own with a reason.
func parseQuery(raw string) (q url.Values, bad map[string]bool) {
	q = url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			continue // none of our parameters has such a name
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			if bad == nil {
				bad = map[string]bool{}
			}
			bad[name] = true
			continue
		}
		q[name] = append(q[name], value)
	}
	return q, bad
}
