-- Patreon: members as its webhook reports them, and the deliveries seen.

-- name: PatreonDeliveryInsert :execrows
INSERT IGNORE INTO patreon_deliveries (body_sha256, event, patreon_member_id, received_at) VALUES (?, ?, ?, ?);

-- name: PatreonDeliveryPrune :execrows
DELETE FROM patreon_deliveries WHERE received_at < ?;

-- name: PatreonMemberClaim :exec
-- An empty row for a member not seen before, so that the next query can
-- lock it: two first deliveries for one member then wait for each other.
INSERT INTO patreon_members (patreon_member_id, tier_ids, raw) VALUES (?, '[]', '{}')
ON DUPLICATE KEY UPDATE id = id;

-- name: PatreonMemberGetForUpdate :one
SELECT * FROM patreon_members WHERE patreon_member_id = ? FOR UPDATE;

-- name: PatreonMemberUpdate :exec
UPDATE patreon_members SET
    patreon_user_id = ?, campaign_id = ?, user_id = ?, email = ?, full_name = ?,
    patron_status = ?, currently_entitled_cents = ?, will_pay_cents = ?, lifetime_support_cents = ?,
    pledge_relationship_start = ?, last_charge_date = ?, last_charge_status = ?,
    tier_ids = ?, tier_titles = ?, supporter = ?, former_at = ?, raw = ?, last_event = ?, last_event_at = ?
WHERE id = ?;

-- name: PatreonVerifiedUserByEmail :one
-- users.email's collation ignores case, as addresses do in practice.
SELECT id FROM users WHERE email = ? AND email_verified_at IS NOT NULL;

-- name: PatreonMemberLinkUser :execrows
-- Links the members with the verified address of a user, when it has just
-- been verified.
UPDATE patreon_members pm JOIN users u ON u.email = pm.email
SET pm.user_id = u.id
WHERE u.id = ? AND u.email_verified_at IS NOT NULL AND pm.email <> '';

-- name: PatreonMemberGet :one
SELECT * FROM patreon_members WHERE patreon_member_id = ?;

-- name: PatreonMemberList :many
SELECT pm.*, COALESCE(u.email, '') AS user_email
FROM patreon_members pm LEFT JOIN users u ON u.id = pm.user_id
WHERE pm.last_event <> ''
  AND (sqlc.narg(q) IS NULL OR pm.email LIKE sqlc.narg(q) OR pm.full_name LIKE sqlc.narg(q))
  AND (sqlc.narg(supporter) IS NULL OR pm.supporter = sqlc.narg(supporter))
ORDER BY pm.supporter DESC, pm.last_event_at DESC, pm.id DESC
LIMIT ? OFFSET ?;

-- name: PatreonMemberCount :one
SELECT COUNT(*) FROM patreon_members pm
WHERE pm.last_event <> ''
  AND (sqlc.narg(q) IS NULL OR pm.email LIKE sqlc.narg(q) OR pm.full_name LIKE sqlc.narg(q))
  AND (sqlc.narg(supporter) IS NULL OR pm.supporter = sqlc.narg(supporter));
