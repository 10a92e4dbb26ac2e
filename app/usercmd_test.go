package main

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/accounts"
	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/mail"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/locales"
	"github.com/dreamerscave/tdc/views/emails"
)

// `tdc user create|role|reset` against a database of the test's own.
func TestUserCommands(t *testing.T) {
	t.Parallel()
	dsn, sqlDB := testenv.ScratchDB(t, "usercmd")
	require.NoError(t, testenv.Seed(t, sqlDB, time.Now().UTC()))
	vars := map[string]string{"TDC_DATABASE_DSN": dsn, "TDC_REDIS_URL": testenv.RedisURL(), "TDC_REDIS_PREFIX": "tdc_test_usercmd:"}
	run := func(password string, args ...string) (string, error) {
		e := map[string]string{}
		for k, v := range vars {
			e[k] = v
		}
		if password != "" {
			e["TDC_PASSWORD"] = password
		}
		var out bytes.Buffer
		err := run(t.Context(), append([]string{"user"}, args...), env(e), &out, io.Discard)
		return out.String(), err
	}

	// Without TDC_PASSWORD and without a terminal (go test's stdin is not
	// one), it says how to give the password rather than wait.
	_, err := run("", "create", "--email", "boss@example.org", "--role", "admin")
	require.ErrorContains(t, err, "TDC_PASSWORD")

	out, err := run("the boss's long password", "create", "--email", "Boss@Example.org", "--role", "admin", "--name", "The Boss")
	require.NoError(t, err)
	require.Contains(t, out, "<boss@example.org> with role admin")
	_, err = run("the boss's long password", "create", "--email", "boss@example.org", "--role", "admin")
	require.ErrorContains(t, err, "An account with this address exists already.")
	_, err = run("short", "create", "--email", "x@example.org", "--role", "member")
	require.ErrorContains(t, err, "--password: Use at least 10 characters.")
	_, err = run("long enough pw", "create", "--email", "x@example.org", "--role", "root")
	require.ErrorContains(t, err, "There is no such role.")
	_, err = run("long enough pw", "create", "--email", "dj@example.org", "--role", "artist")
	require.ErrorContains(t, err, "An artist account needs the artist profile")
	out, err = run("long enough pw", "create", "--email", "dj@example.org", "--role", "artist", "--artist", "nyx-calloway")
	require.NoError(t, err, out)
	_, err = run("long enough pw", "create", "--email", "dj2@example.org", "--role", "artist", "--artist", "nobody")
	require.ErrorContains(t, err, "no such user or artist")
	_, err = run("", "create", "--role", "admin")
	require.ErrorContains(t, err, "--email is required")

	out, err = run("", "role", "--email", "dj@example.org", "--role", "editor")
	require.NoError(t, err)
	require.Contains(t, out, "now has role editor")
	_, err = run("", "role", "--email", "ghost@example.org", "--role", "editor")
	require.ErrorContains(t, err, "no such user")

	svc := accounts.New(sqlDB, nil, accounts.Options{Languages: []string{"en", "de"}, Emails: emails.FS, Locales: locales.FS, Mail: mail.NewLog(testenv.Logger(t))})
	dj, err := svc.GetByEmail(t.Context(), "dj@example.org")
	require.NoError(t, err)
	require.Equal(t, actor.RoleEditor, dj.Role)
	require.Zero(t, dj.ArtistID)
	require.True(t, dj.EmailVerified, "an admin vouches for the address")

	_, err = run("", "reset", "--email", "boss@example.org")
	require.ErrorContains(t, err, "TDC_PASSWORD")
	out, err = run("a fresh long password", "reset", "--email", "boss@example.org")
	require.NoError(t, err)
	require.Contains(t, out, "signed out")
	_, err = run("", "dance")
	require.ErrorContains(t, err, "--email is required")
	_, err = run("", "dance", "--email", "a@example.org")
	require.ErrorContains(t, err, "unknown command")
	_, err = run("")
	require.ErrorContains(t, err, "create, role or reset")
}
