// Package config reads TDC_* settings once at start and validates them, so a
// bad value stops the process with a message naming the variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"golang.org/x/text/language"
)

// Config is the whole configuration of a tdc process.
type Config struct {
	Addr             string         // TDC_ADDR
	DatabaseDSN      string         // TDC_DATABASE_DSN
	RedisURL         string         // TDC_REDIS_URL
	BaseURL          *url.URL       // TDC_BASE_URL
	DefaultLanguage  string         // TDC_DEFAULT_LANGUAGE
	Languages        []string       // TDC_LANGUAGES, default language first
	ClubZone         *time.Location // TDC_CLUB_TIMEZONE
	ClubZoneLabel    string         // TDC_CLUB_TIMEZONE_LABEL
	MigrateOnStart   bool           // TDC_MIGRATE_ON_START
	ShutdownTimeout  time.Duration  // TDC_SHUTDOWN_TIMEOUT
	RequestTimeout   time.Duration  // TDC_REQUEST_TIMEOUT
	PageCacheTTL     time.Duration  // TDC_PAGE_CACHE_TTL
	PageCacheMB      int            // TDC_PAGE_CACHE_MB, MiB
	WSMaxConns       int            // TDC_WS_MAX_CONNS
	WSMaxPerIP       int            // TDC_WS_MAX_PER_IP
	WSCompression    int            // TDC_WS_COMPRESSION: permessage-deflate level, 0 off
	BodyLimit        int            // TDC_BODY_LIMIT, bytes
	TrustedProxies   []string       // TDC_TRUSTED_PROXIES
	LogLevel         slog.Level     // TDC_LOG_LEVEL
	LogFormat        string         // TDC_LOG_FORMAT: text or json
	DBMaxOpenConns   int            // TDC_DB_MAX_OPEN_CONNS
	RedisKeyPrefix   string         // TDC_REDIS_PREFIX
	CookieSecure     bool           // derived: BaseURL is https
	ReadHeaderBudget int            // TDC_HEADER_LIMIT, bytes of request headers
	MetricsToken     string         // TDC_METRICS_TOKEN; empty turns /metrics off
	MediaDir         string         // TDC_MEDIA_DIR
	MediaMaxMB       int            // TDC_MEDIA_MAX_MB, MiB
	MediaMaxPixels   int64          // TDC_MEDIA_MAX_PIXELS
	UploadTimeout    time.Duration  // TDC_UPLOAD_TIMEOUT
	SMTPURL          string         // TDC_SMTP_URL; empty logs mail instead of sending it
	MailFrom         string         // TDC_MAIL_FROM
	SessionIdle      time.Duration  // TDC_SESSION_IDLE
	SessionMaxAge    time.Duration  // TDC_SESSION_MAX_AGE
	SecretKey        string         // TDC_SECRET_KEY; empty: a random key per process
	NowPlayingPoll   time.Duration  // TDC_NOW_PLAYING_POLL
	Jobs             bool           // TDC_JOBS: this instance runs the schedulers
	PatreonSecret    string         // TDC_PATREON_WEBHOOK_SECRET; empty turns the webhook off
	AnnounceDelay    time.Duration  // TDC_ANNOUNCE_DELAY: new-event mail waits this long, except for supporters
	Sync             SyncConfig     // TDC_GOOGLE_*, TDC_FACEBOOK_*, TDC_SYNC_*
}

// SyncConfig is the Google Calendar and Facebook settings. An integration
// whose credentials are empty is off: its job does nothing.
type SyncConfig struct {
	GoogleCredentialsFile string        // TDC_GOOGLE_CREDENTIALS_FILE: service-account JSON key
	GoogleCalendarID      string        // TDC_GOOGLE_CALENDAR_ID
	GoogleAPIURL          string        // TDC_GOOGLE_API_URL: root; calendar/v3/ is appended
	FacebookPageID        string        // TDC_FACEBOOK_PAGE_ID
	FacebookPageToken     string        // TDC_FACEBOOK_PAGE_TOKEN
	FacebookGraphURL      string        // TDC_FACEBOOK_GRAPH_URL
	FacebookAPIVersion    string        // TDC_FACEBOOK_API_VERSION, e.g. v23.0
	Timeout               time.Duration // TDC_SYNC_TIMEOUT: bound of every call to either
	Every                 time.Duration // TDC_SYNC_INTERVAL: how often the sync jobs run
}

