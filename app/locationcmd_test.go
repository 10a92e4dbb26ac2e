package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
)

// `tdc location token SLUG` prints a working token and retires the one
// before it.
func TestLocationTokenCommand(t *testing.T) {
	t.Parallel()
	dsn, sqlDB := testenv.ScratchDB(t, "loccmd")
	rdb, prefix := testenv.Redis(t)
	loc := testenv.Location(t, db.New(sqlDB), testenv.LocationOpts{StreamKind: db.LocationsStreamKindPush})
	e := env(map[string]string{"TDC_DATABASE_DSN": dsn, "TDC_REDIS_URL": testenv.RedisURL(), "TDC_REDIS_PREFIX": prefix})
	token := func() string {
		t.Helper()
		var out bytes.Buffer
		require.NoError(t, run(t.Context(), []string{"location", "token", loc.Slug}, e, &out, io.Discard))
		tok := strings.TrimSpace(out.String())
		require.Len(t, tok, 43, "32 random bytes, base64url")
		return tok
	}
	first := token()
	second := token()
	require.NotEqual(t, first, second)

	cfg, err := config.Load(e)
	require.NoError(t, err)
	srv := testenv.Build(t, cfg, sqlDB, rdb, time.Now().UTC())
	pushWith := func(tok string) int {
		req := httptest.NewRequest(http.MethodPost, "/api/locations/"+loc.Slug+"/now-playing", strings.NewReader(`{"artist":"Nyx Calloway","title":"Deep Blue"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := srv.App.Test(req)
		require.NoError(t, err)
		return res.StatusCode
	}
	require.Equal(t, http.StatusUnauthorized, pushWith(first), "the old token stopped working")
	require.Equal(t, http.StatusOK, pushWith(second))

	var stderr bytes.Buffer
	require.ErrorContains(t, run(t.Context(), []string{"location", "token", "atlantis"}, e, io.Discard, &stderr), `no venue with slug "atlantis"`)
	require.ErrorContains(t, run(t.Context(), []string{"location", "token"}, e, io.Discard, &stderr), "say token SLUG")
	require.ErrorContains(t, run(t.Context(), []string{"location", "rename", loc.Slug}, e, io.Discard, &stderr), "say token SLUG")
	require.Contains(t, stderr.String(), "usage:")
}
