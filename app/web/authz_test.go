package web_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// TestAdminAuthorisation walks every back-office route, as listed in the
// route table, with every role and as a visitor. A route registered under
// /admin but missing from the table fails, so none escapes the matrix.
func TestAdminAuthorisation(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	const password = "correct horse battery"
	sessions := map[actor.Role]*testenv.Session{}
	for _, r := range actor.Roles() {
		o := testenv.UserOpts{Role: r, Password: password}
		if r == actor.RoleArtist {
			o.ArtistID = testenv.Artist(t, db.New(sqlDB), testenv.ArtistOpts{}).ID
		}
		u := testenv.User(t, sqlDB, o)
		sess := testenv.SignIn(t, srv, u.Email, password)
		sessions[r] = &sess
	}
	visitor := testenv.Visit(t, srv)

	table := srv.AdminAccess()
	listed := map[string]bool{}
	for _, r := range table {
		for _, m := range r.Methods {
			listed[m+" "+r.Path] = true
		}
	}
	for _, r := range srv.App.GetRoutes(true) {
		if (r.Path == "/admin" || strings.HasPrefix(r.Path, "/admin/")) && !listed[r.Method+" "+r.Path] {
			t.Errorf("%s %s is registered but not in the admin route table", r.Method, r.Path)
		}
	}

	for _, r := range table {
		path := fillParams(r.Path)
		for _, m := range r.Methods {
			t.Run(m+" "+r.Path, func(t *testing.T) {
				res := visitor.Do(t, srv, visitor.Request(m, path, nil))
				switch m {
				case fiber.MethodGet, fiber.MethodHead:
					require.Equal(t, http.StatusSeeOther, res.StatusCode, "a visitor is sent to sign in")
					require.True(t, strings.HasPrefix(res.Header.Get("Location"), "/login?next="), res.Header.Get("Location"))
				default:
					require.Equal(t, http.StatusUnauthorized, res.StatusCode, "a visitor may not write")
				}
				for _, role := range actor.Roles() {
					sess := sessions[role]
					res := sess.Do(t, srv, sess.Request(m, path, nil))
					if slices.Contains(r.Roles, role) {
						require.NotContains(t, []int{401, 403}, res.StatusCode, "%s may use it", role)
					} else {
						require.Equal(t, http.StatusForbidden, res.StatusCode, "%s may not use it", role)
					}
					require.Equal(t, "private, no-store", res.Header.Get("Cache-Control"), "%s", role)
				}
			})
		}
	}
}

var (
	param       = regexp.MustCompile(`:[a-z]+(<[^>]*>)?`)
	alternative = regexp.MustCompile(`<regex\(([a-z_-]+)`)
)

// fillParams puts values into a route's parameters: ids that match nothing
// (so a write that gets through changes nothing) and a real field name.
func fillParams(path string) string {
	return param.ReplaceAllStringFunc(path, func(p string) string {
		switch {
		case strings.HasPrefix(p, ":id"), strings.HasSuffix(p, "<int>"):
			return "987654321"
		case p == ":field":
			return "title.en"
		case alternative.MatchString(p):
			return alternative.FindStringSubmatch(p)[1] // the first value the route takes
		}
		return "x"
	})
}