// Variable describes one TDC_* variable; the README's table lists the same.
type Variable struct {
	Name, Default, Help string
	Secrecy             Secrecy
}

// Secrecy says how much of a variable's value errors and logs may show.
type Secrecy uint8

// The levels of Secrecy. A new secret variable only needs one of these in
// Variables; bad values and Config.String then keep it out of logs.
const (
	Public      Secrecy = iota // shown as it is
	HasPassword                // a DSN or URL, shown through Redact
	Hidden                     // a token, never shown
)

// Variables lists every setting with its default, in README order.
func Variables() []Variable {
	return []Variable{
		{"TDC_ADDR", ":8080", "host:port to listen on", Public},
		{"TDC_DATABASE_DSN", "root@tcp(127.0.0.1:3306)/tdc", "go-sql-driver/mysql DSN; parseTime, utf8mb4 and UTC are added", HasPassword},
		{"TDC_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL for pub/sub, sessions, locks", HasPassword},
		{"TDC_REDIS_PREFIX", "tdc:", "prefix of every Redis key and channel", Public},
		{"TDC_BASE_URL", "http://localhost:8080", "public URL for links in mail, feeds and screens", Public},
		{"TDC_DEFAULT_LANGUAGE", "en", "language of content fallback and of visitors with no preference", Public},
		{"TDC_LANGUAGES", "en,de", "offered languages, comma-separated", Public},
		{"TDC_CLUB_TIMEZONE", "America/Los_Angeles", "IANA zone the club's times are shown in", Public},
		{"TDC_CLUB_TIMEZONE_LABEL", "SLT", "short name shown after club times, until an admin sets another", Public},
		{"TDC_MIGRATE_ON_START", "true", "serve runs pending migrations before listening", Public},
		{"TDC_SHUTDOWN_TIMEOUT", "15s", "how long SIGTERM waits for in-flight requests", Public},
		{"TDC_REQUEST_TIMEOUT", "5s", "deadline every request carries into services and the database", Public},
		{"TDC_PAGE_CACHE_TTL", "30s", "longest a rendered public page is served from memory", Public},
		{"TDC_PAGE_CACHE_MB", "64", "most memory the page cache holds, in MiB", Public},
		{"TDC_WS_MAX_CONNS", "19500", "most live-update websockets one instance holds (each is a file descriptor)", Public},
		{"TDC_WS_MAX_PER_IP", "20", "most live-update websockets from one client address", Public},
		{"TDC_WS_COMPRESSION", "6", "permessage-deflate level of live-update frames, 1 (fastest) to 9 (smallest); 0 sends them uncompressed", Public},
		{"TDC_BODY_LIMIT", "1048576", "largest request body in bytes", Public},
		{"TDC_HEADER_LIMIT", "16384", "largest request header block in bytes", Public},
		{"TDC_TRUSTED_PROXIES", "", "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed", Public},
		{"TDC_DB_MAX_OPEN_CONNS", "20", "MySQL connection pool size", Public},
		{"TDC_LOG_LEVEL", "info", "debug, info, warn or error", Public},
		{"TDC_LOG_FORMAT", "text", "text or json", Public},
		{"TDC_METRICS_TOKEN", "", "bearer token /metrics asks for; empty turns /metrics off (404)", Hidden},
		{"TDC_MEDIA_DIR", "data/media", "directory uploaded pictures are stored in (shared by all instances)", Public},
		{"TDC_MEDIA_MAX_MB", "20", "largest picture upload, in MiB", Public},
		{"TDC_MEDIA_MAX_PIXELS", "40000000", "largest picture upload, in pixels (width × height)", Public},
		{"TDC_UPLOAD_TIMEOUT", "2m", "how long a picture upload may take to arrive and be processed", Public},
		{"TDC_SMTP_URL", "", "smtp://user:password@host:587 (STARTTLS) or smtps://host:465; empty logs mail instead", HasPassword},
		{"TDC_MAIL_FROM", "noreply@localhost", "sender address of the club's mail", Public},
		{"TDC_SESSION_IDLE", "168h", "a session unused this long ends", Public},
		{"TDC_SESSION_MAX_AGE", "720h", "every session ends this long after sign-in", Public},
		{"TDC_SECRET_KEY", "", "32+ characters that sign CSRF tokens; empty picks a random key per process", Hidden},
		{"TDC_NOW_PLAYING_POLL", "15s", "how often the venues' Icecast/SHOUTcast servers are asked what plays", Public},
		{"TDC_ANNOUNCE_DELAY", "24h", "how long after an event is first published its announcement mail goes to followers; supporters get it at once", Public},
		{"TDC_GOOGLE_CREDENTIALS_FILE", "", "service-account JSON key file for Google Calendar; empty turns the sync off", Public},
		{"TDC_GOOGLE_CALENDAR_ID", "", "the club calendar's id (shared with the service account)", Public},
		{"TDC_GOOGLE_API_URL", "https://www.googleapis.com/", "root URL of the Google APIs (calendar/v3/ is appended)", Public},
		{"TDC_FACEBOOK_PAGE_ID", "", "id of the club's Facebook Page; empty turns posting off", Public},
		{"TDC_FACEBOOK_PAGE_TOKEN", "", "Page access token that may post to the Page", Hidden},
		{"TDC_FACEBOOK_GRAPH_URL", "https://graph.facebook.com", "root URL of the Graph API", Public},
		{"TDC_FACEBOOK_API_VERSION", "v23.0", "Graph API version, vNN.0", Public},
		{"TDC_SYNC_TIMEOUT", "10s", "longest one call to Google or Facebook may take", Public},
		{"TDC_SYNC_INTERVAL", "1m", "how often pending Google Calendar and Facebook work is pushed", Public},
		{"TDC_JOBS", "on", "on: this instance takes part in the scheduled jobs (each run happens on one instance); off: it never runs them", Public},
		{"TDC_PATREON_WEBHOOK_SECRET", "", "the Patreon webhook's secret, which signs each delivery; empty turns /webhooks/patreon off (404)", Hidden},
	}
}

