package config

import (
	"os"
	"regexp"
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
	require.Equal(t, 5*time.Second, c.RequestTimeout)
	require.Equal(t, 64, c.PageCacheMB)
	require.Equal(t, 19500, c.WSMaxConns)
	require.Equal(t, 20, c.WSMaxPerIP)
	require.Equal(t, 6, c.WSCompression)
	require.Empty(t, c.MetricsToken)
	require.False(t, c.CookieSecure)
	require.Equal(t, 15*time.Second, c.NowPlayingPoll)
	require.True(t, c.Jobs)
}

func TestLoadAccepts(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"TDC_REQUEST_TIMEOUT":  "100ms",
		"TDC_PAGE_CACHE_MB":    "65536",
		"TDC_METRICS_TOKEN":    "0123456789abcdef",
		"TDC_NOW_PLAYING_POLL": "1s",
		"TDC_JOBS":             "off",
	}))
	require.NoError(t, err)
	require.Equal(t, time.Second, c.NowPlayingPoll)
	require.False(t, c.Jobs)
	require.Equal(t, 100*time.Millisecond, c.RequestTimeout)
	require.Equal(t, 65536, c.PageCacheMB)
	require.Equal(t, "0123456789abcdef", c.MetricsToken)
	require.NotContains(t, c.String(), "0123456789abcdef")
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
		{"request timeout too short", "TDC_REQUEST_TIMEOUT", "99ms", "TDC_REQUEST_TIMEOUT"},
		{"request timeout too long", "TDC_REQUEST_TIMEOUT", "5m1s", "TDC_REQUEST_TIMEOUT"},
		{"page cache zero", "TDC_PAGE_CACHE_MB", "0", "TDC_PAGE_CACHE_MB"},
		{"page cache huge", "TDC_PAGE_CACHE_MB", "65537", "TDC_PAGE_CACHE_MB"},
		{"websockets zero", "TDC_WS_MAX_CONNS", "0", "TDC_WS_MAX_CONNS"},
		{"websockets not a number", "TDC_WS_MAX_CONNS", "many", "TDC_WS_MAX_CONNS"},
		{"websockets per address negative", "TDC_WS_MAX_PER_IP", "-1", "TDC_WS_MAX_PER_IP"},
		{"websocket compression too high", "TDC_WS_COMPRESSION", "10", "TDC_WS_COMPRESSION"},
		{"websocket compression negative", "TDC_WS_COMPRESSION", "-1", "TDC_WS_COMPRESSION"},
		{"metrics token short", "TDC_METRICS_TOKEN", "short", "TDC_METRICS_TOKEN"},
		{"body limit tiny", "TDC_BODY_LIMIT", "10", "TDC_BODY_LIMIT"},
		{"proxy", "TDC_TRUSTED_PROXIES", "10.0.0.1,nope", "TDC_TRUSTED_PROXIES"},
		{"log level", "TDC_LOG_LEVEL", "loud", "TDC_LOG_LEVEL"},
		{"log format", "TDC_LOG_FORMAT", "xml", "TDC_LOG_FORMAT"},
		{"poll too often", "TDC_NOW_PLAYING_POLL", "500ms", "TDC_NOW_PLAYING_POLL"},
		{"poll garbage", "TDC_NOW_PLAYING_POLL", "often", "TDC_NOW_PLAYING_POLL"},
		{"jobs", "TDC_JOBS", "maybe", "TDC_JOBS"},
		{"patreon secret short", "TDC_PATREON_WEBHOOK_SECRET", "short", "TDC_PATREON_WEBHOOK_SECRET"},
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

func TestVariablesMarkSecrets(t *testing.T) {
	t.Parallel()
	want := map[string]Secrecy{"TDC_DATABASE_DSN": HasPassword, "TDC_REDIS_URL": HasPassword, "TDC_METRICS_TOKEN": Hidden,
		"TDC_SMTP_URL": HasPassword, "TDC_SECRET_KEY": Hidden, "TDC_PATREON_WEBHOOK_SECRET": Hidden,
		"TDC_FACEBOOK_PAGE_TOKEN": Hidden}
	for _, v := range Variables() {
		require.Equal(t, want[v.Name], v.Secrecy, v.Name)
	}
}

