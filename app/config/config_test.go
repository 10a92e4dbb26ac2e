package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	require.NoError(t, err)
	require.Equal(t, ":8080", c.Addr)
	require.Equal(t, "root@tcp(127.0.0.1:3306)/tdc", c.DatabaseDSN)
	require.Equal(t, "redis://127.0.0.1:6379/0", c.RedisURL)
	require.Equal(t, "http://localhost:8080", c.BaseURL.String())
	require.Equal(t, []string{"en", "de"}, c.Languages)
	require.Equal(t, "America/Los_Angeles", c.ClubZone.String())
	require.Equal(t, "SLT", c.ClubZoneLabel)
	require.True(t, c.MigrateOnStart)
	require.Equal(t, 15*time.Second, c.ShutdownTimeout)
	require.False(t, c.CookieSecure)
}

func TestLoadEveryVariableHasADefaultThatLoads(t *testing.T) {
	t.Parallel()
	kv := map[string]string{}
	for _, v := range Variables() {
		require.True(t, strings.HasPrefix(v.Name, "TDC_"), v.Name)
		kv[v.Name] = v.Default
	}
	_, err := Load(env(kv))
	require.NoError(t, err)
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, variable, value, want string
	}{
		{"addr without port", "TDC_ADDR", "localhost", "TDC_ADDR"},
		{"addr bad port", "TDC_ADDR", ":99999", "TDC_ADDR"},
		{"dsn garbage", "TDC_DATABASE_DSN", "not a dsn", "TDC_DATABASE_DSN"},
		{"dsn without db", "TDC_DATABASE_DSN", "root@tcp(127.0.0.1:3306)/", "names no database"},
		{"redis scheme", "TDC_REDIS_URL", "http://127.0.0.1:6379", "TDC_REDIS_URL"},
		{"base url relative", "TDC_BASE_URL", "/club", "TDC_BASE_URL"},
		{"zone unknown", "TDC_CLUB_TIMEZONE", "Mars/Olympus", "TDC_CLUB_TIMEZONE"},
		{"language garbage", "TDC_LANGUAGES", "en,!!", "TDC_LANGUAGES"},
		{"bool", "TDC_MIGRATE_ON_START", "maybe", "TDC_MIGRATE_ON_START"},
		{"duration", "TDC_SHUTDOWN_TIMEOUT", "soon", "TDC_SHUTDOWN_TIMEOUT"},
		{"body limit tiny", "TDC_BODY_LIMIT", "10", "TDC_BODY_LIMIT"},
		{"proxy", "TDC_TRUSTED_PROXIES", "10.0.0.1,nope", "TDC_TRUSTED_PROXIES"},
		{"log level", "TDC_LOG_LEVEL", "loud", "TDC_LOG_LEVEL"},
		{"log format", "TDC_LOG_FORMAT", "xml", "TDC_LOG_FORMAT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(map[string]string{tc.variable: tc.value}))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestStringHidesSecrets(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"TDC_DATABASE_DSN": "tdc:hunter2@tcp(db:3306)/tdc",
		"TDC_REDIS_URL":    "redis://:sekrit@cache:6379/0",
	}))
	require.NoError(t, err)
	s := c.String()
	require.NotContains(t, s, "hunter2")
	require.NotContains(t, s, "sekrit")
	require.Contains(t, s, "db:3306")
}
