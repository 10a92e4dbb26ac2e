package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
)

// Users in the back office, for admins only: a list with search and a role
// filter, and a page per user with their role (and, for artists, the
// artist profile they own), disabling and enabling, signing out every
// session, and the history. The accounts service checks the actor again
// for every write and refuses anyone's change to their own role or
// account; the page says so rather than offering what would be refused.

// userRoutes are the back office's user routes.
func (s *Server) userRoutes() []adminRoute {
	return []adminRoute{
		{methodsRead, "/admin/users", rolesAdmin, s.adminUsers},
		{methodsRead, "/admin/users/:id<int>", rolesAdmin, s.adminUser},
		{methodsWrite, "/admin/users/:id<int>/role", rolesAdmin, s.adminUserRole},
		{methodsWrite, "/admin/users/:id<int>/:action<regex(disable|enable|signout)>", rolesAdmin, s.adminUserAction},
	}
}

// usersPerPage is the length of a page of the user list.
const usersPerPage = 50

// userSortNewest is the list's default order, which the service calls "".
const userSortNewest = "created"

func userListSpec() listSpec {
	roles := []fieldOption{{Value: "", LabelID: "admin.list.any"}}
	for _, r := range actor.Roles() {
		roles = append(roles, fieldOption{Value: string(r), LabelID: "admin.user.role." + string(r)})
	}
	return listSpec{
		sorts:   []string{userSortNewest, "email", "name", "login"},
		filters: []listFilterSpec{{name: "role", labelID: "admin.user.role", options: roles}},
	}
}

func userPath(id int64) string { return fmt.Sprintf("/admin/users/%d", id) }

type usersAdminPage struct {
	adminBase
	List adminList
}

func (s *Server) adminUsers(c fiber.Ctx) error {
	spec := userListSpec()
	q := parseList(c, spec)
	lang, z := langOf(c), zoneOf(c)
	f := accounts.UserFilter{Q: q.Q, Role: actor.Role(q.Filters["role"]), Page: q.Page, PerPage: usersPerPage, Sort: q.Sort}
	if f.Sort == userSortNewest {
		f.Sort = ""
	}
	page, err := s.Accounts.List(c.Context(), f)
	if err != nil {
		return err
	}
	if page.Page > page.Pages {
		// Past the end, as the other lists do, show the last page.
		f.Page = page.Pages
		if page, err = s.Accounts.List(c.Context(), f); err != nil {
			return err
		}
	}
	q.Page = page.Page
	l := newAdminList("admin-users", "/admin/users", "admin.users.title", spec, q, page.Total, page.PerPage, [][2]string{
		{"admin.user.email", "email"},
		{"admin.user.name", "name"},
		{"admin.user.role", ""},
		{"admin.user.status", ""},
		{"admin.user.last_login", "login"},
		{"admin.user.created", userSortNewest},
	})
	l.EmptyID = "admin.list.empty"
	for _, u := range page.Users {
		status, badge := userBadge(u)
		login := s.Bundle.T(lang, "admin.user.never", nil)
		if !u.LastLoginAt.IsZero() {
			login = s.Bundle.When(lang, u.LastLoginAt, z)
		}
		l.Rows = append(l.Rows, listRow{Cells: []listCell{
			{Text: u.Email, Href: userPath(u.ID)},
			{Text: u.DisplayName},
			{Text: s.Bundle.T(lang, "admin.user.role."+string(u.Role), nil)},
			{Text: s.Bundle.T(lang, status, nil), Badge: badge},
			{Text: login},
			{Text: s.Bundle.When(lang, u.CreatedAt, z)},
		}})
	}
	data := usersAdminPage{adminBase: s.adminBase(c, "users", s.Bundle.T(lang, "admin.users.title", nil)), List: l}
	return s.listPage(c, "admin/users/index", data, l)
}

// userBadge names a user's state and its badge.
func userBadge(u accounts.User) (msgID, badge string) {
	switch {
	case u.Disabled:
		return "admin.user.status.disabled", "disabled"
	case !u.EmailVerified:
		return "admin.user.status.unverified", "unverified"
	}
	return "admin.user.status.active", "active"
}

// userAdminPage is the data of a user's page and of the admin-user fragment.
type userAdminPage struct {
	adminBase
	User        accounts.User
	Self        bool
	StatusID    string
	Badge       string
	ArtistName  string
	Role        userRoleForm
	History     entityHistory
	NoticeID    string
	ActionError *apperr.Message
}

// userRoleForm is the data of the admin-user-role fragment.
type userRoleForm struct {
	UserID   int64
	CSRF     string
	Self     bool
	Role     string
	ArtistID string
	Roles    []fieldOption
	Artists  []fieldOption
	Errors   fieldErrors
}

// userNotices are what a finished action says, by the done= of the page's
// address after a plain form's redirect.
var userNotices = map[string]string{
	"role":    "admin.user.notice.role",
	"disable": "admin.user.notice.disable",
	"enable":  "admin.user.notice.enable",
	"signout": "admin.user.notice.signout",
}

func (s *Server) adminUser(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	return s.showUser(c, id, c.Query("done"), "")
}

