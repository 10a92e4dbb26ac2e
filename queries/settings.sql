-- name: SettingUpsert :exec
INSERT INTO settings (name, value) VALUES (?, ?)
ON DUPLICATE KEY UPDATE value = VALUES(value);

-- name: SettingList :many
SELECT name, value FROM settings ORDER BY name;

-- name: FeatureFlagUpsert :exec
INSERT INTO feature_flags (name, enabled, description) VALUES (?, ?, ?)
ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), description = VALUES(description);

-- name: FeatureFlagList :many
SELECT name, enabled, description FROM feature_flags ORDER BY name;

-- Back office: settings and flags with their versions and who changed them.

-- name: SettingGet :one
SELECT name, value, version FROM settings WHERE name = ?;

-- name: SettingListAdmin :many
SELECT s.name, s.value, s.version, s.updated_at, s.updated_by,
       COALESCE(u.display_name, '') AS updated_by_name
FROM settings s
LEFT JOIN users u ON u.id = s.updated_by
ORDER BY s.name;

-- name: SettingInsert :exec
INSERT INTO settings (name, value, updated_by, updated_at, version) VALUES (?, ?, ?, ?, 1);

-- name: SettingUpdate :execrows
UPDATE settings SET value = ?, updated_by = ?, updated_at = ?, version = version + 1
WHERE name = sqlc.arg(name) AND version = sqlc.arg(version);

-- name: FeatureFlagGet :one
SELECT name, enabled, description, version FROM feature_flags WHERE name = ?;

-- name: FeatureFlagListAdmin :many
SELECT f.name, f.enabled, f.description, f.version, f.updated_at, f.updated_by,
       COALESCE(u.display_name, '') AS updated_by_name
FROM feature_flags f
LEFT JOIN users u ON u.id = f.updated_by
ORDER BY f.name;

-- name: FeatureFlagInsert :exec
INSERT INTO feature_flags (name, enabled, description, updated_by, updated_at, version) VALUES (?, ?, ?, ?, ?, 1);

-- name: FeatureFlagUpdate :execrows
UPDATE feature_flags SET enabled = ?, updated_by = ?, updated_at = ?, version = version + 1
WHERE name = sqlc.arg(name) AND version = sqlc.arg(version);
