package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// A form nobody has submitted shows no error: no empty message, no field
// marked invalid (a template that indexes the errors map gets a zero
// message for every field, which `with` takes as present).
func TestUntouchedFormsShowNoErrors(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	sqlDB := testenv.DB(t)
	u := testenv.User(t, sqlDB, testenv.UserOpts{Role: actor.RoleAdmin})
	sess := testenv.SignIn(t, srv, u.Email, testenv.DefaultPassword)
	ev := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{})
	for _, path := range []string{"/admin/events/new", fmt.Sprintf("/admin/events/%d", ev.ID), "/admin/locations/new",
		"/admin/artists/new", "/admin/blog/new", fmt.Sprintf("/admin/users/%d", u.ID)} {
		res := sess.Do(t, srv, sess.Request(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.NotContains(t, res.Body, `class="field__error"`, path)
		require.NotContains(t, res.Body, `aria-invalid="true"`, path)
	}
}
