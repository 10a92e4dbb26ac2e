-- +goose Up
CREATE TABLE users (
    id                BIGINT        NOT NULL AUTO_INCREMENT,
    email             VARCHAR(254)  NOT NULL,
    -- argon2id in PHC string form; NULL for accounts that cannot sign in yet.
    password_hash     VARCHAR(255)  NULL,
    display_name      VARCHAR(100)  NOT NULL DEFAULT '',
    role              ENUM('admin','editor','artist','member') NOT NULL DEFAULT 'member',
    artist_id         BIGINT        NULL,
    language          VARCHAR(8)    NOT NULL DEFAULT 'en',
    time_zone         VARCHAR(64)   NOT NULL DEFAULT '',
    email_verified_at DATETIME      NULL,
    disabled_at       DATETIME      NULL,
    last_login_at     DATETIME      NULL,
    created_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE KEY users_email (email),
    CONSTRAINT users_artist FOREIGN KEY (artist_id) REFERENCES artists (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE artist_follows (
    user_id    BIGINT   NOT NULL,
    artist_id  BIGINT   NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, artist_id),
    KEY artist_follows_artist (artist_id),
    CONSTRAINT artist_follows_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT artist_follows_artist FOREIGN KEY (artist_id) REFERENCES artists (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE location_follows (
    user_id     BIGINT   NOT NULL,
    location_id BIGINT   NOT NULL,
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id, location_id),
    KEY location_follows_location (location_id),
    CONSTRAINT location_follows_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT location_follows_location FOREIGN KEY (location_id) REFERENCES locations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE notification_preferences (
    user_id                BIGINT   NOT NULL,
    event_reminders        BOOLEAN  NOT NULL DEFAULT TRUE,
    reminder_lead_minutes  INT      NOT NULL DEFAULT 60,
    followed_announcements BOOLEAN  NOT NULL DEFAULT TRUE,
    newsletter             BOOLEAN  NOT NULL DEFAULT FALSE,
    updated_at             DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (user_id),
    CONSTRAINT notification_preferences_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT notification_preferences_lead CHECK (reminder_lead_minutes BETWEEN 5 AND 10080)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE notification_preferences;
DROP TABLE location_follows;
DROP TABLE artist_follows;
DROP TABLE users;
