-- name: AuditInsert :exec
INSERT INTO audit_log (user_id, action, entity_kind, entity_id, summary, detail, ip, request_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: AuditListForEntity :many
-- A NULL entity_id lists the entries about no one row (settings): <=>
-- matches NULL with NULL and still uses audit_log_entity.
SELECT a.id, a.user_id, COALESCE(u.email, '') AS user_email, COALESCE(u.display_name, '') AS user_name,
       a.action, a.entity_kind, a.entity_id, a.summary, COALESCE(a.detail, JSON_ARRAY()) AS detail, a.ip, a.created_at
FROM audit_log a
LEFT JOIN users u ON u.id = a.user_id
WHERE a.entity_kind = sqlc.arg(kind) AND a.entity_id <=> sqlc.narg(entity_id)
ORDER BY a.created_at DESC, a.id DESC
LIMIT ?;

-- name: AuditListRecent :many
SELECT a.id, a.user_id, COALESCE(u.email, '') AS user_email, COALESCE(u.display_name, '') AS user_name,
       a.action, a.entity_kind, a.entity_id, a.summary, COALESCE(a.detail, JSON_ARRAY()) AS detail, a.ip, a.created_at
FROM audit_log a
LEFT JOIN users u ON u.id = a.user_id
ORDER BY a.created_at DESC, a.id DESC
LIMIT ?;