// Load reads the configuration through getenv (os.Getenv, or a lookup that
// also reads .env). Every problem is reported, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	vars := map[string]Variable{}
	for _, v := range Variables() {
		vars[v.Name] = v
	}
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return vars[name].Default
	}
	var c Config
	var errs []error
	// bad must not be given parts of a secret value in args.
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", vars[name].show(get(name)), fmt.Sprintf(format, args...)))
	}

	c.Addr = get("TDC_ADDR")
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("TDC_ADDR", "want host:port, e.g. :8080")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("TDC_ADDR", "port must be a number from 0 to 65535")
	}

	c.DatabaseDSN = get("TDC_DATABASE_DSN")
	// The parser's error may quote the password, so it is not passed on.
	if cfg, err := mysql.ParseDSN(c.DatabaseDSN); err != nil {
		bad("TDC_DATABASE_DSN", "not a go-sql-driver/mysql DSN such as user:password@tcp(host:3306)/tdc "+
			"(address in parentheses, / before the database, parameters URL-escaped)")
	} else if cfg.DBName == "" {
		bad("TDC_DATABASE_DSN", "names no database, e.g. root@tcp(127.0.0.1:3306)/tdc")
	}

	c.RedisURL = get("TDC_REDIS_URL")
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		bad("TDC_REDIS_URL", "want redis://host:port/db")
	}
	c.RedisKeyPrefix = get("TDC_REDIS_PREFIX")

	if u, err := url.Parse(get("TDC_BASE_URL")); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("TDC_BASE_URL", "want an absolute http(s) URL, e.g. https://club.example")
	} else {
		u.Path = strings.TrimRight(u.Path, "/")
		c.BaseURL = u
		c.CookieSecure = u.Scheme == "https"
	}

	c.DefaultLanguage = strings.ToLower(get("TDC_DEFAULT_LANGUAGE"))
	if _, err := language.Parse(c.DefaultLanguage); err != nil {
		bad("TDC_DEFAULT_LANGUAGE", "not a language tag")
	}
	c.Languages = []string{c.DefaultLanguage}
	for _, l := range strings.Split(get("TDC_LANGUAGES"), ",") {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || slices.Contains(c.Languages, l) {
			continue
		}
		if _, err := language.Parse(l); err != nil {
			bad("TDC_LANGUAGES", "%q is not a language tag", l)
			continue
		}
		c.Languages = append(c.Languages, l)
	}

	if loc, err := time.LoadLocation(get("TDC_CLUB_TIMEZONE")); err != nil {
		bad("TDC_CLUB_TIMEZONE", "not an IANA time zone such as America/Los_Angeles")
	} else {
		c.ClubZone = loc
	}
	c.ClubZoneLabel = get("TDC_CLUB_TIMEZONE_LABEL")

	var err error
	if c.MigrateOnStart, err = strconv.ParseBool(get("TDC_MIGRATE_ON_START")); err != nil {
		bad("TDC_MIGRATE_ON_START", "want true or false")
	}
	duration := func(name string, min, max time.Duration) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d < min || d > max {
			bad(name, "want a duration from %s to %s, e.g. 15s", min, max)
		}
		return d
	}
	c.ShutdownTimeout = duration("TDC_SHUTDOWN_TIMEOUT", time.Second, 10*time.Minute)
	c.RequestTimeout = duration("TDC_REQUEST_TIMEOUT", 100*time.Millisecond, 5*time.Minute)
	c.PageCacheTTL = duration("TDC_PAGE_CACHE_TTL", 0, time.Hour)
	integer := func(name string, min, max int) int {
		n, err := strconv.Atoi(get(name))
		if err != nil || n < min || n > max {
			bad(name, "want a whole number from %d to %d", min, max)
		}
		return n
	}
	c.BodyLimit = integer("TDC_BODY_LIMIT", 1024, 1<<30)
	c.ReadHeaderBudget = integer("TDC_HEADER_LIMIT", 1024, 1<<20)
	c.DBMaxOpenConns = integer("TDC_DB_MAX_OPEN_CONNS", 1, 1000)
	c.PageCacheMB = integer("TDC_PAGE_CACHE_MB", 1, 65536)
	c.WSMaxConns = integer("TDC_WS_MAX_CONNS", 1, 10_000_000)
	c.WSMaxPerIP = integer("TDC_WS_MAX_PER_IP", 1, 1_000_000)
	c.WSCompression = integer("TDC_WS_COMPRESSION", 0, 9)

	if v := get("TDC_TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if net.ParseIP(p) == nil {
				if _, _, err := net.ParseCIDR(p); err != nil {
					bad("TDC_TRUSTED_PROXIES", "%q is neither an IP nor a CIDR", p)
					continue
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}

	if err := c.LogLevel.UnmarshalText([]byte(get("TDC_LOG_LEVEL"))); err != nil {
		bad("TDC_LOG_LEVEL", "want debug, info, warn or error")
	}
	c.LogFormat = get("TDC_LOG_FORMAT")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("TDC_LOG_FORMAT", "want text or json")
	}

	c.MetricsToken = get("TDC_METRICS_TOKEN")
	if c.MetricsToken != "" && !validToken(c.MetricsToken) {
		bad("TDC_METRICS_TOKEN", "want at least %d printable ASCII characters without spaces, or nothing to turn /metrics off", minTokenLen)
	}

	c.MediaDir = get("TDC_MEDIA_DIR")
	c.MediaMaxMB = integer("TDC_MEDIA_MAX_MB", 1, 1024)
	c.MediaMaxPixels = int64(integer("TDC_MEDIA_MAX_PIXELS", 1, 400_000_000))
	c.UploadTimeout = duration("TDC_UPLOAD_TIMEOUT", time.Second, time.Hour)
	c.SMTPURL = get("TDC_SMTP_URL")
	if c.SMTPURL != "" {
		// The parser's error may quote the password, so it is not passed on.
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			bad("TDC_SMTP_URL", "want smtp://user:password@host:587 or smtps://host:465, or nothing to log mail instead")
		}
	}
	c.MailFrom = get("TDC_MAIL_FROM")
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		bad("TDC_MAIL_FROM", "want an address such as club@example.org or \"The Club <club@example.org>\"")
	}
	c.SessionIdle = duration("TDC_SESSION_IDLE", 5*time.Minute, 90*24*time.Hour)
	c.SessionMaxAge = duration("TDC_SESSION_MAX_AGE", time.Hour, 366*24*time.Hour)
	if c.SessionMaxAge < c.SessionIdle {
		bad("TDC_SESSION_MAX_AGE", "must not be shorter than TDC_SESSION_IDLE")
	}
	c.SecretKey = get("TDC_SECRET_KEY")
	if c.SecretKey != "" && (len(c.SecretKey) < minSecretLen || !validToken(c.SecretKey)) {
		bad("TDC_SECRET_KEY", "want at least %d printable ASCII characters without spaces, e.g. from `openssl rand -base64 48`", minSecretLen)
	}

	c.NowPlayingPoll = duration("TDC_NOW_PLAYING_POLL", time.Second, time.Hour)
	c.PatreonSecret = get("TDC_PATREON_WEBHOOK_SECRET")
	if c.PatreonSecret != "" && !validToken(c.PatreonSecret) {
		bad("TDC_PATREON_WEBHOOK_SECRET", "want the webhook's secret as Patreon shows it (%d+ printable characters without spaces), or nothing to turn the webhook off", minTokenLen)
	}
	c.AnnounceDelay = duration("TDC_ANNOUNCE_DELAY", 0, 30*24*time.Hour)
	c.Sync = loadSync(get, bad, duration)
	switch get("TDC_JOBS") {
	case "on":
		c.Jobs = true
	case "off":
	default:
		bad("TDC_JOBS", "want on or off")
	}

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
}

