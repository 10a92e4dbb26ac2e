package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
)

// Registration is what a visitor signs up with. Language and TimeZone are
// the ones they browse in; IP counts sign-ups against the rate limit.
type Registration struct {
	Email, Password, DisplayName string
	Language, TimeZone           string
	IP                           string
}

// Register signs a visitor up. Whatever the outcome (a new account, or an
// address already registered), it does the same work and returns nil, and
// one mail goes to the address: a link to verify it, or a note that it has
// an account already. Only invalid input and the rate limit are errors.
func (s *Service) Register(ctx context.Context, in Registration) error {
	email := normalEmail(in.Email)
	name := strings.TrimSpace(in.DisplayName)
	v := apperr.NewInvalid()
	checkEmail(v, "email", email)
	checkPasswordRules(v, "password", in.Password, email)
	checkDisplayName(v, "display_name", name)
	if err := v.Err(); err != nil {
		return err
	}
	lang := in.Language
	if lang == "" || !checkOK(func(v *apperr.Invalid) { checkLanguage(v, "", lang, s.langs) }) {
		lang = s.defaultLang()
	}
	zone := canonicalZone(apperr.NewInvalid(), "", in.TimeZone)
	if err := s.allow(ctx, "signup:ip:"+in.IP, limitSignUpIP); err != nil {
		return err
	}
	// Hashed before looking: an address that exists costs the same time.
	hash, err := hashPassword(in.Password)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	var existing *db.User
	var token string
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		row, err := q.UserGetByEmail(ctx, email)
		if err == nil {
			existing = &row
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("accounts: look up sign-up address: %w", err)
		}
		id, err := q.UserInsert(ctx, db.UserInsertParams{
			Email: email, PasswordHash: sql.NullString{String: hash, Valid: true}, DisplayName: name,
			Role: db.UsersRoleMember, Language: lang, TimeZone: zone, CreatedAt: now,
		})
		if err != nil {
			return fmt.Errorf("accounts: insert user: %w", err)
		}
		token, err = s.issueToken(ctx, q, id, db.UserTokensPurposeVerify, VerifyTTL)
		return err
	})
	if isMySQL(err, errDuplicateKey) {
		// The same address signed up at the same moment (a double
		// submit): the first request sends the mail.
		return nil
	}
	if err != nil {
		return err
	}
	if existing != nil {
		u := toUser(*existing)
		s.sendLater(u.Email, u.Language, "signup-exists", emailData{
			Name: u.Name(), Link: s.baseURL + "/login", ResetLink: s.baseURL + "/reset",
		})
		return nil
	}
	s.sendLater(email, lang, "verify", emailData{
		Name: nameOr(name, email), Link: s.baseURL + "/verify?token=" + token, Hours: int(VerifyTTL.Hours()),
	})
	return nil
}

func nameOr(name, email string) string {
	if name != "" {
		return name
	}
	return email
}

func checkOK(check func(v *apperr.Invalid)) bool {
	v := apperr.NewInvalid()
	check(v)
	return v.Err() == nil
}

// Credentials are what a visitor signs in with. OldSession is the session
// id their browser had, if any: it is ended.
type Credentials struct {
	Email, Password string
	IP              string
	OldSession      string
}

