package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/audit"
	"github.com/dreamerscave/tdc/app/db"
)

// MySQL error numbers the service turns into field errors.
const (
	errDuplicateKey = 1062
	errNoParentRow  = 1452
)

func isMySQL(err error, number uint16) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == number
}

// Get returns the user with id, or apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	row, err := s.q.UserGet(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("accounts: user %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("accounts: get user %d: %w", id, err)
	}
	return toUser(row), nil
}

// GetByEmail returns the user with the address email (any case), or
// apperr.ErrNotFound. For the command line and the back office only: the
// public pages never tell whether an address is registered.
func (s *Service) GetByEmail(ctx context.Context, email string) (User, error) {
	row, err := s.q.UserGetByEmail(ctx, normalEmail(email))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("accounts: user %q: %w", email, apperr.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("accounts: get user by email: %w", err)
	}
	return toUser(row), nil
}

// UserFilter selects and orders users for the back office's list.
type UserFilter struct {
	Q       string     // part of the email or display name
	Role    actor.Role // "" for every role
	Page    int        // from 1
	PerPage int        // 1..200, default 50
	Sort    string     // "email", "name", "login" (latest first) or "" (newest first)
}

// UserPage is one page of users.
type UserPage struct {
	Users   []User
	Total   int
	Page    int
	Pages   int
	PerPage int
}

// List returns the users matching f, a page at a time.
func (s *Service) List(ctx context.Context, f UserFilter) (UserPage, error) {
	v := apperr.NewInvalid()
	if f.Role != "" && !f.Role.Valid() {
		v.Add("role", "error.account.role_unknown", nil)
	}
	switch f.Sort {
	case "", "email", "name", "login":
	default:
		v.Add("sort", "error.account.sort_unknown", nil)
	}
	if err := v.Err(); err != nil {
		return UserPage{}, err
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	f.PerPage = min(f.PerPage, 200)
	f.Page = max(f.Page, 1)
	q := db.Contains(f.Q)
	role := db.NullUsersRole{UsersRole: db.UsersRole(f.Role), Valid: f.Role != ""}
	total, err := s.q.UserCount(ctx, db.UserCountParams{Q: q, Role: role})
	if err != nil {
		return UserPage{}, fmt.Errorf("accounts: count users: %w", err)
	}
	page := UserPage{Total: int(total), Page: f.Page, PerPage: f.PerPage, Pages: max(1, (int(total)+f.PerPage-1)/f.PerPage)}
	offset := (f.Page - 1) * f.PerPage
	if offset >= int(total) {
		page.Users = []User{}
		return page, nil
	}
	rows, err := s.q.UserList(ctx, db.UserListParams{Q: q, Role: role, Sort: f.Sort, Limit: int32(f.PerPage), Offset: int32(offset)})
	if err != nil {
		return UserPage{}, fmt.Errorf("accounts: list users: %w", err)
	}
	page.Users = make([]User, len(rows))
	for i, r := range rows {
		page.Users[i] = toUser(r)
	}
	return page, nil
}

// NewUser is an account an admin (or `tdc user create`) makes.
type NewUser struct {
	Email       string
	Password    string
	DisplayName string
	Role        actor.Role // default member
	ArtistID    int64      // required for, and only for, the artist role
	Language    string     // default: the default language
	TimeZone    string
	Verified    bool
}

// Create makes an account as a, who must be an admin (the command line acts
// as actor.System). The address need not be verified by mail when Verified.
func (s *Service) Create(ctx context.Context, a actor.Actor, in NewUser) (User, error) {
	if !a.IsAdmin() {
		return User{}, fmt.Errorf("accounts: create user: %w", apperr.ErrForbidden)
	}
	email := normalEmail(in.Email)
	name := strings.TrimSpace(in.DisplayName)
	if in.Role == "" {
		in.Role = actor.RoleMember
	}
	if in.Language == "" {
		in.Language = s.defaultLang()
	}
	v := apperr.NewInvalid()
	checkEmail(v, "email", email)
	checkPasswordRules(v, "password", in.Password, email)
	checkDisplayName(v, "display_name", name)
	checkLanguage(v, "language", in.Language, s.langs)
	zone := canonicalZone(v, "time_zone", in.TimeZone)
	checkRole(v, in.Role, in.ArtistID)
	if err := v.Err(); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now().UTC()
	var id int64
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		id, err = q.UserInsert(ctx, db.UserInsertParams{
			Email: email, PasswordHash: sql.NullString{String: hash, Valid: true}, DisplayName: name,
			Role: db.UsersRole(in.Role), ArtistID: sql.NullInt64{Int64: in.ArtistID, Valid: in.ArtistID != 0},
			Language: in.Language, TimeZone: zone, EmailVerifiedAt: sql.NullTime{Time: now, Valid: in.Verified}, CreatedAt: now,
		})
		if isMySQL(err, errDuplicateKey) {
			v.Add("email", "error.account.email_taken", nil)
			return v
		}
		if isMySQL(err, errNoParentRow) {
			v.Add("artist", "error.account.artist_unknown", nil)
			return v
		}
		if err != nil {
			return fmt.Errorf("accounts: insert user: %w", err)
		}
		if in.Verified {
			if err := s.runVerified(ctx, q, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: "create", Kind: audit.KindUser, EntityID: id, Summary: email,
			Changes: []audit.Change{{Field: "role", New: string(in.Role)}},
		})
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, id)
}