// TestLoadNeverShowsSecrets feeds values holding a password to Load: the
// error must name the variable and neither it nor String may show the password.
func TestLoadNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	const pw = "s3cr3t-PW"
	cases := []struct {
		name, variable, value string
		ok                    bool
	}{
		{"dsn valid", "TDC_DATABASE_DSN", "tdc:" + pw + "@tcp(db:3306)/tdc", true},
		{"dsn password with @ and :", "TDC_DATABASE_DSN", "tdc:" + pw + "@:x@tcp(db:3306)/tdc", true},
		{"dsn password with /", "TDC_DATABASE_DSN", "tdc:" + pw + "/x@tcp(db:3306)/tdc?parseTime=true", true},
		{"dsn without slash", "TDC_DATABASE_DSN", "tdc:" + pw + "@tcp(db:3306", false},
		{"dsn address not closed", "TDC_DATABASE_DSN", "tdc:" + pw + "@tcp(db:3306/tdc", false},
		{"dsn without database", "TDC_DATABASE_DSN", "tdc:" + pw + "@tcp(db:3306)/", false},
		{"dsn bad parameter", "TDC_DATABASE_DSN", "tdc:" + pw + "@tcp(db:3306)/tdc?parseTime=maybe", false},
		{"dsn unescaped parameter", "TDC_DATABASE_DSN", "tdc:" + pw + "@tcp(db:3306)/tdc?x=a/b", false},
		{"dsn bad escape", "TDC_DATABASE_DSN", "tdc:" + pw + "@tcp(db:3306)/tdc?x=%zz", false},
		{"dsn password only", "TDC_DATABASE_DSN", ":" + pw + "@/", false},
		{"redis valid", "TDC_REDIS_URL", "redis://tdc:" + pw + "@cache:6379/0", true},
		{"redis password only", "TDC_REDIS_URL", "redis://:" + pw + "@cache:6379/0", true},
		{"redis port not a number", "TDC_REDIS_URL", "redis://u:" + pw + "@host:notaport", false},
		{"redis password with /", "TDC_REDIS_URL", "redis://u:" + pw + "/x@cache:6379", false},
		{"redis password with #", "TDC_REDIS_URL", "redis://u:" + pw + "#x@cache:6379", false},
		{"redis wrong scheme", "TDC_REDIS_URL", "http://u:" + pw + "@cache:6379", false},
		{"redis without host", "TDC_REDIS_URL", "redis://u:" + pw + "@", false},
		{"redis without scheme", "TDC_REDIS_URL", "u:" + pw + "@cache:6379", false},
		{"redis bad escape", "TDC_REDIS_URL", "redis://u:" + pw + "%zz@cache:6379/0", false},
		{"token valid", "TDC_METRICS_TOKEN", pw + "-0123456789", true},
		{"token short", "TDC_METRICS_TOKEN", pw, false},
		{"token with space", "TDC_METRICS_TOKEN", pw + " 0123456789", false},
		{"token with control", "TDC_METRICS_TOKEN", pw + "\x010123456789", false},
		{"token not ascii", "TDC_METRICS_TOKEN", pw + "-é-0123456789", false},
		{"patreon secret valid", "TDC_PATREON_WEBHOOK_SECRET", pw + "-0123456789", true},
		{"patreon secret short", "TDC_PATREON_WEBHOOK_SECRET", pw, false},
		{"patreon secret with space", "TDC_PATREON_WEBHOOK_SECRET", pw + " 0123456789", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(map[string]string{tc.variable: tc.value}))
			if tc.ok {
				require.NoError(t, err)
				require.NotContains(t, c.String(), pw)
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.variable)
			require.NotContains(t, err.Error(), pw)
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"dsn", "tdc:pw@tcp(db:3306)/tdc", "tdc:xxxxx@tcp(db:3306)/tdc"},
		{"dsn without password", "root@tcp(127.0.0.1:3306)/tdc", "root@tcp(127.0.0.1:3306)/tdc"},
		{"dsn empty password", "root:@tcp(db:3306)/tdc", "root:@tcp(db:3306)/tdc"},
		{"dsn password with @ and :", "tdc:p@s:s@tcp(db:3306)/tdc", "tdc:xxxxx@tcp(db:3306)/tdc"},
		{"dsn without slash", "tdc:pw@tcp(db:3306", "tdc:xxxxx@tcp(db:3306"},
		{"dsn unix socket", "tdc:pw@unix(/run/my:sql.sock)/tdc", "tdc:xxxxx@unix(/run/my:sql.sock)/tdc"},
		{"dsn without user", "tcp(db:3306)/tdc", "tcp(db:3306)/tdc"},
		{"url", "redis://u:pw@cache:6379/0", "redis://u:xxxxx@cache:6379/0"},
		{"url password only", "redis://:pw@cache", "redis://:xxxxx@cache"},
		{"url without userinfo", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"},
		{"url user only", "redis://u@cache:6379", "redis://u@cache:6379"},
		{"url bad port", "redis://u:pw@host:notaport", "redis://u:xxxxx@host:notaport"},
		{"url password with / and @", "rediss://u:p/w@x@cache", "rediss://u:xxxxx@cache"},
		{"dsn password looking like a scheme", "u:p://w@tcp(db)/tdc", "u:xxxxx@tcp(db)/tdc"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Redact(tc.in))
		})
	}
}