// showUser sends user id's page (or its fragment), saying what was done.
func (s *Server) showUser(c fiber.Ctx, id int64, done, fragment string) error {
	u, err := s.Accounts.Get(c.Context(), id)
	if err != nil {
		return err
	}
	data, err := s.userPage(c, u)
	if err != nil {
		return err
	}
	data.NoticeID = userNotices[done]
	return s.adminPage(c, fiber.StatusOK, "admin/users/show", fragment, data)
}

func (s *Server) userPage(c fiber.Ctx, u accounts.User) (userAdminPage, error) {
	ctx := c.Context()
	history, err := s.Audit.ForEntity(ctx, audit.KindUser, u.ID, historyLength)
	if err != nil {
		return userAdminPage{}, err
	}
	artists, err := s.allArtists(c)
	if err != nil {
		return userAdminPage{}, err
	}
	self := s.actor(c).UserID == u.ID
	status, badge := userBadge(u)
	p := userAdminPage{
		adminBase: s.adminBase(c, "users", u.Name()),
		User:      u, Self: self, StatusID: status, Badge: badge,
		History: entityHistory{Kind: audit.KindUser, ID: u.ID, Entries: history, Zone: zoneOf(c)},
		Role: userRoleForm{
			UserID: u.ID, CSRF: s.csrfToken(c), Self: self, Role: string(u.Role), Artists: artists,
		},
	}
	if u.ArtistID != 0 {
		p.Role.ArtistID = strconv.FormatInt(u.ArtistID, 10)
		p.ArtistName = "#" + p.Role.ArtistID
		for _, a := range artists {
			if a.Value == p.Role.ArtistID {
				p.ArtistName = a.Label
			}
		}
	}
	for _, r := range actor.Roles() {
		p.Role.Roles = append(p.Role.Roles, fieldOption{Value: string(r), LabelID: "admin.user.role." + string(r)})
	}
	return p, nil
}

// adminUserRole gives a user a role, and an artist role the artist
// profile it owns. Refusals show in the form: a rule broken (422), or the
// admin's own account, which nobody may change the role of (403).
func (s *Server) adminUserRole(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx, a := c.Context(), s.actor(c)
	u, err := s.Accounts.Get(ctx, id)
	if err != nil {
		return err
	}
	role, artist := c.FormValue("role"), strings.TrimSpace(c.FormValue("artist"))
	errs := map[string]apperr.Message{}
	var artistID int64
	if artist != "" {
		if artistID, err = strconv.ParseInt(artist, 10, 64); err != nil || artistID <= 0 {
			errs["artist"] = apperr.Message{ID: "error.account.artist_unknown"}
		}
	}
	status := fiber.StatusOK
	if len(errs) == 0 {
		err = s.Accounts.SetRole(ctx, a, id, actor.Role(role), artistID)
		switch inv, ok := errors.AsType[*apperr.Invalid](err); {
		case ok:
			errs, err = inv.Fields, nil
		case errors.Is(err, apperr.ErrForbidden) && a.UserID == id:
			errs["role"], err = apperr.Message{ID: "admin.user.own_role"}, nil
			status = fiber.StatusForbidden
		}
		if err != nil {
			return err
		}
	}
	if len(errs) > 0 && status == fiber.StatusOK {
		status = fiber.StatusUnprocessableEntity
	}
	if status == fiber.StatusOK {
		return s.userDone(c, id, "role")
	}
	data, err := s.userPage(c, u)
	if err != nil {
		return err
	}
	// The form keeps what the admin chose.
	data.Role.Role, data.Role.ArtistID, data.Role.Errors = role, artist, errs
	return s.adminPage(c, status, "admin/users/show", "admin-user", data)
}

// adminUserAction disables or enables a user's account, or ends all their
// sessions.
func (s *Server) adminUserAction(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx, a, action := c.Context(), s.actor(c), c.Params("action")
	u, err := s.Accounts.Get(ctx, id)
	if err != nil {
		return err
	}
	switch action {
	case "disable":
		err = s.Accounts.Disable(ctx, a, id)
	case "enable":
		err = s.Accounts.Enable(ctx, a, id)
	case "signout":
		err = s.Accounts.SignOutEverywhere(ctx, id)
	default:
		return fiber.ErrNotFound
	}
	if errors.Is(err, apperr.ErrForbidden) && a.UserID == id {
		data, perr := s.userPage(c, u)
		if perr != nil {
			return perr
		}
		data.ActionError = &apperr.Message{ID: "admin.user.own_account"}
		return s.adminPage(c, fiber.StatusForbidden, "admin/users/show", "admin-user", data)
	}
	if err != nil {
		return err
	}
	return s.userDone(c, id, action)
}

// userDone answers a change to a user: their page again, saying what was
// done (the fragment for htmx, a redirect for a plain form).
func (s *Server) userDone(c fiber.Ctx, id int64, done string) error {
	if !isPartial(c) {
		return c.Redirect().Status(fiber.StatusSeeOther).To(userPath(id) + "?done=" + done)
	}
	return s.showUser(c, id, done, "admin-user")
}