// SignIn checks credentials and starts a session, returning the user and
// the new session id for the cookie. An unknown address and a wrong
// password are the same ErrBadCredentials, after the same argon2 work.
// Tries are limited per IP and per address.
func (s *Service) SignIn(ctx context.Context, in Credentials) (User, string, error) {
	email := normalEmail(in.Email)
	v := apperr.NewInvalid()
	if email == "" {
		v.Add("email", "error.account.required", nil)
	}
	if in.Password == "" {
		v.Add("password", "error.account.required", nil)
	}
	if err := v.Err(); err != nil {
		return User{}, "", err
	}
	if err := s.allow(ctx, "signin:ip:"+in.IP, limitSignInIP); err != nil {
		return User{}, "", err
	}
	accountKey := "signin:account:" + digest(email)
	if err := s.allow(ctx, accountKey, limitSignInAccount); err != nil {
		return User{}, "", err
	}
	row, found, err := s.userForSignIn(ctx, email)
	if err != nil {
		return User{}, "", err
	}
	hash := s.dummyHash
	if found {
		hash = row.PasswordHash.String
	}
	// Overlong input cannot match (passwords are at most MaxPassword
	// characters) but still costs one hash, as any other try does.
	pw := in.Password
	if len(pw) > 4*MaxPassword {
		pw, found = pw[:4*MaxPassword], false
	}
	ok, err := checkPassword(hash, pw)
	if err != nil {
		return User{}, "", fmt.Errorf("accounts: check password of %q: %w", email, err)
	}
	if !found || !ok {
		return User{}, "", ErrBadCredentials
	}
	if row.DisabledAt.Valid {
		return User{}, "", ErrDisabled
	}
	if err := s.forget(ctx, accountKey); err != nil {
		return User{}, "", err
	}
	now := s.now().UTC()
	if err := s.q.UserTouchLogin(ctx, db.UserTouchLoginParams{LastLoginAt: sql.NullTime{Time: now, Valid: true}, ID: row.ID}); err != nil {
		return User{}, "", fmt.Errorf("accounts: record sign-in of %d: %w", row.ID, err)
	}
	sid, err := s.startSession(ctx, row.ID, in.OldSession)
	if err != nil {
		return User{}, "", err
	}
	row.LastLoginAt = sql.NullTime{Time: now, Valid: true}
	return toUser(row), sid, nil
}

// userForSignIn returns the user with email if it has a password.
func (s *Service) userForSignIn(ctx context.Context, email string) (db.User, bool, error) {
	row, err := s.q.UserGetByEmail(ctx, email)
	if errors.Is(err, sql.ErrNoRows) {
		return db.User{}, false, nil
	}
	if err != nil {
		return db.User{}, false, fmt.Errorf("accounts: look up %q: %w", email, err)
	}
	return row, row.PasswordHash.Valid, nil
}

// Verify marks the address of the token's user verified and uses the token
// up. A token already used by a verified user answers as a success: the
// second click on the link changes nothing.
func (s *Service) Verify(ctx context.Context, raw string) (User, error) {
	now := s.now().UTC()
	var uid int64
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		tok, err := s.liveToken(ctx, q, raw, db.UserTokensPurposeVerify, true)
		if errors.Is(err, ErrTokenInvalid) && tok.UsedAt.Valid {
			u, gerr := q.UserGet(ctx, tok.UserID)
			if gerr == nil && u.EmailVerifiedAt.Valid {
				uid = u.ID
				return nil
			}
		}
		if err != nil {
			return err
		}
		uid = tok.UserID
		if _, err := q.UserTokenUse(ctx, db.UserTokenUseParams{UsedAt: sql.NullTime{Time: now, Valid: true}, ID: tok.ID}); err != nil {
			return fmt.Errorf("accounts: use token: %w", err)
		}
		if _, err := q.UserSetVerified(ctx, db.UserSetVerifiedParams{EmailVerifiedAt: sql.NullTime{Time: now, Valid: true}, ID: uid}); err != nil {
			return fmt.Errorf("accounts: verify %d: %w", uid, err)
		}
		return s.runVerified(ctx, q, uid)
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, uid)
}

// ResendVerification mails the user a new verification link, a few times
// an hour at most. A verified user gets nothing.
func (s *Service) ResendVerification(ctx context.Context, userID int64) error {
	u, err := s.Get(ctx, userID)
	if err != nil || u.EmailVerified {
		return err
	}
	if err := s.allow(ctx, "verify:user:"+idString(userID), limitResendVerify); err != nil {
		return err
	}
	var token string
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		token, err = s.issueToken(ctx, q, userID, db.UserTokensPurposeVerify, VerifyTTL)
		return err
	})
	if err != nil {
		return err
	}
	s.sendLater(u.Email, u.Language, "verify", emailData{Name: u.Name(), Link: s.baseURL + "/verify?token=" + token, Hours: int(VerifyTTL.Hours())})
	return nil
}