// The README's configuration table lists every variable with its default,
// in the order Variables gives, so the documentation cannot drift.
func TestREADMEListsEveryVariable(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `(TDC_[A-Z_]+)` \\| ([^|]*) \\|")
	var names []string
	defaults := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		names = append(names, m[1])
		defaults[m[1]] = strings.TrimSpace(m[2])
	}
	var want []string
	for _, v := range Variables() {
		want = append(want, v.Name)
		shown := "`" + v.Default + "`"
		if v.Default == "" {
			shown = "(none)"
		}
		require.Equal(t, shown, defaults[v.Name], "README default of %s", v.Name)
	}
	require.Equal(t, want, names)
}

// Each integration is configured completely or not at all, and a partial
// or malformed setting names its variable.
func TestLoadSync(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want string // "" for no error
	}{
		{"none", map[string]string{}, ""},
		{"both", map[string]string{"TDC_GOOGLE_CREDENTIALS_FILE": "k.json", "TDC_GOOGLE_CALENDAR_ID": "c@group", "TDC_FACEBOOK_PAGE_ID": "123", "TDC_FACEBOOK_PAGE_TOKEN": "tok"}, ""},
		{"google key only", map[string]string{"TDC_GOOGLE_CREDENTIALS_FILE": "k.json"}, "TDC_GOOGLE_CALENDAR_ID"},
		{"page id only", map[string]string{"TDC_FACEBOOK_PAGE_ID": "123"}, "TDC_FACEBOOK_PAGE_ID"},
		{"page id not numeric", map[string]string{"TDC_FACEBOOK_PAGE_ID": "club", "TDC_FACEBOOK_PAGE_TOKEN": "tok"}, "numeric"},
		{"bad version", map[string]string{"TDC_FACEBOOK_API_VERSION": "23"}, "TDC_FACEBOOK_API_VERSION"},
		{"bad graph url", map[string]string{"TDC_FACEBOOK_GRAPH_URL": "graph"}, "TDC_FACEBOOK_GRAPH_URL"},
		{"bad google url", map[string]string{"TDC_GOOGLE_API_URL": "ftp://x"}, "TDC_GOOGLE_API_URL"},
		{"timeout too long", map[string]string{"TDC_SYNC_TIMEOUT": "1h"}, "TDC_SYNC_TIMEOUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(func(k string) string { return tc.env[k] })
			if tc.want != "" {
				require.ErrorContains(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.env["TDC_GOOGLE_CALENDAR_ID"] != "", c.Sync.GoogleOn())
			require.Equal(t, tc.env["TDC_FACEBOOK_PAGE_ID"] != "", c.Sync.FacebookOn())
			require.Equal(t, 10*time.Second, c.Sync.Timeout)
		})
	}
}
