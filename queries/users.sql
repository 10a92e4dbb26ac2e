-- Accounts: users, their mailed tokens and their follows.

-- name: UserInsert :execlastid
INSERT INTO users (email, password_hash, display_name, role, artist_id, language, time_zone, email_verified_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: UserGet :one
SELECT * FROM users WHERE id = ?;

-- name: UserGetSession :one
-- The signed-in user, with whether a paying Patreon member is linked to
-- them: the header's badge needs no query of its own on every page.
SELECT sqlc.embed(users),
       EXISTS(SELECT 1 FROM patreon_members pm WHERE pm.user_id = users.id AND pm.supporter) AS supporter
FROM users WHERE users.id = ?;

-- name: UserGetForUpdate :one
SELECT * FROM users WHERE id = ? FOR UPDATE;

-- name: UserGetByEmail :one
SELECT * FROM users WHERE email = ?;

-- name: UserList :many
SELECT * FROM users
WHERE (sqlc.narg(q) IS NULL OR email LIKE sqlc.narg(q) OR display_name LIKE sqlc.narg(q))
  AND (sqlc.narg(role) IS NULL OR role = sqlc.narg(role))
ORDER BY
  CASE WHEN sqlc.arg(sort) = 'email' THEN email END,
  CASE WHEN sqlc.arg(sort) = 'name' THEN display_name END,
  CASE WHEN sqlc.arg(sort) = 'login' THEN last_login_at END DESC,
  created_at DESC, id DESC
LIMIT ? OFFSET ?;

-- name: UserCount :one
SELECT COUNT(*) FROM users
WHERE (sqlc.narg(q) IS NULL OR email LIKE sqlc.narg(q) OR display_name LIKE sqlc.narg(q))
  AND (sqlc.narg(role) IS NULL OR role = sqlc.narg(role));

-- name: UserCountActiveAdmins :one
SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL;

-- name: UserSetRole :execrows
UPDATE users SET role = ?, artist_id = ? WHERE id = ?;

-- name: UserUpdateProfile :execrows
UPDATE users SET display_name = ?, language = ?, time_zone = ? WHERE id = ?;

-- name: UserSetPassword :execrows
UPDATE users SET password_hash = ? WHERE id = ?;

-- name: UserSetVerified :execrows
UPDATE users SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL;

-- name: UserSetDisabled :execrows
UPDATE users SET disabled_at = ? WHERE id = ?;

-- name: UserTouchLogin :exec
UPDATE users SET last_login_at = ? WHERE id = ?;

-- name: UserDelete :execrows
DELETE FROM users WHERE id = ?;

-- name: UserTokenInsert :exec
INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?);

-- name: UserTokenGetForUpdate :one
SELECT * FROM user_tokens WHERE token_hash = ? AND purpose = ? FOR UPDATE;

-- name: UserTokenGet :one
SELECT * FROM user_tokens WHERE token_hash = ? AND purpose = ?;

-- name: UserTokenUse :execrows
UPDATE user_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL;

-- name: UserTokenUseAll :exec
UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL;

-- name: FollowArtistTarget :one
SELECT id, slug, name FROM artists WHERE slug = ?;

-- name: FollowLocationTarget :one
SELECT l.id, l.slug, d.name, t.name AS name_tr
FROM locations l
JOIN location_translations d ON d.location_id = l.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations t ON t.location_id = l.id AND t.lang = sqlc.arg(lang)
WHERE l.slug = sqlc.arg(slug);

-- name: FollowArtistInsert :exec
INSERT IGNORE INTO artist_follows (user_id, artist_id, created_at) VALUES (?, ?, ?);

-- name: FollowArtistDelete :execrows
DELETE FROM artist_follows WHERE user_id = ? AND artist_id = ?;

-- name: FollowArtistExists :one
SELECT EXISTS (SELECT 1 FROM artist_follows WHERE user_id = ? AND artist_id = ?);

-- name: FollowLocationInsert :exec
INSERT IGNORE INTO location_follows (user_id, location_id, created_at) VALUES (?, ?, ?);

-- name: FollowLocationDelete :execrows
DELETE FROM location_follows WHERE user_id = ? AND location_id = ?;

-- name: FollowLocationExists :one
SELECT EXISTS (SELECT 1 FROM location_follows WHERE user_id = ? AND location_id = ?);

-- name: FollowArtistList :many
SELECT a.slug, a.name, f.created_at
FROM artist_follows f
JOIN artists a ON a.id = f.artist_id
WHERE f.user_id = ?
ORDER BY a.name, a.slug;

-- name: FollowLocationList :many
SELECT l.slug, d.name, t.name AS name_tr, f.created_at
FROM location_follows f
JOIN locations l ON l.id = f.location_id
JOIN location_translations d ON d.location_id = l.id AND d.lang = sqlc.arg(default_lang)
LEFT JOIN location_translations t ON t.location_id = l.id AND t.lang = sqlc.arg(lang)
WHERE f.user_id = sqlc.arg(user_id)
ORDER BY l.position, l.slug;