// RequestReset mails a password reset link to email if it belongs to an
// account that may sign in. It answers the same either way.
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	email = normalEmail(email)
	v := apperr.NewInvalid()
	checkEmail(v, "email", email)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.allow(ctx, "reset:ip:"+ip, limitResetIP); err != nil {
		return err
	}
	if err := s.allow(ctx, "reset:account:"+digest(email), limitResetAccount); err != nil {
		return err
	}
	row, err := s.q.UserGetByEmail(ctx, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("accounts: look up %q: %w", email, err)
	}
	if row.DisabledAt.Valid {
		return nil
	}
	var token string
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		token, err = s.issueToken(ctx, q, row.ID, db.UserTokensPurposeReset, ResetTTL)
		return err
	})
	if err != nil {
		return err
	}
	u := toUser(row)
	s.sendLater(u.Email, u.Language, "reset", emailData{Name: u.Name(), Link: s.baseURL + "/reset/" + token, Minutes: int(ResetTTL.Minutes())})
	return nil
}

// CheckResetToken reports ErrTokenInvalid unless raw is a live reset token,
// so the form is only shown for a link that works.
func (s *Service) CheckResetToken(ctx context.Context, raw string) error {
	_, err := s.liveToken(ctx, s.q, raw, db.UserTokensPurposeReset, false)
	return err
}

// ResetPassword sets a new password with a reset token, uses up every reset
// token of the user, marks the address verified (the mail reached it) and
// ends all the user's sessions.
func (s *Service) ResetPassword(ctx context.Context, raw, password string) (User, error) {
	now := s.now().UTC()
	var uid int64
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		tok, err := s.liveToken(ctx, q, raw, db.UserTokensPurposeReset, true)
		if err != nil {
			return err
		}
		u, err := q.UserGetForUpdate(ctx, tok.UserID)
		if err != nil {
			return fmt.Errorf("accounts: reset password of %d: %w", tok.UserID, err)
		}
		v := apperr.NewInvalid()
		checkPasswordRules(v, "password", password, u.Email)
		if err := v.Err(); err != nil {
			return err
		}
		hash, err := hashPassword(password)
		if err != nil {
			return err
		}
		uid = u.ID
		if _, err := q.UserSetPassword(ctx, db.UserSetPasswordParams{PasswordHash: sql.NullString{String: hash, Valid: true}, ID: uid}); err != nil {
			return fmt.Errorf("accounts: reset password of %d: %w", uid, err)
		}
		if err := q.UserTokenUseAll(ctx, db.UserTokenUseAllParams{UsedAt: sql.NullTime{Time: now, Valid: true}, UserID: uid, Purpose: db.UserTokensPurposeReset}); err != nil {
			return fmt.Errorf("accounts: use reset tokens of %d: %w", uid, err)
		}
		if _, err := q.UserSetVerified(ctx, db.UserSetVerifiedParams{EmailVerifiedAt: sql.NullTime{Time: now, Valid: true}, ID: uid}); err != nil {
			return fmt.Errorf("accounts: verify %d: %w", uid, err)
		}
		return s.runVerified(ctx, q, uid)
	})
	if err != nil {
		return User{}, err
	}
	if err := s.SignOutEverywhere(ctx, uid); err != nil {
		return User{}, err
	}
	return s.Get(ctx, uid)
}

// Profile is what a user may change about themselves on /account.
type Profile struct {
	DisplayName string
	Language    string
	TimeZone    string // "" for the club's zone
}

// UpdateProfile saves the user's display name, language and time zone.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, p Profile) (User, error) {
	name := strings.TrimSpace(p.DisplayName)
	v := apperr.NewInvalid()
	checkDisplayName(v, "display_name", name)
	checkLanguage(v, "language", p.Language, s.langs)
	zone := canonicalZone(v, "time_zone", p.TimeZone)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	n, err := s.q.UserUpdateProfile(ctx, db.UserUpdateProfileParams{DisplayName: name, Language: p.Language, TimeZone: zone, ID: userID})
	if err != nil {
		return User{}, fmt.Errorf("accounts: update profile of %d: %w", userID, err)
	}
	_ = n // zero rows: nothing changed, or the user is gone (Get tells)
	return s.Get(ctx, userID)
}

