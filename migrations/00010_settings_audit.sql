-- +goose Up
CREATE TABLE settings (
    name       VARCHAR(64) NOT NULL,
    value      TEXT        NOT NULL,
    updated_by BIGINT      NULL,
    updated_at DATETIME    NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (name),
    CONSTRAINT settings_user FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE feature_flags (
    name        VARCHAR(64)  NOT NULL,
    enabled     BOOLEAN      NOT NULL DEFAULT FALSE,
    description VARCHAR(300) NOT NULL DEFAULT '',
    updated_at  DATETIME     NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who changed what, kept after the row itself is gone (no FK on entity_id).
CREATE TABLE audit_log (
    id          BIGINT        NOT NULL AUTO_INCREMENT,
    user_id     BIGINT        NULL,
    action      VARCHAR(64)   NOT NULL,
    entity_kind VARCHAR(32)   NOT NULL,
    entity_id   BIGINT        NULL,
    summary     VARCHAR(300)  NOT NULL DEFAULT '',
    detail      JSON          NULL,
    ip          VARCHAR(45)   NOT NULL DEFAULT '',
    request_id  VARCHAR(64)   NOT NULL DEFAULT '',
    created_at  DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    KEY audit_log_entity (entity_kind, entity_id, created_at),
    KEY audit_log_created (created_at),
    CONSTRAINT audit_log_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE audit_log;
DROP TABLE feature_flags;
DROP TABLE settings;