var graphVersion = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]$`)

// loadSync reads the Google Calendar and Facebook settings: each
// integration is configured completely or not at all.
func loadSync(get func(string) string, bad func(name, format string, args ...any),
	duration func(string, time.Duration, time.Duration) time.Duration) SyncConfig {
	s := SyncConfig{
		GoogleCredentialsFile: get("TDC_GOOGLE_CREDENTIALS_FILE"), GoogleCalendarID: get("TDC_GOOGLE_CALENDAR_ID"),
		GoogleAPIURL: get("TDC_GOOGLE_API_URL"), FacebookPageID: get("TDC_FACEBOOK_PAGE_ID"),
		FacebookPageToken: get("TDC_FACEBOOK_PAGE_TOKEN"), FacebookGraphURL: get("TDC_FACEBOOK_GRAPH_URL"),
		FacebookAPIVersion: get("TDC_FACEBOOK_API_VERSION"),
		Timeout:            duration("TDC_SYNC_TIMEOUT", 100*time.Millisecond, 5*time.Minute),
		Every:              duration("TDC_SYNC_INTERVAL", time.Second, 24*time.Hour),
	}
	if (s.GoogleCredentialsFile == "") != (s.GoogleCalendarID == "") {
		bad("TDC_GOOGLE_CALENDAR_ID", "set both TDC_GOOGLE_CREDENTIALS_FILE and TDC_GOOGLE_CALENDAR_ID, or neither")
	}
	if (s.FacebookPageID == "") != (s.FacebookPageToken == "") {
		bad("TDC_FACEBOOK_PAGE_ID", "set both TDC_FACEBOOK_PAGE_ID and TDC_FACEBOOK_PAGE_TOKEN, or neither")
	}
	if s.FacebookPageID != "" && strings.Trim(s.FacebookPageID, "0123456789") != "" {
		bad("TDC_FACEBOOK_PAGE_ID", "want the Page's numeric id")
	}
	for _, name := range []string{"TDC_GOOGLE_API_URL", "TDC_FACEBOOK_GRAPH_URL"} {
		if u, err := url.Parse(get(name)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(name, "want an http(s) URL")
		}
	}
	if !graphVersion.MatchString(s.FacebookAPIVersion) {
		bad("TDC_FACEBOOK_API_VERSION", "want a version such as v23.0")
	}
	return s
}

// GoogleOn reports whether the Google Calendar sync is configured.
func (s SyncConfig) GoogleOn() bool { return s.GoogleCredentialsFile != "" }

// FacebookOn reports whether posting to Facebook is configured.
func (s SyncConfig) FacebookOn() bool { return s.FacebookPageID != "" }

// String shows the configuration with secrets masked, for the start-up log.
func (c Config) String() string {
	base := ""
	if c.BaseURL != nil {
		base = c.BaseURL.String()
	}
	zone := ""
	if c.ClubZone != nil {
		zone = c.ClubZone.String()
	}
	return fmt.Sprintf("addr=%s db=%s redis=%s base_url=%s languages=%s zone=%s(%s) migrate_on_start=%t "+
		"request_timeout=%s page_cache_mb=%d metrics=%t jobs=%t now_playing_poll=%s",
		c.Addr, Redact(c.DatabaseDSN), Redact(c.RedisURL), base, strings.Join(c.Languages, ","), zone, c.ClubZoneLabel,
		c.MigrateOnStart, c.RequestTimeout, c.PageCacheMB, c.MetricsToken != "", c.Jobs, c.NowPlayingPoll)
}

// show is how errors name v with its value: NAME="value", NAME="user:xxxxx@…"
// or only NAME.
func (v Variable) show(value string) string {
	switch v.Secrecy {
	case Public:
		return fmt.Sprintf("%s=%q", v.Name, value)
	case HasPassword:
		return fmt.Sprintf("%s=%q", v.Name, Redact(value))
	default:
		return v.Name
	}
}

// minTokenLen keeps a metrics token out of reach of guessing.
const minTokenLen = 16

// minSecretLen is the shortest TDC_SECRET_KEY: 32 characters carry enough
// entropy for an HMAC key.
const minSecretLen = 32

func validToken(s string) bool {
	if len(s) < minTokenLen {
		return false
	}
	for i := range len(s) {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// urlScheme matches the start of a URL, so Redact looks for the password
// after "scheme://" and not at the scheme's colon.
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// Redact masks the password in a go-sql-driver/mysql DSN
// (user:password@tcp(host:3306)/db) or a URL (redis://user:password@host/0).
// It does not parse: the password is whatever lies between the first colon
// (after "scheme://") and the last "@", which covers passwords holding "@",
// ":" or "/" and values too malformed to parse, at the price of masking too
// much when an "@" follows the address.
func Redact(value string) string {
	rest := value
	if m := urlScheme.FindString(value); m != "" {
		rest = value[len(m):]
	}
	colon := strings.IndexByte(rest, ':')
	at := strings.LastIndexByte(rest, '@')
	if colon < 0 || at <= colon+1 {
		return value
	}
	head := value[:len(value)-len(rest)+colon+1]
	return head + "xxxxx" + rest[at:]
}