// checkCurrent checks the user's current password for a change that needs
// it, counting wrong tries against the account's sign-in limit.
func (s *Service) checkCurrent(ctx context.Context, u db.User, field, password string) error {
	v := apperr.NewInvalid()
	if password == "" {
		v.Add(field, "error.account.required", nil)
		return v
	}
	key := "signin:account:" + digest(u.Email)
	if err := s.allow(ctx, key, limitSignInAccount); err != nil {
		return err
	}
	ok := false
	if u.PasswordHash.Valid && len(password) <= 4*MaxPassword {
		var err error
		if ok, err = checkPassword(u.PasswordHash.String, password); err != nil {
			return fmt.Errorf("accounts: check password of %d: %w", u.ID, err)
		}
	}
	if !ok {
		v.Add(field, "error.account.password_wrong", nil)
		return v
	}
	return s.forget(ctx, key)
}

// ChangePassword sets a new password after checking the current one, and
// signs out every other session (keepSession is the raw id of the one in use).
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next, keepSession string) error {
	row, err := s.q.UserGet(ctx, userID)
	if err != nil {
		return fmt.Errorf("accounts: change password of %d: %w", userID, err)
	}
	if err := s.checkCurrent(ctx, row, "current_password", current); err != nil {
		return err
	}
	v := apperr.NewInvalid()
	checkPasswordRules(v, "password", next, row.Email)
	if err := v.Err(); err != nil {
		return err
	}
	hash, err := hashPassword(next)
	if err != nil {
		return err
	}
	if _, err := s.q.UserSetPassword(ctx, db.UserSetPasswordParams{PasswordHash: sql.NullString{String: hash, Valid: true}, ID: userID}); err != nil {
		return fmt.Errorf("accounts: change password of %d: %w", userID, err)
	}
	keep := ""
	if wellFormed(keepSession) {
		keep = SessionID(keepSession)
	}
	return s.signOutExcept(ctx, userID, keep)
}

// DeleteAccount deletes the user a with their follows, preferences and
// tokens (the database cascades) and ends their sessions, after checking
// their password. The last admin cannot delete themselves.
func (s *Service) DeleteAccount(ctx context.Context, a actor.Actor, password string) error {
	if !a.SignedIn() || a.UserID == 0 {
		return fmt.Errorf("accounts: delete account: %w", apperr.ErrForbidden)
	}
	row, err := s.q.UserGet(ctx, a.UserID)
	if err != nil {
		return fmt.Errorf("accounts: delete account %d: %w", a.UserID, err)
	}
	if err := s.checkCurrent(ctx, row, "delete_password", password); err != nil {
		return err
	}
	now := s.now().UTC()
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		u, err := q.UserGetForUpdate(ctx, a.UserID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // deleted by a request a moment ago
		}
		if err != nil {
			return fmt.Errorf("accounts: delete account %d: %w", a.UserID, err)
		}
		if u.Role == db.UsersRoleAdmin && !u.DisabledAt.Valid {
			n, err := q.UserCountActiveAdmins(ctx)
			if err != nil {
				return fmt.Errorf("accounts: count admins: %w", err)
			}
			if n <= 1 {
				v := apperr.NewInvalid()
				v.Add("delete_password", "error.account.last_admin", nil)
				return v
			}
		}
		// The entry outlives the row: its user_id becomes NULL, the
		// entity id stays. No address is kept for someone who left.
		if err := audit.Record(ctx, q, a, now, audit.Entry{
			Action: "delete", Kind: audit.KindUser, EntityID: u.ID, Summary: "account deleted by its owner",
			Changes: []audit.Change{{Field: "role", Old: string(u.Role)}},
		}); err != nil {
			return err
		}
		if _, err := q.UserDelete(ctx, u.ID); err != nil {
			return fmt.Errorf("accounts: delete account %d: %w", u.ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.SignOutEverywhere(ctx, a.UserID)
}