// checkRole adds an error when role is unknown, or when artistID does not
// go with it: an artist-role user owns one artist profile, nobody else does.
func checkRole(v *apperr.Invalid, role actor.Role, artistID int64) {
	switch {
	case !role.Valid():
		v.Add("role", "error.account.role_unknown", nil)
	case role == actor.RoleArtist && artistID <= 0:
		v.Add("artist", "error.account.artist_required", nil)
	case role != actor.RoleArtist && artistID != 0:
		v.Add("artist", "error.account.artist_only_for_artists", nil)
	}
}

// SetRole gives user userID role (and, for artists, the profile artistID),
// as a, who must be an admin. Nobody changes their own role: an admin
// cannot lock themselves out, and no one can raise themselves.
func (s *Service) SetRole(ctx context.Context, a actor.Actor, userID int64, role actor.Role, artistID int64) error {
	if !a.IsAdmin() || a.UserID == userID {
		return fmt.Errorf("accounts: set role of %d: %w", userID, apperr.ErrForbidden)
	}
	v := apperr.NewInvalid()
	checkRole(v, role, artistID)
	if err := v.Err(); err != nil {
		return err
	}
	now := s.now().UTC()
	return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		old, err := q.UserGetForUpdate(ctx, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("accounts: set role of %d: %w", userID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("accounts: set role of %d: %w", userID, err)
		}
		if string(old.Role) == string(role) && old.ArtistID.Int64 == artistID {
			return nil
		}
		_, err = q.UserSetRole(ctx, db.UserSetRoleParams{Role: db.UsersRole(role), ArtistID: sql.NullInt64{Int64: artistID, Valid: artistID != 0}, ID: userID})
		if isMySQL(err, errNoParentRow) {
			v.Add("artist", "error.account.artist_unknown", nil)
			return v
		}
		if err != nil {
			return fmt.Errorf("accounts: set role of %d: %w", userID, err)
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: "role", Kind: audit.KindUser, EntityID: userID, Summary: old.Email,
			Changes: []audit.Change{
				{Field: "role", Old: string(old.Role), New: string(role)},
				{Field: "artist_id", Old: idString(old.ArtistID.Int64), New: idString(artistID)},
			},
		})
	})
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// Disable stops user userID from signing in and ends their sessions, as a,
// an admin other than the user.
func (s *Service) Disable(ctx context.Context, a actor.Actor, userID int64) error {
	return s.setDisabled(ctx, a, userID, true)
}

// Enable lets a disabled user sign in again.
func (s *Service) Enable(ctx context.Context, a actor.Actor, userID int64) error {
	return s.setDisabled(ctx, a, userID, false)
}

func (s *Service) setDisabled(ctx context.Context, a actor.Actor, userID int64, disabled bool) error {
	if !a.IsAdmin() || a.UserID == userID {
		return fmt.Errorf("accounts: disable %d: %w", userID, apperr.ErrForbidden)
	}
	now := s.now().UTC()
	action := "enable"
	if disabled {
		action = "disable"
	}
	err := db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		u, err := q.UserGetForUpdate(ctx, userID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("accounts: %s %d: %w", action, userID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("accounts: %s %d: %w", action, userID, err)
		}
		if u.DisabledAt.Valid == disabled {
			return nil
		}
		if _, err := q.UserSetDisabled(ctx, db.UserSetDisabledParams{DisabledAt: sql.NullTime{Time: now, Valid: disabled}, ID: userID}); err != nil {
			return fmt.Errorf("accounts: %s %d: %w", action, userID, err)
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: action, Kind: audit.KindUser, EntityID: userID, Summary: u.Email,
			Changes: []audit.Change{{Field: "disabled", Old: strconv.FormatBool(!disabled), New: strconv.FormatBool(disabled)}},
		})
	})
	if err != nil {
		return err
	}
	if disabled {
		return s.SignOutEverywhere(ctx, userID)
	}
	return nil
}

// SetPassword gives user userID a new password as a, an admin or the
// command line (`tdc user reset`), and ends all their sessions.
func (s *Service) SetPassword(ctx context.Context, a actor.Actor, userID int64, password string) error {
	if !a.IsAdmin() {
		return fmt.Errorf("accounts: set password of %d: %w", userID, apperr.ErrForbidden)
	}
	u, err := s.Get(ctx, userID)
	if err != nil {
		return err
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
	now := s.now().UTC()
	err = db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
		if _, err := q.UserSetPassword(ctx, db.UserSetPasswordParams{PasswordHash: sql.NullString{String: hash, Valid: true}, ID: userID}); err != nil {
			return fmt.Errorf("accounts: set password of %d: %w", userID, err)
		}
		if err := q.UserTokenUseAll(ctx, db.UserTokenUseAllParams{UsedAt: sql.NullTime{Time: now, Valid: true}, UserID: userID, Purpose: db.UserTokensPurposeReset}); err != nil {
			return fmt.Errorf("accounts: void reset tokens of %d: %w", userID, err)
		}
		return audit.Record(ctx, q, a, now, audit.Entry{
			Action: "password", Kind: audit.KindUser, EntityID: userID, Summary: u.Email,
			Changes: []audit.Change{{Field: "password", New: "set by an admin"}},
		})
	})
	if err != nil {
		return err
	}
	return s.SignOutEverywhere(ctx, userID)
}

// ArtistIDBySlug returns the id of the artist with slug, or
// apperr.ErrNotFound: for giving a user the artist role by slug.
func (s *Service) ArtistIDBySlug(ctx context.Context, slug string) (int64, error) {
	a, err := s.q.FollowArtistTarget(ctx, slug)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("accounts: artist %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("accounts: artist %q: %w", slug, err)
	}
	return a.ID, nil
}
