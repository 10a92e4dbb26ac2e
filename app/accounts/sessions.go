package accounts

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session is a signed-in browser. ID is the sha256 of the id in the
// cookie: Redis holds only hashes, so reading Redis does not give anyone a
// session to use.
type Session struct {
	ID        string
	UserID    int64
	CreatedAt time.Time
	LastSeen  time.Time
}

// touchEvery bounds how often a session's last-seen time is written: every
// request would be a write for nothing.
const touchEvery = time.Minute

// SessionID is the id under which the session with cookie value raw is
// stored.
func SessionID(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func (s *Service) sessionKey(id string) string { return s.prefix + "session:" + id }
func (s *Service) userSessionsKey(uid int64) string {
	return s.prefix + "user_sessions:" + strconv.FormatInt(uid, 10)
}

// startSession creates a session for userID and returns the id for the
// cookie. old, a session id the browser had, is ended: a sign-in always
// gets a new id, so an id planted before it is worth nothing after.
func (s *Service) startSession(ctx context.Context, userID int64, old string) (string, error) {
	raw := randomString()
	id := SessionID(raw)
	now := s.now().Unix()
	pipe := s.rdb.TxPipeline()
	if wellFormed(old) {
		pipe.Del(ctx, s.sessionKey(SessionID(old)))
	}
	pipe.HSet(ctx, s.sessionKey(id), "uid", userID, "created", now, "seen", now)
	pipe.Expire(ctx, s.sessionKey(id), s.idle)
	pipe.SAdd(ctx, s.userSessionsKey(userID), id)
	pipe.Expire(ctx, s.userSessionsKey(userID), s.maxAge)
	if _, err := pipe.Exec(ctx); err != nil {
		return "", fmt.Errorf("accounts: start session for %d: %w", userID, err)
	}
	return raw, nil
}

// Session returns the user signed in with cookie value raw and the session.
// An unknown, idle or too old session, or one whose user is gone or
// disabled, is ErrNoSession (and is removed).
func (s *Service) Session(ctx context.Context, raw string) (User, Session, error) {
	if !wellFormed(raw) {
		return User{}, Session{}, ErrNoSession
	}
	id := SessionID(raw)
	key := s.sessionKey(id)
	vals, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return User{}, Session{}, fmt.Errorf("accounts: read session: %w", err)
	}
	uid, err1 := strconv.ParseInt(vals["uid"], 10, 64)
	created, err2 := strconv.ParseInt(vals["created"], 10, 64)
	seen, err3 := strconv.ParseInt(vals["seen"], 10, 64)
	if len(vals) == 0 || err1 != nil || err2 != nil || err3 != nil {
		return User{}, Session{}, ErrNoSession
	}
	sess := Session{ID: id, UserID: uid, CreatedAt: time.Unix(created, 0).UTC(), LastSeen: time.Unix(seen, 0).UTC()}
	now := s.now()
	if now.Sub(sess.CreatedAt) >= s.maxAge || now.Sub(sess.LastSeen) >= s.idle {
		return User{}, Session{}, s.dropSession(ctx, id)
	}
	row, err := s.q.UserGetSession(ctx, uid)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, Session{}, s.dropSession(ctx, id)
	}
	if err != nil {
		return User{}, Session{}, fmt.Errorf("accounts: read session user %d: %w", uid, err)
	}
	if row.User.DisabledAt.Valid {
		return User{}, Session{}, s.dropSession(ctx, id)
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		// Idle time-out counts from now, but never past the absolute end.
		ttl := min(s.idle, sess.CreatedAt.Add(s.maxAge).Sub(now))
		pipe := s.rdb.TxPipeline()
		pipe.HSet(ctx, key, "seen", now.Unix())
		pipe.Expire(ctx, key, ttl)
		if _, err := pipe.Exec(ctx); err != nil {
			return User{}, Session{}, fmt.Errorf("accounts: touch session: %w", err)
		}
		sess.LastSeen = now.UTC().Truncate(time.Second)
	}
	u := toUser(row.User)
	u.Supporter = row.Supporter
	return u, sess, nil
}

// dropSession removes session id and returns ErrNoSession, or the error
// removing it gave.
func (s *Service) dropSession(ctx context.Context, id string) error {
	if err := s.rdb.Del(ctx, s.sessionKey(id)).Err(); err != nil {
		return fmt.Errorf("accounts: drop session: %w", err)
	}
	return ErrNoSession
}

// EndSession signs out the browser with cookie value raw.
func (s *Service) EndSession(ctx context.Context, raw string) error {
	if !wellFormed(raw) {
		return nil
	}
	if err := s.rdb.Del(ctx, s.sessionKey(SessionID(raw))).Err(); err != nil {
		return fmt.Errorf("accounts: end session: %w", err)
	}
	return nil
}

// SignOutEverywhere ends every session of the user.
func (s *Service) SignOutEverywhere(ctx context.Context, userID int64) error {
	return s.signOutExcept(ctx, userID, "")
}

// signOutExcept ends every session of the user but keep (a session ID).
func (s *Service) signOutExcept(ctx context.Context, userID int64, keep string) error {
	setKey := s.userSessionsKey(userID)
	ids, err := s.rdb.SMembers(ctx, setKey).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("accounts: list sessions of %d: %w", userID, err)
	}
	pipe := s.rdb.TxPipeline()
	for _, id := range ids {
		if id == keep {
			continue
		}
		pipe.Del(ctx, s.sessionKey(id))
		pipe.SRem(ctx, setKey, id)
	}
	if _, err := pipe.Exec(ctx); err != nil && len(ids) > 0 {
		return fmt.Errorf("accounts: end sessions of %d: %w", userID, err)
	}
	return nil
}
