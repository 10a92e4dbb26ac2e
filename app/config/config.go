// Package config reads TDC_* settings once at start and validates them, so a
// bad value stops the process with a message naming the variable.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
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
	PageCacheTTL     time.Duration  // TDC_PAGE_CACHE_TTL
	BodyLimit        int            // TDC_BODY_LIMIT, bytes
	TrustedProxies   []string       // TDC_TRUSTED_PROXIES
	LogLevel         slog.Level     // TDC_LOG_LEVEL
	LogFormat        string         // TDC_LOG_FORMAT: text or json
	DBMaxOpenConns   int            // TDC_DB_MAX_OPEN_CONNS
	RedisKeyPrefix   string         // TDC_REDIS_PREFIX
	CookieSecure     bool           // derived: BaseURL is https
	ReadHeaderBudget int            // TDC_HEADER_LIMIT, bytes of request headers
}

// Variable describes one TDC_* variable; the README's table lists the same.
type Variable struct {
	Name, Default, Help string
}

// Variables lists every setting with its default, in README order.
func Variables() []Variable {
	return []Variable{
		{"TDC_ADDR", ":8080", "host:port to listen on"},
		{"TDC_DATABASE_DSN", "root@tcp(127.0.0.1:3306)/tdc", "go-sql-driver/mysql DSN; parseTime, utf8mb4 and UTC are added"},
		{"TDC_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL for pub/sub, sessions, locks"},
		{"TDC_REDIS_PREFIX", "tdc:", "prefix of every Redis key and channel"},
		{"TDC_BASE_URL", "http://localhost:8080", "public URL for links in mail, feeds and screens"},
		{"TDC_DEFAULT_LANGUAGE", "en", "language of content fallback and of visitors with no preference"},
		{"TDC_LANGUAGES", "en,de", "offered languages, comma-separated"},
		{"TDC_CLUB_TIMEZONE", "America/Los_Angeles", "IANA zone the club's times are shown in"},
		{"TDC_CLUB_TIMEZONE_LABEL", "SLT", "short name shown after club times"},
		{"TDC_MIGRATE_ON_START", "true", "serve runs pending migrations before listening"},
		{"TDC_SHUTDOWN_TIMEOUT", "15s", "how long SIGTERM waits for in-flight requests"},
		{"TDC_PAGE_CACHE_TTL", "30s", "longest a rendered public page is served from memory"},
		{"TDC_BODY_LIMIT", "1048576", "largest request body in bytes"},
		{"TDC_HEADER_LIMIT", "16384", "largest request header block in bytes"},
		{"TDC_TRUSTED_PROXIES", "", "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed"},
		{"TDC_DB_MAX_OPEN_CONNS", "20", "MySQL connection pool size"},
		{"TDC_LOG_LEVEL", "info", "debug, info, warn or error"},
		{"TDC_LOG_FORMAT", "text", "text or json"},
	}
}

// Load reads the configuration through getenv (os.Getenv, or a lookup that
// also reads .env). Every problem is reported, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Variables() {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	var c Config
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s=%q: %s", name, get(name), fmt.Sprintf(format, args...)))
	}

	c.Addr = get("TDC_ADDR")
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("TDC_ADDR", "want host:port, e.g. :8080")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("TDC_ADDR", "port must be a number from 0 to 65535")
	}

	c.DatabaseDSN = get("TDC_DATABASE_DSN")
	if cfg, err := mysql.ParseDSN(c.DatabaseDSN); err != nil {
		bad("TDC_DATABASE_DSN", "not a go-sql-driver/mysql DSN: %v", err)
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

	if len(errs) > 0 {
		return Config{}, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
}

// String shows the configuration with secrets (passwords in DSN and Redis
// URL) masked, for the start-up log.
func (c Config) String() string {
	dsn := c.DatabaseDSN
	if cfg, err := mysql.ParseDSN(dsn); err == nil && cfg.Passwd != "" {
		cfg.Passwd = "xxxxx"
		dsn = cfg.FormatDSN()
	}
	redisURL := c.RedisURL
	if u, err := url.Parse(redisURL); err == nil {
		redisURL = u.Redacted()
	}
	base := ""
	if c.BaseURL != nil {
		base = c.BaseURL.String()
	}
	zone := ""
	if c.ClubZone != nil {
		zone = c.ClubZone.String()
	}
	return fmt.Sprintf("addr=%s db=%s redis=%s base_url=%s languages=%s zone=%s(%s) migrate_on_start=%t",
		c.Addr, dsn, redisURL, base, strings.Join(c.Languages, ","), zone, c.ClubZoneLabel, c.MigrateOnStart)
}
