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
